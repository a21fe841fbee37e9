"""Awaiting an app callback in the calling coroutine, with a deadline, and wording its failure.

No task, thread or executor per call (ARCHITECTURE.md: a thread hop costs 60-130 µs, an ``await``
0.14 µs): a plain function runs right here on the event loop's thread, an awaitable is awaited
by the caller's own task.

Deadlines: ``asyncio.timeout`` costs ~7 µs per call (a context manager, a timer handle per call,
heap churn), more than everything else a load does. Every call of one storage has the same
timeout, so deadlines arrive in the order calls start: pending calls sit in an insertion-ordered
dict and one timer per event loop only ever looks at the oldest, cancelling the awaiting task
of each call past its deadline - what ``asyncio.timeout`` does, without a timer per call.
Python 3.10 (no ``Task.uncancel``) uses ``asyncio.wait_for`` instead.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref
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


class _DeadlinePassed(Exception):
    """Raised by ``Deadlines.settle`` when the callback did not finish in time (private, so a
    callback's own exception can never be mistaken for it)."""


class _Pending:
    __slots__ = ("deadline", "task", "expired")

    def __init__(self, deadline: float, task: asyncio.Task[Any]) -> None:
        self.deadline = deadline
        self.task = task
        self.expired = False


class _LoopDeadlines:
    """The pending calls of one storage on one event loop, oldest first, and its one timer."""

    __slots__ = ("_loop", "seconds", "pending", "armed")

    def __init__(self, loop: asyncio.AbstractEventLoop, seconds: float) -> None:
        # A weak reference: the storage must not keep every loop it ever saw alive.
        self._loop = weakref.ref(loop)
        self.seconds = seconds
        self.pending: dict[_Pending, None] = {}
        # Whether the timer is set. Not the TimerHandle itself: it references the loop.
        self.armed = False

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop()

    def enter(self, task: asyncio.Task[Any], loop: asyncio.AbstractEventLoop) -> _Pending:
        entry = _Pending(loop.time() + self.seconds, task)
        self.pending[entry] = None
        if not self.armed:
            loop.call_at(entry.deadline, self._fire)
            self.armed = True
        return entry

    def _fire(self) -> None:
        # An emptied dict leaves the timer armed: one spare wake-up is cheaper than a timer
        # handle cancelled and re-created per call.
        self.armed = False
        loop = self._loop()
        if loop is None:
            return
        now = loop.time()
        while self.pending:
            entry = next(iter(self.pending))
            if entry.deadline > now:
                loop.call_at(entry.deadline, self._fire)
                self.armed = True
                return
            del self.pending[entry]
            entry.expired = True
            entry.task.cancel()


class Deadlines:
    """A storage's callback timeout on whichever event loops it is used from."""

    __slots__ = ("seconds", "_by_loop", "_last")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopDeadlines] = (
            weakref.WeakKeyDictionary()
        )
        self._last: _LoopDeadlines | None = None

    def on(self, loop: asyncio.AbstractEventLoop) -> _LoopDeadlines:
        """The pending calls on ``loop`` (the last loop used is remembered: the common case)."""
        last = self._last
        if last is not None and last.loop is loop:
            return last
        found = self._by_loop.get(loop)
        if found is None:
            found = self._by_loop[loop] = _LoopDeadlines(loop, self.seconds)
        self._last = found
        return found


logger = logging.getLogger("sessionkeeper")

_current_task = asyncio.current_task
_CAN_UNCANCEL = sys.version_info >= (3, 11)


async def invoke(
    op: str, subject: str, callback: Callable[[Any], Any], argument: Any, deadlines: Deadlines | None
) -> Any:
    """``callback(argument)``, awaited if it returned an awaitable. A raise becomes
    ``CALLBACK_FAILED`` (the original as ``__cause__``), a late result ``CALLBACK_TIMEOUT``."""
    try:
        result = callback(argument)
        if not hasattr(result, "__await__"):
            return result
        task = _current_task() if deadlines is not None else None
        if task is None:  # no deadline, or a coroutine driven by hand outside any task
            return await result
        if not _CAN_UNCANCEL:  # pragma: no cover - Python 3.10
            try:
                return await asyncio.wait_for(result, deadlines.seconds)  # type: ignore[union-attr]
            except asyncio.TimeoutError:
                raise _DeadlinePassed from None
        loop = task.get_loop()
        pending = deadlines.on(loop)  # type: ignore[union-attr]
        entry = pending.enter(task, loop)
        try:
            result = await result
        except asyncio.CancelledError:
            if not entry.expired:
                raise
            task.uncancel()
            raise _DeadlinePassed from None
        finally:
            pending.pending.pop(entry, None)
        if entry.expired:  # the callback swallowed the cancellation and returned anyway
            task.uncancel()
        return result
    except _DeadlinePassed:
        seconds = deadlines.seconds if deadlines is not None else 0.0
        # The operation only: the subject is an id or shop, which logs must not carry.
        logger.warning("%s callback timed out after %ss (CALLBACK_TIMEOUT)", op, seconds)
        raise _native.callback_timeout(op, subject, seconds) from None
    except Exception as error:
        raise _failed(op, subject, error) from error
