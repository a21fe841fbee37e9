"""Servers for the adapter tests: the real Redis (REDIS_URL), a 3-node Redis Cluster this run
starts itself (tests/cluster/redis-cluster.sh, ports from SK_CLUSTER_PORT, 7201 by default so
the Node suite's 7101 cluster can run at the same time) and the real PostgreSQL (DATABASE_URL).

An unreachable server skips its tests with a printed notice, or fails them under CI=true.
Every test works under a key prefix or table of its own, removed afterwards.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator

import pytest

from adapters.servers import (
    REDIS_KINDS,
    ROOT,
    Backend,
    Database,
    RedisServer,
    open_database,
    open_redis,
    unavailable,
)

CLUSTER_PORT = os.environ.get("SK_CLUSTER_PORT", "7201")


@pytest.fixture(scope="session")
def redis_cluster_url() -> Iterator[str]:
    """Starts the throwaway cluster once per run (on first use) and stops it at the end."""
    script = ROOT / "tests" / "cluster" / "redis-cluster.sh"
    env = {**os.environ, "SK_CLUSTER_PORT": CLUSTER_PORT}
    try:
        started = subprocess.run(
            [str(script), "start"], env=env, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        unavailable(f"Redis Cluster on port {CLUSTER_PORT}", error)
    if started.returncode != 0:
        unavailable(f"Redis Cluster on port {CLUSTER_PORT}", started.stderr.strip() or started.returncode)
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(script), "stop"], env=env, capture_output=True, timeout=60, check=False)


@pytest.fixture(params=REDIS_KINDS)
async def redis_server(request: pytest.FixtureRequest) -> AsyncIterator[RedisServer]:
    """Single node and cluster in turn."""
    async with open_redis(request.param, request) as server:
        yield server


@pytest.fixture
async def single_redis(request: pytest.FixtureRequest) -> AsyncIterator[RedisServer]:
    async with open_redis("redis", request) as server:
        yield server


@pytest.fixture
async def cluster_redis(request: pytest.FixtureRequest) -> AsyncIterator[RedisServer]:
    async with open_redis("redis-cluster", request) as server:
        yield server


@pytest.fixture
async def database() -> AsyncIterator[Database]:
    async with open_database() as db:
        yield db


@pytest.fixture(params=[*REDIS_KINDS, "postgres"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    """Each adapter in turn: Redis, Redis Cluster, PostgreSQL."""
    if request.param == "postgres":
        async with open_database() as db:
            yield Backend("postgres", db=db)
    else:
        async with open_redis(request.param, request) as server:
            yield Backend(request.param, redis=server)
