"""A plain (sync) callback runs on the event loop's thread: while it blocks, the loop - and so
the timeout - waits. Wrapped in ``asyncio.to_thread`` (the fix the README shows), the timeout
fires on time. Both halves are documented in CustomSessionStorage's docstring and the README."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from sessionkeeper import CallbackTimeoutError, CustomSessionStorage, Session

BLOCK = 0.6
TIMEOUT = 0.1


def _blocking_load(id: str) -> None:
    time.sleep(BLOCK)  # a blocking driver call
    return None


def _store(session: Session) -> bool:
    return True


def _delete(id: str) -> bool:
    return True


async def test_a_blocking_sync_callback_outlives_the_timeout() -> None:
    storage = CustomSessionStorage(_store, _blocking_load, _delete, timeout=TIMEOUT)
    started = time.monotonic()
    assert await storage.load_session("a") is None, "no timeout: the loop was blocked"
    assert time.monotonic() - started >= BLOCK


async def test_asyncio_to_thread_lets_the_timeout_fire() -> None:
    async def load(id: str) -> Any:
        return await asyncio.to_thread(_blocking_load, id)

    storage = CustomSessionStorage(_store, load, _delete, timeout=TIMEOUT)
    started = time.monotonic()
    with pytest.raises(CallbackTimeoutError):
        await storage.load_session("a")
    assert time.monotonic() - started < BLOCK, "the timeout fired while the thread still slept"
    await asyncio.sleep(BLOCK)  # let the thread finish before the loop closes


def test_the_docstring_says_so() -> None:
    doc = CustomSessionStorage.__doc__ or ""
    assert "timeout`` cannot fire" in doc and "asyncio.to_thread" in doc
