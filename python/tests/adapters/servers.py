"""The servers the adapter tests run against, and the helpers that open them (the fixtures
are in conftest.py).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_KINDS = ["redis", "redis-cluster"]


def unavailable(what: str, why: object) -> NoReturn:
    message = f"{what} not reachable ({why}); its tests are skipped"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} - CI=true requires it")
    print(f"\nNOTICE: {message}")
    pytest.skip(message)


def redis_client(kind: str, url: str, **options: Any) -> Any:
    """A redis.asyncio client of ``kind`` ("redis" or "redis-cluster") for ``url``."""
    import redis.asyncio as redis

    if kind == "redis-cluster":
        return redis.RedisCluster.from_url(url, **options)
    return redis.Redis.from_url(url, **options)


async def delete_keys(client: Any, prefix: str) -> None:
    """Deletes every key under ``prefix``, one DEL per key (cluster-safe)."""
    keys = [k async for k in client.scan_iter(match=prefix + "*", count=1000)]
    for key in keys:
        await client.delete(key)


@dataclass
class RedisServer:
    """One Redis deployment under a key prefix unique to the test: ``client()`` makes more
    clients (each closed afterwards), as separate processes would have."""

    kind: str
    url: str
    prefix: str
    clients: list[Any] = field(default_factory=list)

    def client(self, **options: Any) -> Any:
        # redis-py 8's clients fail a command beyond max_connections (100 by default; per node
        # on a cluster) instead of waiting for a free connection.
        options.setdefault("max_connections", 1024)
        client = redis_client(self.kind, self.url, **options)
        self.clients.append(client)
        return client


@contextlib.asynccontextmanager
async def open_redis(kind: str, request: pytest.FixtureRequest) -> AsyncIterator[RedisServer]:
    url = request.getfixturevalue("redis_cluster_url") if kind == "redis-cluster" else REDIS_URL
    server = RedisServer(kind, url, f"sk-pytest:{uuid.uuid4().hex}:")
    probe = server.client(socket_connect_timeout=2)
    try:
        await probe.ping()
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        await probe.aclose()
        unavailable(f"{kind} at {url}", error)
    try:
        yield server
    finally:
        await delete_keys(probe, server.prefix)
        for client in server.clients:
            await client.aclose()


@dataclass
class Database:
    """The PostgreSQL server, with a table name unique to the test (dropped afterwards)."""

    url: str
    table: str
    pools: list[Any] = field(default_factory=list)
    cleanup: list[Callable[[Any], Awaitable[Any]]] = field(default_factory=list)

    async def pool(self, dsn: str | None = None, **options: Any) -> Any:
        import asyncpg  # type: ignore[import-untyped]

        pool = await asyncpg.create_pool(dsn or self.url, min_size=0, max_size=10, **options)
        self.pools.append(pool)
        return pool


@contextlib.asynccontextmanager
async def open_database() -> AsyncIterator[Database]:
    import asyncpg

    db = Database(DATABASE_URL, f"sk_pytest_{uuid.uuid4().hex[:16]}")
    try:
        admin = await asyncpg.connect(DATABASE_URL, timeout=5)
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        unavailable(f"PostgreSQL at {DATABASE_URL}", error)
    try:
        yield db
    finally:
        for pool in db.pools:
            await pool.close()
        await admin.execute(f"DROP TABLE IF EXISTS {db.table}")
        for step in db.cleanup:
            await step(admin)
        await admin.close()


@dataclass
class Backend:
    """One adapter on its server. ``storage()`` opens another storage with a client or pool of
    its own, as another process would."""

    kind: str
    redis: RedisServer | None = None
    db: Database | None = None

    async def storage(self, **options: Any) -> Any:
        if self.redis is not None:
            from sessionkeeper.redis import redis_session_storage

            return redis_session_storage(self.redis.client(), key_prefix=self.redis.prefix, **options)
        from sessionkeeper.postgres import postgres_session_storage

        assert self.db is not None
        return postgres_session_storage(await self.db.pool(), table=self.db.table, **options)
