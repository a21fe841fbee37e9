"""One storage made from a URL or DSN used across several ``asyncio.run`` calls, as a script
or a test suite does: each loop gets its own client or pool, closed when that loop shuts down
(no connection of ours outlives its ``asyncio.run``), ``close()`` works on any loop, and an
operation that raises before reaching the server leaves nothing written - including a store
through a server that hangs, which times out with nothing written. The plain functions here
run their own loops on purpose: no test fixture loop in the way."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

import pytest

from adapters.proxy import TcpProxy
from adapters.servers import DATABASE_URL, REDIS_URL, unavailable
from sessionkeeper import CallbackTimeoutError, InvalidArgumentError, Session
from sessionkeeper.postgres import postgres_session_storage
from sessionkeeper.redis import redis_session_storage

T = TypeVar("T")
SESSION = Session("loops", shop="loops.myshopify.com", access_token="tok")


def _run(make: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(make())  # type: ignore[arg-type]


async def _redis_connections(name: str) -> int:
    import redis.asyncio as redis

    async with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as observer:
        return sum(1 for c in await observer.client_list() if c.get("name") == name)


async def _pg(query: str, *args: Any) -> Any:
    import asyncpg  # type: ignore[import-untyped]

    connection = await asyncpg.connect(DATABASE_URL, timeout=5)
    try:
        return await connection.fetchval(query, *args)
    finally:
        await connection.close()


@pytest.fixture
def redis_name() -> Iterator[tuple[str, str]]:
    """A client name (to count our connections) and a key prefix, both unique to the test."""
    name, prefix = f"sk-loops-{uuid.uuid4().hex[:12]}", f"sk-pytest:{uuid.uuid4().hex}:"
    try:
        _run(lambda: _redis_connections(name))
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        unavailable(f"Redis at {REDIS_URL}", error)
    yield name, prefix

    async def clean() -> None:
        import redis.asyncio as redis

        async with redis.Redis.from_url(REDIS_URL) as client:
            for key in [k async for k in client.scan_iter(match=prefix + "*")]:
                await client.delete(key)

    _run(clean)


@pytest.fixture
def pg_names() -> Iterator[tuple[str, str]]:
    """An application_name (to count our connections) and a table, both unique to the test."""
    name, table = f"sk_loops_{uuid.uuid4().hex[:12]}", f"sk_pytest_{uuid.uuid4().hex[:16]}"
    try:
        _run(lambda: _pg("SELECT 1"))
    except Exception as error:  # noqa: BLE001
        unavailable(f"PostgreSQL at {DATABASE_URL}", error)
    yield name, table
    _run(lambda: _pg(f"DROP TABLE IF EXISTS {table}"))


def _dsn(name: str) -> str:
    return f"{DATABASE_URL}{'&' if '?' in DATABASE_URL else '?'}application_name={name}"


def _pg_connections(name: str) -> int:
    count: int = _run(lambda: _pg("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", name))
    return count


def test_a_redis_url_storage_works_across_asyncio_runs(redis_name: tuple[str, str]) -> None:
    name, prefix = redis_name
    storage = redis_session_storage(f"{REDIS_URL}?client_name={name}", key_prefix=prefix)
    assert _run(lambda: storage.store_session(SESSION)) is True
    assert _run(lambda: _redis_connections(name)) == 0, "the first loop's client closed with it"
    assert _run(lambda: storage.load_session(SESSION.id)) == SESSION
    assert [s.id for s in _run(lambda: storage.find_sessions_by_shop(SESSION.shop))] == [SESSION.id]

    async def concurrently() -> list[Any]:
        return await asyncio.gather(*(storage.load_session(SESSION.id) for _ in range(50)))

    assert _run(concurrently) == [SESSION] * 50
    assert _run(lambda: storage.delete_session(SESSION.id)) is True
    assert _run(lambda: storage.load_session(SESSION.id)) is None
    assert _run(storage.close) is None, "close() on a new loop, after the others ended"
    assert _run(lambda: _redis_connections(name)) == 0


def test_a_postgres_dsn_storage_works_across_asyncio_runs(pg_names: tuple[str, str]) -> None:
    name, table = pg_names
    storage = postgres_session_storage(_dsn(name), table=table)
    assert _run(lambda: storage.store_session(SESSION)) is True
    assert _pg_connections(name) == 0, "the first loop's pool closed with it"
    assert _run(lambda: storage.load_session(SESSION.id)) == SESSION

    async def concurrently() -> list[Any]:
        return await asyncio.gather(*(storage.load_session(SESSION.id) for _ in range(30)))

    assert _run(concurrently) == [SESSION] * 30
    assert [s.id for s in _run(lambda: storage.find_sessions_by_shop(SESSION.shop))] == [SESSION.id]
    assert _run(lambda: storage.delete_sessions([SESSION.id])) is True
    assert _run(lambda: storage.load_session(SESSION.id)) is None
    assert _run(storage.close) is None
    assert _pg_connections(name) == 0


def test_async_with_closes_what_the_storage_opened(redis_name: tuple[str, str], pg_names: tuple[str, str]) -> None:
    async def use(make: Callable[[], Any], count: Callable[[], Awaitable[int]]) -> int:
        async with make() as storage:
            assert await storage.store_session(SESSION) is True
            assert await count() == 1, "open inside the block"
        return await count()

    name, prefix = redis_name
    url = f"{REDIS_URL}?client_name={name}"
    assert _run(lambda: use(lambda: redis_session_storage(url, key_prefix=prefix), lambda: _redis_connections(name))) == 0
    pg_name, table = pg_names

    async def pg_count() -> int:
        count: int = await _pg("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", pg_name)
        return count

    assert _run(lambda: use(lambda: postgres_session_storage(_dsn(pg_name), table=table), pg_count)) == 0


def test_bad_input_is_refused_before_anything_is_sent(redis_name: tuple[str, str], pg_names: tuple[str, str]) -> None:
    name, prefix = redis_name
    pg_name, table = pg_names
    redis_storage = redis_session_storage(REDIS_URL, key_prefix=prefix)
    pg_storage = postgres_session_storage(DATABASE_URL, table=table)
    for storage in (redis_storage, pg_storage):
        for bad in [{"id": "bad\ud800"}, {"id": "bad", "is_online": "yes"}, {"id": "bad", "access_token": 5}]:
            with pytest.raises(InvalidArgumentError):
                _run(lambda: storage.store_session(bad))
        assert _run(lambda: storage.store_session({"id": "good"})) is True
        assert _run(lambda: storage.load_session("bad")) is None, "nothing was written"
        _run(storage.close)


def _hung_store(make: Callable[[int], Any]) -> None:
    """A store through a proxy that accepts and never forwards, timed out or cancelled: the
    session was not written (the command never reached the server)."""

    async def attempt() -> None:
        proxy = TcpProxy(*make(-1))
        await proxy.open(hang=True)
        storage = make(proxy.port)
        try:
            with pytest.raises(CallbackTimeoutError):
                await storage.store_session(SESSION)
            # A cancelled store (a request handler torn down) is the same case.
            pending = asyncio.ensure_future(storage.store_session(SESSION))
            await asyncio.sleep(0.1)
            pending.cancel()
            with pytest.raises(asyncio.CancelledError):
                await pending
        finally:
            await proxy.close()
            await storage.close()

    _run(attempt)


def test_a_store_timed_out_or_cancelled_on_a_hung_server_wrote_nothing(
    redis_name: tuple[str, str], pg_names: tuple[str, str]
) -> None:
    _, prefix = redis_name
    _, table = pg_names

    redis_url, pg_url = urlsplit(REDIS_URL), urlsplit(DATABASE_URL)

    def redis_side(port: int) -> Any:
        if port < 0:
            return (redis_url.hostname, redis_url.port or 6379)
        url = redis_url._replace(netloc=f"127.0.0.1:{port}").geturl()
        return redis_session_storage(url, key_prefix=prefix, timeout=0.3)

    def pg_side(port: int) -> Any:
        if port < 0:
            return (pg_url.hostname, pg_url.port or 5432)
        user = f"{pg_url.username}@" if pg_url.username else ""
        dsn = pg_url._replace(netloc=f"{user}127.0.0.1:{port}").geturl()
        return postgres_session_storage(dsn, table=table, timeout=0.3)

    _hung_store(redis_side)
    _hung_store(pg_side)
    direct_redis = redis_session_storage(REDIS_URL, key_prefix=prefix)
    assert _run(lambda: direct_redis.load_session(SESSION.id)) is None
    direct_pg = postgres_session_storage(DATABASE_URL, table=table)
    assert _run(lambda: direct_pg.load_session(SESSION.id)) is None
