"""SessionManager over every storage the package ships, each rule as the app sees it: cookies
in, Set-Cookie out, storage calls counted. The clock is injected, so timeouts are exact."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from adapters.servers import REDIS_KINDS, Backend, open_database, open_redis
from helpers import embedded_storage, load_vectors
from sessionkeeper import (
    CustomSessionStorage,
    InvalidArgumentError,
    MemorySessionStorage,
    NotSupportedError,
    SessionManager,
    SessionStorageError,
    cookie_storage,
)

SECRET = "a-secret-of-at-least-thirty-two-bytes!!"
MIN = 60.0
T0 = datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp()
VECTORS = load_vectors("manager.json")


class Counting:
    """A storage wrapper counting writes and deletes, delegating everything else."""

    def __init__(self, storage: Any) -> None:
        self.storage = storage
        self.stores = 0
        self.deletes = 0

    async def store_session(self, session: Any) -> bool:
        self.stores += 1
        return bool(await self.storage.store_session(session))

    async def load_session(self, id: str) -> Any:
        return await self.storage.load_session(id)

    async def delete_session(self, id: str) -> bool:
        self.deletes += 1
        return bool(await self.storage.delete_session(id))


class Harness:
    """A manager on a movable clock; ``request(work)`` runs start → work → commit."""

    def __init__(self, storage: Any, **options: Any) -> None:
        self.now = T0
        self.manager = SessionManager(storage, secrets=[SECRET], clock=lambda: self.now, **options)
        self.cookie: str | None = None

    async def request(self, work: Callable[[Any], Any] = lambda s: None) -> tuple[Any, str | None]:
        s = await self.manager.start(self.cookie)
        work(s)
        set_cookie = await self.manager.commit(s)
        if set_cookie is not None:
            self.cookie = None if "Max-Age=0" in set_cookie else set_cookie.split(";")[0]
        return s, set_cookie


@pytest.fixture(params=["memory", "file", "custom", *REDIS_KINDS, "postgres"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    kind = request.param
    if kind in ("memory", "file", "custom"):
        yield embedded_storage(kind, tmp_path)
    elif kind == "postgres":
        async with open_database() as db:
            yield await Backend("postgres", db=db).storage()
    else:
        async with open_redis(kind, request) as server:
            yield await Backend(kind, redis=server).storage()


async def test_a_new_session_nobody_wrote_to_is_never_persisted(storage: Any) -> None:
    c = Counting(storage)
    s, set_cookie = await Harness(c).request()
    assert s.is_new and set_cookie is None and c.stores == 0


async def test_values_survive_and_unchanged_requests_write_nothing_until_touch_after(storage: Any) -> None:
    c = Counting(storage)
    h = Harness(c, idle_timeout=timedelta(minutes=30), touch_after=3 * MIN)

    def login(s: Any) -> None:
        s["user"] = "ada"
        s["cart"] = [1, 2]

    _, first = await h.request(login)
    assert first is not None and "Max-Age=1800" in first and "HttpOnly" in first
    for _ in range(10):
        h.now += 10
        s, set_cookie = await h.request()
        assert (s.is_new, dict(s), set_cookie) == (False, {"user": "ada", "cart": [1, 2]}, None)
    assert c.stores == 1, "10 unchanged requests inside touch_after: no writes"
    h.now = T0 + 3 * MIN
    s, touched = await h.request()
    assert c.stores == 2, "exactly one touch after it"
    assert touched is not None and "Max-Age=1800" in touched
    assert s.expires_at == datetime.fromtimestamp(T0 + 33 * MIN, tz=timezone.utc)
    _, changed = await h.request(lambda s: s.update(n=1))
    assert c.stores == 3 and changed is None


async def test_idle_and_absolute_timeouts_hold_together(storage: Any) -> None:
    options = dict(idle_timeout=30 * MIN, absolute_timeout=60 * MIN, touch_after=MIN)
    h = Harness(storage, **options)
    first, _ = await h.request(lambda s: s.update(a=1))
    h.now += 30 * MIN
    s, _ = await h.request()
    assert s.is_new and s.id != first.id, "idle for 30 minutes: gone"
    h2 = Harness(storage, **options)
    busy, _ = await h2.request(lambda s: s.update(a=1))
    for minute in range(10, 60, 10):
        h2.now = T0 + minute * MIN
        s, _ = await h2.request()
        assert s.id == busy.id, f"alive at minute {minute}"
    h2.now = T0 + 60 * MIN
    s, set_cookie = await h2.request()
    assert s.is_new, "kept busy, it still ends 60 minutes after creation"
    assert set_cookie is not None and set_cookie.startswith("sid=;") and "Max-Age=0" in set_cookie


async def test_bad_cookies_are_never_adopted(storage: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="sessionkeeper")
    h = Harness(storage)
    s, _ = await h.request(lambda s: s.update(secret="x"))
    good = h.cookie
    assert good is not None
    other = SessionManager(storage, secrets=["another-secret-of-at-least-32-bytes!!"])
    o = await other.start()
    o["a"] = 1
    forged = (await other.commit(o) or "").split(";")[0]
    bad = [
        good[:8] + ("B" if good[8] == "A" else "A") + good[9:],
        good[:-3],
        f"sid={s.id}",
        f"sid={s.id}.{'A' * 43}",
        forged,
        "sid=%zz; ;;=; sid",
        "sid=" + "x" * 5000,
    ]
    for cookie in bad:
        h.cookie = cookie
        fresh, _ = await h.request()
        assert fresh.is_new and fresh.id != s.id and "secret" not in fresh, cookie
    # Each refusal is one DEBUG line of the core's words; a session id never appears in them.
    elsewhere = SessionManager(MemorySessionStorage(), secrets=[SECRET])
    e = await elsewhere.start()
    e["a"] = 1
    h.cookie = (await elsewhere.commit(e) or "").split(";")[0]
    assert (await h.request())[0].is_new, "a signed id the storage does not hold"
    lines = [r.getMessage() for r in caplog.records if "cookie" in r.getMessage()]
    assert len(lines) == len(bad) + 1, lines
    assert all(line.startswith("session cookie refused, ") for line in lines), lines
    assert "holds no session under its id (id #" in lines[-1], lines[-1]
    assert not any(s.id in r.getMessage() or e.id in r.getMessage() for r in caplog.records)
    h.cookie = good
    again, _ = await h.request()
    assert again["secret"] == "x"


async def test_regenerate_moves_the_id_and_destroy_clears(storage: Any) -> None:
    h = Harness(storage)
    before, _ = await h.request(lambda s: s.update(cart=1))
    old = h.cookie

    def login(s: Any) -> None:
        s.regenerate()
        s["user"] = "ada"

    after, _ = await h.request(login)
    assert after.id != before.id
    assert await storage.load_session(before.id) is None
    kept = h.cookie
    h.cookie = old
    assert (await h.request())[0].is_new, "the old cookie is dead"
    h.cookie = kept
    s, set_cookie = await h.request(lambda s: s.destroy())
    assert set_cookie is not None and set_cookie.startswith("sid=;") and "Max-Age=0" in set_cookie
    assert await storage.load_session(s.id) is None
    dropped, _ = await h.request(lambda s: s.regenerate(keep_data=False))
    assert len(dropped) == 0


async def test_optimistic_commits_of_one_version_let_exactly_one_win(storage: Any) -> None:
    import asyncio

    if not callable(getattr(storage, "store_session_if_version", None)):
        with pytest.raises(NotSupportedError):
            Harness(storage, concurrency="optimistic")
        return
    h = Harness(storage, concurrency="optimistic")
    await h.request(lambda s: s.update(n=0))
    a = await h.manager.start(h.cookie)
    b = await h.manager.start(h.cookie)
    a["n"], b["n"] = 1, 2
    await h.manager.commit(a)
    with pytest.raises(SessionStorageError) as raised:
        await h.manager.commit(b)
    assert raised.value.code == "CONFLICT"
    assert (await h.request())[0]["n"] == 1, "the losing commit wrote nothing"
    racers = [await h.manager.start(h.cookie) for _ in range(4)]
    for i, r in enumerate(racers):
        r["n"] = 10 + i
    results = await asyncio.gather(*(h.manager.commit(r) for r in racers), return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(getattr(r, "code", None) == "CONFLICT" for r in results if isinstance(r, BaseException))


async def test_sweep_removes_sessions_past_their_deadline(storage: Any) -> None:
    import time

    from sessionkeeper.postgres import PostgresSessionStorage

    past = time.time() - 2 * 3600
    manager = SessionManager(storage, secrets=[SECRET], clock=lambda: past)
    s = await manager.start()
    s["a"] = 1
    await manager.commit(s)
    removed = await manager.sweep()
    if callable(getattr(storage, "sweep", None)) and not isinstance(storage, PostgresSessionStorage):
        assert removed >= 1
        assert await storage.load_session(s.id) is None
    else:
        assert isinstance(removed, int)


async def test_flash_values_are_read_once(storage: Any) -> None:
    h = Harness(storage)

    def set_flash(s: Any) -> None:
        s["u"] = 1
        s.flash("notice", "saved")

    await h.request(set_flash)
    taken: list[Any] = []
    await h.request(lambda s: taken.append(s.take_flash("notice")))
    await h.request(lambda s: taken.append(s.take_flash("notice")))
    assert taken == ["saved", None]


async def test_cookie_storage_seals_the_record() -> None:
    h = Harness(cookie_storage())
    _, set_cookie = await h.request(lambda s: s.update(user="ada"))
    assert set_cookie is not None and "ada" not in set_cookie
    s, _ = await h.request()
    assert not s.is_new and s["user"] == "ada"
    assert h.cookie is not None
    h.cookie = h.cookie[:-2] + ("BB" if h.cookie.endswith("AA") else "AA")
    assert (await h.request())[0].is_new
    big = await h.manager.start()
    big["blob"] = "x" * 4000
    with pytest.raises(SessionStorageError) as raised:
        await h.manager.commit(big)
    assert raised.value.code == "COOKIE_TOO_LARGE"


def _at(iso: str) -> Callable[[], float]:
    return lambda: datetime.fromisoformat(iso).timestamp()


async def test_vector_cookies_open_the_vector_record() -> None:
    storage = MemorySessionStorage()
    record = VECTORS["records"][0]
    await storage.store_session(json.loads(record["record"]))
    cases = [c for c in VECTORS["signed"] if c["cookieName"] == "sid"] + VECTORS["verified"]
    for c in cases:
        m = SessionManager(storage, secrets=c["secrets"], clock=_at("2030-01-01T00:05:00+00:00"))
        s = await m.start(f"sid={c['value']}")
        assert not s.is_new and s.id == VECTORS["id"], c["name"]
        assert dict(s) == record["values"] and s.take_flash("notice") == record["flash"]["notice"]
    for c in [c for c in VECTORS["refused"] if c["cookieName"] == "sid"]:
        m = SessionManager(storage, secrets=c["secrets"], clock=_at("2030-01-01T00:05:00+00:00"))
        assert (await m.start(f"sid={c['value']}")).is_new, c["name"]
    for c in VECTORS["sealed"]:
        m = SessionManager(cookie_storage(), secrets=c["secrets"], clock=_at("2030-01-01T00:05:00+00:00"))
        s = await m.start(f"sid={c['value']}")
        assert not s.is_new and dict(s) == record["values"], c["name"]
    for c in [c for c in VECTORS["sealedRefused"] if c["cookieName"] == "sid"]:
        m = SessionManager(cookie_storage(), secrets=c["secrets"], clock=_at("2030-01-01T00:05:00+00:00"))
        assert (await m.start(f"sid={c['value']}")).is_new, c["name"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(secrets=["short"]), "secrets[0] must be at least 32 bytes, got 5"),
        (dict(secrets=[SECRET], idle_timeout=-1), "idle_timeout must be between 0 and 400 days in seconds"),
        (dict(secrets=[SECRET], cookie={"name": "__Host-sid", "domain": "a.com"}), "cookie.domain must be unset"),
        (dict(secrets=[SECRET], cookie={"name": "__Host-sid", "secure": False}), "cookie.secure must be true"),
        (dict(secrets=[SECRET], touch_after=timedelta(minutes=31)), "touch_after must be shorter than idle_timeout"),
        (dict(secrets=[SECRET], cookie={"httpOnly": True}), 'unknown option cookie."httpOnly"'),
        (dict(secrets=[SECRET], concurrency="last-write-wins"), '"last_write_wins"'),
        (dict(secrets=[SECRET], clock=5), "clock must be a function"),
    ],
)
def test_bad_options_are_named(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgumentError) as raised:
        SessionManager(MemorySessionStorage(), **options)
    assert message in str(raised.value)


def test_optimistic_needs_a_storage_that_can_compare() -> None:
    async def store(s: Any) -> bool:
        return True

    async def load(i: str) -> None:
        return None

    custom = CustomSessionStorage(store, load, store)
    with pytest.raises(NotSupportedError):
        SessionManager(custom, secrets=[SECRET], concurrency="optimistic")
    with pytest.raises(InvalidArgumentError):
        SessionManager(object(), secrets=[SECRET])


async def test_a_malformed_cookie_header_never_raises() -> None:
    m = SessionManager(MemorySessionStorage(), secrets=[SECRET])
    for header in ["", ";", "sid", "sid=", "=;=;", "\x00", "sid=a.b.c", 'sid="x', "a" * 100_000]:
        assert (await m.start(header)).is_new
    assert (await m.start({"cookie": "sid=y"})).is_new


async def test_values_that_are_not_json_data_are_refused_at_commit() -> None:
    m = SessionManager(MemorySessionStorage(), secrets=[SECRET])
    s = await m.start()
    s["when"] = datetime.now()
    with pytest.raises(InvalidArgumentError, match="session values must be JSON data"):
        await m.commit(s)
    t = await m.start()
    t["__sessionkeeper"] = 1
    with pytest.raises(InvalidArgumentError, match="reserved"):
        await m.commit(t)
    u = await m.start()
    u["n"] = float("nan")
    with pytest.raises(InvalidArgumentError):
        await m.commit(u)




def test_the_manager_example_keeps_a_session_across_two_requests() -> None:
    import subprocess
    import sys

    examples = Path(__file__).resolve().parents[2] / "examples"
    done = subprocess.run([sys.executable, "manager.py"], cwd=examples, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "visit 1 (new session) cookie: sid=…\nvisit 2\n"


async def test_start_sweeping_sweeps_in_a_task_of_the_loop() -> None:
    import asyncio
    import time

    storage = MemorySessionStorage()
    past = time.time() - 2 * 3600
    manager = SessionManager(storage, secrets=[SECRET], clock=lambda: past)
    s = await manager.start()
    s["a"] = 1
    await manager.commit(s)
    task = manager.start_sweeping(1)
    try:
        for _ in range(50):
            if await storage.load_session(s.id) is None:
                break
            await asyncio.sleep(0.1)
        assert await storage.load_session(s.id) is None
    finally:
        task.cancel()
    with pytest.raises(InvalidArgumentError):
        manager.start_sweeping(0.01)


async def test_a_custom_storage_opts_in_to_optimistic_with_store_if_version() -> None:
    stored: dict[str, str] = {}

    def version(id: str) -> int:
        return int(json.loads(stored[id])["data"]["__sessionkeeper"]["version"]) if id in stored else 0

    async def store(s: Any) -> bool:
        stored[s.id] = s.to_json()
        return True

    async def load(id: str) -> str | None:
        return stored.get(id)

    async def delete(id: str) -> bool:
        stored.pop(id, None)
        return True

    async def store_if_version(s: Any, expected: int) -> bool:
        if version(s.id) != expected:
            return False
        stored[s.id] = s.to_json()
        return True

    storage = CustomSessionStorage(store, load, delete, store_if_version=store_if_version)
    await test_optimistic_commits_of_one_version_let_exactly_one_win(storage)
    wrong = CustomSessionStorage(store, load, delete, store_if_version=lambda s, v: "yes")
    m = SessionManager(wrong, secrets=[SECRET], concurrency="optimistic")
    s = await m.start()
    s["a"] = 1
    with pytest.raises(SessionStorageError) as raised:
        await m.commit(s)
    assert raised.value.code == "INVALID_CALLBACK_RESULT"


async def test_every_store_session_if_version_refuses_a_version_out_of_range(tmp_path: Path) -> None:
    async def ok(*_: Any) -> bool:
        return True

    async def none(_: str) -> None:
        return None

    custom = CustomSessionStorage(ok, none, ok, store_if_version=ok)
    for storage in [MemorySessionStorage(), embedded_storage("file", tmp_path), custom]:
        for bad in [-1, 1.5, 2**32, "1", True]:
            with pytest.raises(InvalidArgumentError, match="expected_version must be an int from 0 to 4294967295"):
                await storage.store_session_if_version({"id": "v"}, bad)


async def test_the_embedded_memory_storage_is_read_in_place_a_subclass_through_load_session() -> None:
    loads: list[str] = []

    class Watched(MemorySessionStorage):
        async def load_session(self, id: str) -> Any:
            loads.append(id)
            return await super().load_session(id)

    for storage, via_load_session in ((MemorySessionStorage(), False), (Watched(), True)):
        loads.clear()
        manager = SessionManager(storage, secrets=[SECRET])
        s = await manager.start()
        s["user"] = "ada"
        cookie = (await manager.commit(s) or "").split(";")[0]
        again = await manager.start(cookie)
        assert not again.is_new and again["user"] == "ada"
        assert loads == ([s.id] if via_load_session else []), type(storage).__name__
        # Untouched values commit as loaded; a nested change made through [] is still a change.
        assert await manager.commit(again) is None
        third = await manager.start(cookie)
        third["cart"] = {"items": []}
        await manager.commit(third)
        fourth = await manager.start(cookie)
        fourth["cart"]["items"].append(1)
        await manager.commit(fourth)
        assert (await manager.start(cookie))["cart"] == {"items": [1]}
