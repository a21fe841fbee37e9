"""The outage run the outage tests share (issue 12, "Outages"; the Node twin is
js/test/outage.js): eight tasks store and load sessions while ``cut()`` takes the server away
for a while and ``restore()`` brings it back. :func:`check` asserts what every outage must keep:

- every failed operation is ``CallbackFailedError`` (CALLBACK_FAILED) with the driver's
  exception as ``__cause__``;
- none hangs: each settles within the timeout plus slack (a hang would be CALLBACK_TIMEOUT, or
  later, and fail this too);
- every operation started and ended while the server was away failed;
- once one operation started after the restore has succeeded, every later one succeeds;
- no acknowledged write is lost: every store writes an id of its own, so after the run each
  acknowledged store is loaded back with its content, and a load that succeeded right after
  its task's acknowledged store read that store.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sessionkeeper import CallbackFailedError, Session

SHOP = "outage.myshopify.com"


def _ms() -> float:
    return time.monotonic() * 1000


@dataclass
class Op:
    id: str
    i: int
    store: bool
    started_in: str
    started: float
    ok: bool = False
    error: BaseException | None = None
    loaded: Session | None = None
    ms: float = 0.0
    ended_in: str = ""


@dataclass
class Run:
    ops: list[Op] = field(default_factory=list)
    acked: dict[str, int] = field(default_factory=dict)
    cut_at: float = 0.0
    recovered: float = 0.0


async def outage_run(
    storage: Any,
    cut: Callable[[], Awaitable[None]],
    restore: Callable[[], Awaitable[None]],
    *,
    up: float = 0.15,
    down: float = 0.4,
    tasks: int = 8,
) -> Run:
    """Runs the tasks over ``storage``, cutting after ``up`` seconds for ``down`` (at least)."""
    run = Run()
    # "up", "cutting" (while cut() runs), "down", "restoring" (while restore() runs), "back"
    state = "up"
    running = True

    async def loop(w: int) -> None:
        i = 0
        while running:
            store = i % 2 == 0  # even: store a new id; odd: load the id the step before stored
            sid = f"w{w}-{i if store else i - 1}"
            op = Op(sid, i, store, state, _ms())
            try:
                if store:
                    await storage.store_session(Session(sid, shop=SHOP, data={"w": w, "i": i}))
                else:
                    op.loaded = await storage.load_session(sid)
                op.ok = True
            except Exception as error:  # noqa: BLE001 - every failure is checked afterwards
                op.error = error
            op.ms = _ms() - op.started
            op.ended_in = state
            run.ops.append(op)
            if store and op.ok:
                run.acked[sid] = i
            await asyncio.sleep(0 if op.ok else 0.005)
            i += 1

    running_tasks = [asyncio.ensure_future(loop(w)) for w in range(tasks)]
    try:
        await asyncio.sleep(up)
        run.cut_at = _ms()
        state = "cutting"
        await cut()
        state = "down"
        await asyncio.sleep(down)
        state = "restoring"
        await restore()
        state = "back"
        # Recovered once one operation started after the restore succeeds; from then on, all must.
        deadline = _ms() + 10_000
        while not any(o.started_in == "back" and o.ok for o in run.ops):
            assert _ms() < deadline, "no operation has succeeded since the restore"
            await asyncio.sleep(0.05)
        first = next(o for o in run.ops if o.started_in == "back" and o.ok)
        run.recovered = first.started + first.ms
        await asyncio.sleep(0.2)
    finally:
        running = False
        await asyncio.gather(*running_tasks)
    return run


async def check(storage: Any, run: Run, timeout: float, driver_errors: tuple[type[BaseException], ...]) -> dict[str, Any]:
    """The assertions above; returns figures for the test's report."""
    ops = run.ops
    failures = [o for o in ops if not o.ok]
    assert all(o.ok for o in ops if o.ended_in == "up"), "no failure before the cut"
    assert failures, "the outage was seen"
    for o in failures:
        assert isinstance(o.error, CallbackFailedError), repr(o.error)
        assert o.error.code == "CALLBACK_FAILED"
        assert isinstance(o.error.__cause__, driver_errors), repr(o.error.__cause__)
    inside = [o for o in ops if o.started_in == "down" and o.ended_in == "down"]
    assert inside and not any(o.ok for o in inside), "every operation inside the outage failed"
    max_ms = max(o.ms for o in ops)
    assert max_ms < timeout * 1000 + 500, f"an operation hung: {max_ms:.0f} ms"
    after = [o for o in ops if o.started > run.recovered]
    assert after, "operations ran after the recovery"
    assert [str(o.error) for o in after if not o.ok] == [], "all succeed after the recovery"
    assert run.acked
    for o in ops:
        if not o.store and o.ok and o.id in run.acked:
            assert o.loaded is not None and o.loaded.data["i"] == o.i - 1, f"a load after the store of {o.id}"
    ids = list(run.acked)
    for at in range(0, len(ids), 64):
        batch = ids[at : at + 64]
        loaded = await asyncio.gather(*(storage.load_session(sid) for sid in batch))
        for sid, session in zip(batch, loaded):
            assert session is not None, f"the acknowledged store of {sid} is lost"
            assert session.data["i"] == run.acked[sid], sid
    return {
        "ops": len(ops),
        "failed": len(failures),
        "outage_ms": round(run.recovered - run.cut_at),
        "max_settle_ms": round(max_ms),
        "acknowledged": len(run.acked),
    }
