"""What the adapters tell an operator: a pool-exhausted Redis client fails with the fix in the
message (and the README's BlockingConnectionPool setup carries the same burst), stale index
entries, stored values a find skips and schema creation are logged to ``sessionkeeper`` - never
ids, shops or tokens."""

from __future__ import annotations

import asyncio
import logging

import pytest

from adapters.servers import Database, RedisServer
from sessionkeeper import CallbackFailedError, Session
from sessionkeeper.postgres import postgres_session_storage
from sessionkeeper.redis import redis_session_storage

BURST = 200


async def test_an_exhausted_default_pool_says_what_to_do(single_redis: RedisServer) -> None:
    import redis.asyncio as redis
    from redis.exceptions import ConnectionError as RedisConnectionError

    client = redis.Redis.from_url(single_redis.url, max_connections=4)  # redis-py's default pool
    single_redis.clients.append(client)
    storage = redis_session_storage(client, key_prefix=single_redis.prefix)
    outcomes = await asyncio.gather(*(storage.load_session(f"s{i}") for i in range(BURST)), return_exceptions=True)
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    assert failures, "the default pool fails commands beyond max_connections"
    for failure in failures:
        assert isinstance(failure, CallbackFailedError)
        assert "BlockingConnectionPool" in str(failure), str(failure)
        assert isinstance(failure.__cause__, RedisConnectionError)


async def test_a_blocking_pool_carries_the_same_burst(single_redis: RedisServer) -> None:
    import redis.asyncio as redis

    pool = redis.BlockingConnectionPool.from_url(single_redis.url, max_connections=4, timeout=None)
    client = redis.Redis.from_pool(pool)
    single_redis.clients.append(client)
    storage = redis_session_storage(client, key_prefix=single_redis.prefix)
    assert await storage.store_session(Session("s0")) is True
    loaded = await asyncio.gather(*(storage.load_session(f"s{i}") for i in range(BURST)))
    assert [s.id if s else None for s in loaded] == ["s0"] + [None] * (BURST - 1)


async def test_stale_index_entries_are_logged_as_a_count(
    single_redis: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = single_redis.client()
    storage = redis_session_storage(client, key_prefix=single_redis.prefix)
    session = Session("stale-secret-id", shop="logged.myshopify.com", access_token="shpat_x")
    assert await storage.store_session(session) is True
    await client.delete(storage.key(session.id))  # the key went (expired), its index entry stayed
    with caplog.at_level(logging.INFO, logger="sessionkeeper"):
        assert await storage.find_sessions_by_shop("logged.myshopify.com") == []
    messages = [r.getMessage() for r in caplog.records if r.name == "sessionkeeper"]
    assert messages == ["redis: dropped 1 stale shop-index entries (sessions expired or deleted)"]
    assert not any("secret" in m or "logged.myshopify" in m or "shpat" in m for m in messages)


async def test_values_a_find_skips_are_logged_as_a_count(
    single_redis: RedisServer, database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    client = single_redis.client()
    redis_storage = redis_session_storage(client, key_prefix=single_redis.prefix)
    pool = await database.pool()
    postgres_storage = postgres_session_storage(pool, table=database.table)
    for storage in [redis_storage, postgres_storage]:
        assert await storage.store_session(Session("broken-secret-id", shop="logged.myshopify.com")) is True
    await client.set(redis_storage.key("broken-secret-id"), '{"id":"broken-secret-id","accessToken":5}')
    await pool.execute(f"""UPDATE {database.table} SET session = '{{"id":"broken-secret-id","accessToken":5}}'""")
    with caplog.at_level(logging.INFO, logger="sessionkeeper"):
        for storage in [redis_storage, postgres_storage]:
            assert await storage.find_sessions_by_shop("logged.myshopify.com") == []
    messages = [r.getMessage() for r in caplog.records if r.name == "sessionkeeper" and r.levelno == logging.WARNING]
    assert messages == [
        f"{kind}: skipped 1 stored values that are not sessions (loading their ids names the problem)"
        for kind in ["redis", "postgres"]
    ]


async def test_schema_creation_is_logged_once(database: Database, caplog: pytest.LogCaptureFixture) -> None:
    storage = postgres_session_storage(await database.pool(), table=database.table)
    with caplog.at_level(logging.INFO, logger="sessionkeeper"):
        await storage.store_session(Session("a"))
        await storage.load_session("a")
    messages = [r.getMessage() for r in caplog.records if r.name == "sessionkeeper"]
    assert messages == [f"postgres: table {database.table} ready (created if it was missing)"]
