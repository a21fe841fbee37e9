"""The read-through cache (ARCHITECTURE.md, "Cache"): tests/vectors/cache.json through the
native cache (also read by the Rust and Node suites), then CustomSessionStorage with
``cache=SessionCache(...)``: single-flight, bounds, lifetimes, invalidation, copies, a failing
cache."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from collections.abc import Callable
from typing import Any

import pytest

from helpers import load_vectors
from sessionkeeper import ConflictError, CustomSessionStorage, InvalidArgumentError, Session, SessionCache
from sessionkeeper import _native

VECTORS = load_vectors("cache.json")


def _seconds(ms: Any) -> float | None:
    return None if ms is None else ms / 1000


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_cache_vector(case: dict[str, Any]) -> None:
    c = case["config"]
    cache = _native.SessionCache(c.get("maxEntries"), c.get("maxBytes"), _seconds(c.get("maxStalenessMs")))
    tickets: dict[str, int] = {}
    for i, step in enumerate(case["steps"]):
        if "admit" in step:
            ticket = tickets[step["ticket"]] if "ticket" in step else cache.ticket()
            session = Session.from_json(json.dumps(step["admit"]))
            assert cache.admit(step["admit"]["id"], session, ticket, step["at"]) == step["expect"], i
        elif "get" in step:
            assert (cache.get(step["get"], step["at"]) is not None) == step["expect"], i
        elif "invalidate" in step:
            cache.invalidate(step["invalidate"])
        elif "begin" in step:
            tickets[step["begin"]] = cache.ticket()
        elif "size" in step:
            assert {"entries": cache.entries, "bytes": cache.bytes} == step["size"], i
        else:
            raise AssertionError(f"unknown step {step}")


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["pythonField"])
def test_options_refused_by_the_core(case: dict[str, Any]) -> None:
    o = case["options"]
    kwargs = {
        "max_entries": o.get("maxEntries"),
        "max_bytes": o.get("maxBytes"),
        "max_staleness": _seconds(o.get("maxStalenessMs")),
    }
    with pytest.raises(InvalidArgumentError, match=case["pythonField"]):
        SessionCache(**kwargs)


@pytest.mark.parametrize(
    "kwargs", [{"max_entries": "10"}, {"max_entries": True}, {"max_bytes": 1.0}, {"max_staleness": "1"}]
)
def test_options_of_the_wrong_type(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidArgumentError, match=next(iter(kwargs))):
        SessionCache(**kwargs)


def test_cache_must_be_a_session_cache() -> None:
    with pytest.raises(InvalidArgumentError, match="cache must be a SessionCache"):
        CustomSessionStorage(lambda s: True, lambda i: None, lambda i: True, cache={"max_entries": 1})  # type: ignore[arg-type]


def test_max_staleness_takes_a_timedelta() -> None:
    assert SessionCache(max_staleness=timedelta(milliseconds=250)).max_staleness == 0.25


class Counted:
    """A storage over a dict counting its load calls; ``gate`` holds loads until set."""

    def __init__(self, cache: SessionCache, hold: bool = False) -> None:
        self.db: dict[str, str] = {}
        self.loads = 0
        self.gate = asyncio.Event()
        if not hold:
            self.gate.set()

        async def store(s: Session) -> bool:
            self.db[s.id] = s.to_json()
            return True

        async def load(id: str) -> str | None:
            self.loads += 1
            text = self.db.get(id)
            await self.gate.wait()
            return text

        async def delete(id: str) -> bool:
            self.db.pop(id, None)
            return True

        async def delete_many(ids: list[str]) -> bool:
            for id in ids:
                self.db.pop(id, None)
            return True

        self.storage = CustomSessionStorage(
            store, load, delete, delete_sessions=delete_many, store_if_version=lambda s, v: False, cache=cache
        )


def session(id: str, **extra: Any) -> Session:
    return Session(id, shop="s.myshopify.com", access_token="tok", **extra)


async def test_1000_concurrent_loads_one_callback_each_caller_its_own_session() -> None:
    c = Counted(SessionCache(), hold=True)
    await c.storage.store_session(session("a"))
    loads = [asyncio.ensure_future(c.storage.load_session("a")) for _ in range(1000)]
    await asyncio.sleep(0)
    c.gate.set()
    found = await asyncio.gather(*loads)
    assert c.loads == 1
    assert len({id(s) for s in found}) == 1000
    assert all(s is not None and s == session("a") for s in found)
    await c.storage.load_session("a")
    assert c.loads == 1, "the next load is a hit"


async def test_a_missing_id_is_shared_in_flight_and_not_cached() -> None:
    c = Counted(SessionCache())
    assert await asyncio.gather(c.storage.load_session("x"), c.storage.load_session("x")) == [None, None]
    assert c.loads == 1
    await c.storage.load_session("x")
    assert c.loads == 2


async def test_hits_are_copies() -> None:
    c = Counted(SessionCache())
    await c.storage.store_session(session("a", data={"n": 1}))
    first = await c.storage.load_session("a")
    assert first is not None and first.data is not None
    first.access_token = "changed"
    first.data["n"] = 2
    again = await c.storage.load_session("a")
    assert again is not None
    assert again.access_token == "tok" and again.data == {"n": 1}


async def test_lru_by_entries() -> None:
    c = Counted(SessionCache(max_entries=2))
    for id in "abc":
        await c.storage.store_session(session(id))
    for id in "abac":
        await c.storage.load_session(id)
    assert c.loads == 3
    await c.storage.load_session("a")
    assert c.loads == 3, "a was used more recently than b"
    await c.storage.load_session("b")
    assert c.loads == 4, "b was evicted"


async def test_a_session_larger_than_max_bytes_is_never_held() -> None:
    c = Counted(SessionCache(max_bytes=200))
    await c.storage.store_session(session("big", data={"blob": "x" * 300}))
    await c.storage.load_session("big")
    await c.storage.load_session("big")
    assert c.loads == 2


async def test_own_writes_and_a_conflict_drop_the_entry() -> None:
    c = Counted(SessionCache())
    s = c.storage
    await s.store_session(session("a"))

    async def conflict() -> None:
        with pytest.raises(ConflictError):
            await s.store_session_if_version(session("a"), 3)

    async def delete_then_store() -> None:
        await s.delete_session("a")
        await s.store_session(session("a"))

    async def delete_many_then_store() -> None:
        await s.delete_sessions(["a", "b"])
        await s.store_session(session("a"))

    async def store() -> None:
        await s.store_session(session("a", state="new"))

    await s.load_session("a")
    expected = 1
    for write in (store, delete_then_store, delete_many_then_store, conflict):
        await s.load_session("a")
        assert c.loads == expected, "a hit"
        await write()
        await s.load_session("a")
        expected += 1
        assert c.loads == expected, f"{write.__name__} dropped it"


async def until(condition: Callable[[], bool]) -> None:
    """Lets other tasks run until ``condition`` holds (a bounded number of turns)."""
    for _ in range(100):
        if condition():
            return
        await asyncio.sleep(0)


async def test_a_store_landing_while_a_load_is_out() -> None:
    c = Counted(SessionCache(), hold=True)
    await c.storage.store_session(session("a"))
    old = asyncio.ensure_future(c.storage.load_session("a"))
    await until(lambda: c.loads == 1)  # the load callback has read the old value and waits
    await c.storage.store_session(session("a", state="new"))
    after = asyncio.ensure_future(c.storage.load_session("a"))
    await until(lambda: c.loads == 2)
    c.gate.set()
    assert (await old).state == ""  # type: ignore[union-attr]
    assert (await after).state == "new", "a load started after the store sees it"  # type: ignore[union-attr]
    assert c.loads == 2
    assert (await c.storage.load_session("a")).state == "new"  # type: ignore[union-attr]
    assert c.loads == 2, "the old load was not admitted, the later one was"


async def test_lifetime_max_staleness_and_session_deadline() -> None:
    c = Counted(SessionCache(max_staleness=0.03))
    await c.storage.store_session(session("a"))
    await c.storage.load_session("a")
    await asyncio.sleep(0.06)
    await c.storage.load_session("a")
    assert c.loads == 2, "reloaded after max_staleness"

    long = Counted(SessionCache(max_staleness=3600))
    expires = datetime.now(timezone.utc) + timedelta(milliseconds=50)
    await long.storage.store_session(session("e", expires=expires))
    await long.storage.load_session("e")
    await asyncio.sleep(0.1)
    await long.storage.load_session("e")
    assert long.loads == 2, "reloaded once the session expired"
    await long.storage.load_session("e")
    assert long.loads == 3, "an expired session is not held"


class Broken:
    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any) -> Any:
            raise RuntimeError("cache broken")

        return fail


async def test_a_failing_cache_falls_through() -> None:
    c = Counted(SessionCache())
    await c.storage.store_session(session("a"))
    c.storage._cache._cache = Broken()  # type: ignore[union-attr]
    assert await c.storage.load_session("a") == session("a")
    assert await c.storage.store_session(session("a", state="s"))
    assert (await c.storage.load_session("a")).state == "s"  # type: ignore[union-attr]
    assert c.loads == 2


async def test_session_manager_over_a_cached_storage() -> None:
    from sessionkeeper import SessionManager

    c = Counted(SessionCache())
    manager = SessionManager(c.storage, secrets=["a-secret-of-at-least-32-bytes-long!!"])
    first = await manager.start(None)
    first["visits"] = 1
    cookie = (await manager.commit(first) or "").split(";")[0]
    for _ in range(3):
        s = await manager.start(cookie)
        assert s["visits"] == 1
        await manager.commit(s)
    assert c.loads == 1, "one load, then hits"
    s = await manager.start(cookie)
    s["visits"] = 2
    await manager.commit(s)
    assert (await manager.start(cookie))["visits"] == 2
    assert c.loads == 2, "the commit dropped the entry"
