"""The Redis store (redis_store.py, redis.asyncio) against the real server: what it writes is
the canonical JSON a Node app writes, bad data in Redis is caught, a dead server is
CALLBACK_FAILED with the driver's error as cause. The battery runs on it in test_battery.py."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from redis_store import redis_session_storage
from sessionkeeper import CallbackFailedError, InvalidSessionError, Session


async def test_redis_holds_canonical_json(redis_client: Any, redis_prefix: str) -> None:
    storage = redis_session_storage(redis_client, redis_prefix)
    session = Session("offline_r.myshopify.com", shop="r.myshopify.com", access_token="t", data={"n": 1.0})
    assert await storage.store_session(session) is True
    raw = await redis_client.get(f"{redis_prefix}session:{session.id}")
    assert raw.decode() == session.to_json()
    assert json.loads(raw)["data"] == {"n": 1}


async def test_bad_data_in_redis_is_invalid_session(redis_client: Any, redis_prefix: str) -> None:
    storage = redis_session_storage(redis_client, redis_prefix)
    await redis_client.set(f"{redis_prefix}session:corrupt", '{"id":"corrupt","expires":"soon"}')
    await redis_client.set(f"{redis_prefix}session:swapped", Session("other").to_json())
    with pytest.raises(InvalidSessionError, match="expires"):
        await storage.load_session("corrupt")
    with pytest.raises(InvalidSessionError, match='id "other" for id "swapped"'):
        await storage.load_session("swapped")


async def test_concurrent_stores_across_shops_are_all_found(redis_client: Any, redis_prefix: str) -> None:
    storage = redis_session_storage(redis_client, redis_prefix)
    sessions = [Session(f"c{i}", shop=f"shop{i % 5}.myshopify.com") for i in range(200)]
    assert all(await asyncio.gather(*(storage.store_session(s) for s in sessions)))
    for n in range(5):
        found = await storage.find_sessions_by_shop(f"shop{n}.myshopify.com")
        assert sorted(s.id for s in found) == sorted(s.id for s in sessions if s.shop == f"shop{n}.myshopify.com")


async def test_an_unreachable_server_is_callback_failed_with_the_drivers_error() -> None:
    import redis.asyncio as redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    # No retries: the driver's default backs off for seconds before giving up.
    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0))
    try:
        storage = redis_session_storage(dead, "unused:")
        with pytest.raises(CallbackFailedError) as info:
            await storage.load_session("x")
        assert isinstance(info.value.__cause__, RedisConnectionError)
        assert 'failed to load session "x"' in str(info.value)
    finally:
        await dead.aclose()
