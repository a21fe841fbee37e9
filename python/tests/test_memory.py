"""MemorySessionStorage beyond the battery: the opt-in sweep, and copies after the core keeps
canonical JSON (every load parses a new Session)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sessionkeeper import MemorySessionStorage, Session


async def test_sweep_of_1000_expired_among_20000_returns_1000() -> None:
    storage = MemorySessionStorage()
    now = datetime.now(timezone.utc)
    past, future = now - timedelta(minutes=1), now + timedelta(hours=1)
    for i in range(20_000):
        await storage.store_session(
            {"id": f"s{i}", "shop": f"shop{i % 7}.myshopify.com", "expires": past if i % 20 == 0 else future}
        )
    assert storage.sweep() == 1000
    assert len(storage) == 19_000
    assert await storage.load_session("s0") is None
    loaded = await storage.load_session("s1")
    assert loaded is not None and loaded.id == "s1"
    assert storage.sweep() == 0


async def test_loads_are_copies_and_changes_are_validated() -> None:
    storage = MemorySessionStorage()
    await storage.store_session(Session(id="a", shop="x.myshopify.com", data={"n": 1}))
    loaded = await storage.load_session("a")
    assert loaded is not None
    loaded.state = "changed"
    again = await storage.load_session("a")
    assert again is not None and again.state == ""
    await storage.store_session(loaded)
    stored = await storage.load_session("a")
    assert stored is not None and stored.state == "changed" and stored.data == {"n": 1}
    assert [s.id for s in await storage.find_sessions_by_shop("x.myshopify.com")] == ["a"]
