"""The soak workload (issue 12), Python side: the mirror of js/soak/workload.js. Mixed
store/load/delete/find operations against a storage, each outcome checked against a model of
what the storage must hold; a custom storage's callbacks also raise or hang past its timeout on
chosen ids, and some calls carry invalid arguments. Used by `make soak` (soak/run.py, 1,000,000
operations, RSS curve) and by tests/test_soak.py (10,000 operations in `make test`).
"""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any, Awaitable, Callable

from sessionkeeper import CustomSessionStorage, MemorySessionStorage, Session, SessionStorageError

IDS = 2000
SHOPS = 8
# Mutations and loads run this many at a time on distinct ids; finds run after them, so every
# outcome has one right answer.
BATCH = 60
FINDS = 4
TIMEOUT = 0.005


def shop_of(n: int) -> str:
    return f"soak-{n % SHOPS}.myshopify.com"


def custom_storage(faults: dict[str, str]) -> CustomSessionStorage:
    db: dict[str, str] = {}
    shops: dict[str, set[str]] = {}

    async def fault(sid: str) -> None:
        kind = faults.get(sid)
        if kind == "throw":
            raise RuntimeError(f"injected failure for {sid}")
        if kind == "hang":
            await asyncio.Event().wait()

    async def store(s: Session) -> bool:
        await fault(s.id)
        db[s.id] = s.to_json()
        shops.setdefault(s.shop, set()).add(s.id)
        return True

    async def load(sid: str) -> str | None:
        await fault(sid)
        return db.get(sid)

    async def delete(sid: str) -> bool:
        await fault(sid)
        text = db.pop(sid, None)
        if text is not None:
            shops[json.loads(text)["shop"]].discard(sid)
        return True

    async def find(shop: str) -> list[str]:
        return [db[i] for i in shops.get(shop, ())]

    return CustomSessionStorage(store, load, delete, find_sessions_by_shop=find, timeout=TIMEOUT)


async def expect_code(run: Awaitable[Any], code: str) -> None:
    try:
        await run
    except SessionStorageError as e:
        assert e.code == code, f"{e.code}: {e}"
    else:
        raise AssertionError(f"expected {code}")


async def soak(kind: str, ops: int, seed: int = 1, every: int = 10_000, sample: Callable[[int], None] = lambda done: None) -> dict[str, int]:
    """Runs `ops` operations against a fresh storage of `kind` ('memory' | 'custom'); calls
    `sample(done)` every `every` operations. Returns counts of each outcome."""
    rng = random.Random(seed)
    faults: dict[str, str] = {}
    storage: Any = custom_storage(faults) if kind == "custom" else MemorySessionStorage()
    model: dict[str, int] = {}
    counts = dict.fromkeys(["store", "load", "delete", "find", "invalid", "throw", "hang"], 0)
    done = 0
    next_sample = every

    async def check(run: Awaitable[Any], want: Callable[[Any], bool], what: str) -> None:
        got = await run
        assert want(got), f"{what}: {got!r}"

    while done < ops:
        start = rng.randrange(IDS)
        size = min(BATCH, ops - done)
        faults.clear()
        pending: list[Awaitable[None]] = []
        for k in range(size):
            n = (start + k) % IDS
            sid = f"soak-{n}"
            r = rng.random()
            f = rng.random() if kind == "custom" else 1.0
            fault = "hang" if f < 0.002 else "throw" if f < 0.02 else None
            if fault:
                faults[sid] = fault
            if r < 0.02:
                counts["invalid"] += 1
                pending.append(expect_code(storage.load_session(""), "INVALID_ARGUMENT"))
                continue
            op = "store" if r < 0.4 else "load" if r < 0.8 else "delete"
            counts[fault or op] += 1
            if op == "store":
                run = storage.store_session(Session(sid, shop=shop_of(n), access_token="t", data={"n": n, "at": done + k}))
            elif op == "load":
                run = storage.load_session(sid)
            else:
                run = storage.delete_session(sid)
            if fault:
                pending.append(expect_code(run, "CALLBACK_TIMEOUT" if fault == "hang" else "CALLBACK_FAILED"))
            elif op == "store":
                model[sid] = done + k
                pending.append(check(run, lambda ok: ok is True, sid))
            elif op == "load":
                at = model.get(sid)
                pending.append(check(run, lambda s, at=at: (s.data["at"] if s else None) == at, sid))
            else:
                model.pop(sid, None)
                pending.append(check(run, lambda ok: ok is True, sid))
        await asyncio.gather(*pending)
        faults.clear()
        finds = []
        for _ in range(FINDS):
            shop = shop_of(rng.randrange(SHOPS))
            want = sorted(i for i in model if shop_of(int(i[5:])) == shop)
            finds.append(check(storage.find_sessions_by_shop(shop), lambda found, want=want: sorted(s.id for s in found) == want, shop))
        counts["find"] += FINDS
        await asyncio.gather(*finds)
        done += size + FINDS
        if done >= next_sample:
            sample(done)
            next_sample += every
    await storage.close()
    return counts
