"""Awaiting an app callback in the calling coroutine, with a deadline, and wording its failure.

No task, thread or executor per call (DESIGN.md §4: a thread hop costs 60-130 µs, an ``await``
0.14 µs): a plain function runs right here on the event loop's thread, an awaitable is awaited
by the caller's own task. The deadline is ``asyncio.timeout`` (3.11+), which cancels the
awaiting task in place; Python 3.10 falls back to ``asyncio.wait_for``.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, Callable

from . import _native
from .errors import SessionStorageError


def _message(error: BaseException) -> str:
    try:
        text = str(error)
    except Exception:  # a broken __str__ must not hide the failure itself
        return type(error).__name__
    return text or type(error).__name__


def _failed(op: str, subject: str, error: BaseException) -> SessionStorageError:
    return _native.callback_failed(op, subject, _message(error))


if sys.version_info >= (3, 11):

    async def _settle(awaitable: Any, seconds: float, op: str, subject: str) -> Any:
        deadline = asyncio.timeout(seconds)
        try:
            async with deadline:
                return await awaitable
        except TimeoutError as error:
            if deadline.expired():
                raise _native.callback_timeout(op, subject, seconds) from None
            raise _failed(op, subject, error) from error
        except Exception as error:
            raise _failed(op, subject, error) from error

else:  # pragma: no cover - exercised on Python 3.10 only

    async def _settle(awaitable: Any, seconds: float, op: str, subject: str) -> Any:
        try:
            return await asyncio.wait_for(awaitable, seconds)
        except asyncio.TimeoutError:
            raise _native.callback_timeout(op, subject, seconds) from None
        except Exception as error:
            raise _failed(op, subject, error) from error


async def invoke(
    op: str, subject: str, callback: Callable[[Any], Any], argument: Any, timeout: float | None
) -> Any:
    """``callback(argument)``, awaited if it returned an awaitable. A raise becomes
    ``CALLBACK_FAILED`` (the original as ``__cause__``), a late result ``CALLBACK_TIMEOUT``."""
    try:
        result = callback(argument)
    except Exception as error:
        raise _failed(op, subject, error) from error
    if not hasattr(result, "__await__"):
        return result
    if timeout is None:
        try:
            return await result
        except Exception as error:
            raise _failed(op, subject, error) from error
    return await _settle(result, timeout, op, subject)
