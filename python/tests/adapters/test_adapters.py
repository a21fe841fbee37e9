"""What every adapter (Redis, Redis Cluster, PostgreSQL) must do, on the real servers: the
conformance battery, concurrent stores from several clients losing nothing, driver failures as
CALLBACK_FAILED (then working again), hung servers as CALLBACK_TIMEOUT, argument checks, and
closing only what the storage opened."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from adapters.servers import Backend, redis_client
from adapters.proxy import TcpProxy
from sessionkeeper import (
    CallbackFailedError,
    CallbackTimeoutError,
    InvalidArgumentError,
    Session,
    SessionStorage,
)
from sessionkeeper.testing import Case, battery

CASES = battery()


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
async def test_battery(backend: Backend, case: Case) -> None:
    storage = await backend.storage()
    assert isinstance(storage, SessionStorage)
    await case(storage)


async def test_200_concurrent_stores_from_two_clients_across_5_shops_are_all_found(backend: Backend) -> None:
    # Two storages with their own connections stand for two processes (a Node service and a
    # Python worker, say): the per-shop index must not lose an entry to a concurrent writer.
    first, second = await backend.storage(), await backend.storage()
    shops = [f"shop{n}.myshopify.com" for n in range(5)]
    sessions = [Session(f"concurrent_{i}", shop=shops[i % 5], state=str(i), access_token="t") for i in range(200)]
    stored = await asyncio.gather(*((first if i % 2 else second).store_session(s) for i, s in enumerate(sessions)))
    assert stored == [True] * 200
    for shop in shops:
        found = await first.find_sessions_by_shop(shop)
        expected = {s.id: s.to_json() for s in sessions if s.shop == shop}
        assert {s.id: s.to_json() for s in found} == expected
    loaded = await asyncio.gather(*(second.load_session(s.id) for s in sessions))
    assert [s.to_json() if s else None for s in loaded] == [s.to_json() for s in sessions]
    assert await second.delete_sessions([s.id for s in sessions]) is True
    for shop in shops:
        assert await first.find_sessions_by_shop(shop) == []


def _target(backend: Backend) -> tuple[str, int]:
    url = backend.redis.url if backend.redis is not None else backend.db.url  # type: ignore[union-attr]
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or (6379 if backend.redis else 5432)


async def _storage_through(backend: Backend, proxy: TcpProxy, **options: Any) -> Any:
    """A storage whose driver connects through ``proxy``. Redis: one immediate retry (a pooled
    connection the proxy dropped is replaced once), no backoff (redis-py's default backs off
    for seconds before giving up on a closed port)."""
    if backend.redis is not None:
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        from sessionkeeper.redis import redis_session_storage

        url = f"redis://127.0.0.1:{proxy.port}"
        client = redis_client(backend.kind, url, retry=Retry(NoBackoff(), 1), socket_connect_timeout=2)
        backend.redis.clients.append(client)
        return redis_session_storage(client, key_prefix=backend.redis.prefix, **options)
    from sessionkeeper.postgres import postgres_session_storage

    assert backend.db is not None
    parts = urlsplit(backend.db.url)
    dsn = parts._replace(netloc=f"{parts.username or 'postgres'}@127.0.0.1:{proxy.port}").geturl()
    return postgres_session_storage(await backend.db.pool(dsn, timeout=2), table=backend.db.table, **options)


def _driver_error(backend: Backend, error: BaseException | None) -> bool:
    if backend.redis is not None:
        from redis.exceptions import RedisClusterException, RedisError

        return isinstance(error, (RedisError, RedisClusterException, OSError))
    import asyncpg  # type: ignore[import-untyped]

    return isinstance(error, (asyncpg.PostgresError, asyncpg.InterfaceError, OSError))


async def test_an_unreachable_server_is_callback_failed_and_the_storage_recovers(backend: Backend) -> None:
    proxy = TcpProxy(*_target(backend))
    storage = await _storage_through(backend, proxy)
    session = Session("offline_unreachable.myshopify.com", shop="unreachable.myshopify.com", access_token="secret")
    try:
        # A closed port: nothing listens yet.
        with pytest.raises(CallbackFailedError) as info:
            await storage.store_session(session)
        assert 'failed to store session "offline_unreachable.myshopify.com"' in str(info.value)
        assert _driver_error(backend, info.value.__cause__), repr(info.value.__cause__)
        assert str(info.value.__cause__) in str(info.value), "the driver's message is kept"
        assert "secret" not in str(info.value)

        await proxy.open()
        assert await storage.store_session(session) is True
        loaded = await storage.load_session(session.id)
        assert loaded is not None and loaded.to_json() == session.to_json()

        if backend.kind != "redis-cluster":  # a cluster client talks to the nodes directly once it knows them
            await proxy.close()  # the server goes away under open connections
            with pytest.raises(CallbackFailedError) as info:
                await storage.load_session(session.id)
            assert _driver_error(backend, info.value.__cause__), repr(info.value.__cause__)
            await proxy.open()
            again = await storage.load_session(session.id)
            assert again is not None and again == session
        assert await storage.delete_session(session.id) is True
    finally:
        await proxy.close()


async def test_a_server_that_hangs_is_callback_timeout_and_the_storage_recovers(backend: Backend) -> None:
    proxy = TcpProxy(*_target(backend))
    storage = await _storage_through(backend, proxy, timeout=0.3)
    try:
        if backend.kind != "redis-cluster":  # a cluster client only goes through the seed to learn the nodes
            await proxy.open()
            assert await storage.load_session("hung") is None  # connected (and the schema made)
            await proxy.close()
        await proxy.open(hang=True)
        with pytest.raises(CallbackTimeoutError, match='load session "hung"'):
            await storage.load_session("hung")
        await proxy.close()
        await proxy.open()
        assert await storage.load_session("hung") is None
    finally:
        await proxy.close()


async def test_arguments_are_checked() -> None:
    from sessionkeeper.postgres import postgres_session_storage
    from sessionkeeper.redis import redis_session_storage

    for bad_prefix in ["", "x" * 257, 42]:
        with pytest.raises(InvalidArgumentError):
            redis_session_storage("redis://127.0.0.1:1", key_prefix=bad_prefix)  # type: ignore[arg-type]
    # Prefixes that could nest inside another storage's keys (`p:app:shop:` inside `p:app:`).
    for nested in ["p:app:shop:", "p:app:session:"]:
        with pytest.raises(InvalidArgumentError, match="nests inside another storage"):
            redis_session_storage("redis://127.0.0.1:1", key_prefix=nested)
    for bad_client in [42, None, "http://not-redis", object()]:
        with pytest.raises(InvalidArgumentError, match="client_or_url"):
            redis_session_storage(bad_client)  # type: ignore[arg-type]
    import redis

    with pytest.raises(InvalidArgumentError, match="redis.asyncio"):
        redis_session_storage(redis.Redis())  # type: ignore[arg-type]  # the blocking client
    for bad_table in ["", "a; drop table x", "a.b.c", "x" * 64, "\"q\"", 7]:
        with pytest.raises(InvalidArgumentError, match="table"):
            postgres_session_storage("postgresql://127.0.0.1:1/x", table=bad_table)  # type: ignore[arg-type]
    for bad_pool in [42, None, object()]:
        with pytest.raises(InvalidArgumentError, match="pool_or_dsn"):
            postgres_session_storage(bad_pool)
    with pytest.raises(InvalidArgumentError, match="timeout"):
        redis_session_storage("redis://127.0.0.1:1", timeout=-1)
    for bad_grace in [-1, float("nan"), float("inf"), timedelta(days=3651), timedelta(seconds=-1)]:
        with pytest.raises(InvalidArgumentError, match="grace period must be between 0 and 3650 days"):
            redis_session_storage("redis://127.0.0.1:1", grace=bad_grace)
        with pytest.raises(InvalidArgumentError, match="grace period"):
            postgres_session_storage("postgresql://127.0.0.1:1/x", grace=bad_grace)
    for bad_type in ["7d", True, [1]]:
        with pytest.raises(InvalidArgumentError, match="grace must be a number of seconds or a timedelta"):
            redis_session_storage("redis://127.0.0.1:1", grace=bad_type)  # type: ignore[arg-type]


@pytest.mark.parametrize(("module", "driver", "extra"), [("redis", "redis", "redis"), ("postgres", "asyncpg", "postgres")])
def test_the_drivers_are_optional(module: str, driver: str, extra: str, tmp_path: Path) -> None:
    # Without the driver, `import sessionkeeper` works and the adapter names the extra to install.
    code = (
        f"import sys; sys.modules[{driver!r}] = None\n"
        "import sessionkeeper\n"
        f"try:\n    import sessionkeeper.{module}\n"
        "except ImportError as e:\n    print(e)\n"
    )
    # From tmp_path: python/sessionkeeper (sources without the compiled module) must not shadow the wheel.
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert f"pip install 'sessionkeeper[{extra}]'" in done.stdout, done.stdout
