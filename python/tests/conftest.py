"""Fixtures: the real Redis (skipped with a notice when unreachable, unless CI=true)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")


@pytest.fixture
async def redis_client() -> AsyncIterator[Any]:
    """A redis.asyncio client on the real server, or a skip (a failure under CI=true)."""
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, max_connections=512)
    try:
        await client.ping()
    except Exception as error:  # noqa: BLE001 - any connection problem means "no Redis here"
        await client.aclose()
        message = f"Redis not reachable at {REDIS_URL} ({error}); Redis tests skipped"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} - CI=true requires it")
        print(f"\nNOTICE: {message}")
        pytest.skip(message)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def redis_prefix(redis_client: Any) -> AsyncIterator[str]:
    """A key prefix unique to this test; every key under it is deleted afterwards."""
    prefix = f"sessionkeeper-pytest:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        keys = [k async for k in redis_client.scan_iter(match=prefix + "*")]
        if keys:
            await redis_client.delete(*keys)
