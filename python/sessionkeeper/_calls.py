"""Awaiting an app callback in the calling coroutine, with a deadline, and wording its failure.

No task, thread or executor per call (ARCHITECTURE.md: a thread hop costs 60-130 µs, an ``await``
0.14 µs): a plain function runs right here on the event loop's thread, an awaitable is awaited
by the caller's own task.

Deadlines: ``asyncio.timeout`` costs ~7 µs per call (a context manager, a timer handle per call,
heap churn), more than everything else a load does. Every call of one storage has the same
timeout, so one timer per event loop is enough: the core keeps the deadlines and says which
calls are past theirs and when to look again (``storage/deadlines.rs``, as for Node); here the
pending calls sit in an insertion-ordered dict, and the timer cancels the awaiting task of each
call past its deadline - what ``asyncio.timeout`` does, without a timer per call. Python 3.10
(no ``Task.uncancel``) uses ``asyncio.wait_for`` instead.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import weakref
from typing import Any, Callable

from . import _native
from .errors import SessionStorageError, _from_code


def _version(value: object) -> int:
    """A record version for compare-and-store: an int from 0 (no record yet) to 2**32 - 1,
    the same range Node takes."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFFFFFF:
        raise _from_code("INVALID_ARGUMENT", f"expected_version must be an int from 0 to 4294967295, got {value!r}")
    return value


def _failed(op: str, subject: str, error: BaseException) -> SessionStorageError:
    """The ``CALLBACK_FAILED`` error for a callback that raised ``error`` (the core words it)."""
    try:
        text: str | None = str(error)
    except Exception:  # a broken __str__ must not hide the failure itself
        text = None
    return _native.callback_failed(op, subject, text, type(error).__name__)


class _DeadlinePassed(Exception):
    """Raised by ``invoke`` when the callback did not finish in time (private, so a callback's
    own exception can never be mistaken for it)."""


class _LoopDeadlines:
    """The pending calls of one storage on one event loop, oldest first, and its one timer."""

    __slots__ = ("_loop", "_queue", "pending", "armed", "_next", "_joins_until")

    def __init__(self, loop: asyncio.AbstractEventLoop, ms: int) -> None:
        # A weak reference: the storage must not keep every loop it ever saw alive.
        self._loop = weakref.ref(loop)
        self._queue = _native.Deadlines(ms)
        # Calls are numbered in start order, and a dict iterates in insertion order: the first
        # entries are the oldest calls. A call the dict no longer holds has timed out. The core
        # is told of a call only when it starts after the time the core last answered.
        self.pending: dict[int, asyncio.Task[Any]] = {}
        # Whether the timer is set. Not the TimerHandle itself: it references the loop.
        self.armed = False
        self._next = 0
        self._joins_until = float("-inf")

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop()

    def start(self, task: asyncio.Task[Any], loop: asyncio.AbstractEventLoop) -> int:
        now = loop.time()
        seq = self._next
        self._next = seq + 1
        # Calls started until `_joins_until` share the last registered call's deadline.
        if now > self._joins_until:
            self._joins_until = self._queue.start(now, seq)
        self.pending[seq] = task
        if not self.armed:
            self._arm(loop, now)
        return seq

    def settled(self, seq: int) -> bool:
        """Whether call ``seq`` settled in time (it is no longer pending either way)."""
        return self.pending.pop(seq, None) is not None

    def _arm(self, loop: asyncio.AbstractEventLoop, now: float) -> None:
        # An emptied dict leaves the timer armed: one spare wake-up is cheaper than a timer
        # handle cancelled and re-created per call.
        delay = self._queue.next_delay(now, next(iter(self.pending), None))
        if delay is not None:
            loop.call_later(delay, self._fire)
            self.armed = True

    def _fire(self) -> None:
        self.armed = False
        loop = self._loop()
        if loop is None:
            return
        now = loop.time()
        expired = self._queue.expired(now)
        pending = self.pending
        while pending:
            seq = next(iter(pending))
            if seq >= expired:
                break
            pending.pop(seq).cancel()
        self._arm(loop, now)


class Deadlines:
    """A storage's callback timeout on whichever event loops it is used from."""

    __slots__ = ("ms", "_by_loop", "_last")

    def __init__(self, ms: int) -> None:
        self.ms = ms
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
            found = self._by_loop[loop] = _LoopDeadlines(loop, self.ms)
        self._last = found
        return found


logger = logging.getLogger("sessionkeeper")

_current_task = asyncio.current_task
_CAN_UNCANCEL = sys.version_info >= (3, 11)


async def invoke(
    op: str, subject: str, callback: Callable[[Any], Any], argument: Any, deadlines: Deadlines | None
) -> Any:
    """``callback(argument)``, awaited if it returned an awaitable. A raise becomes
    ``CALLBACK_FAILED`` (the original as ``__cause__``); a result that is not in within the
    timeout ``CALLBACK_TIMEOUT``, also when the callback swallowed the cancellation and
    returned or raised late anyway (as in Node, where the late outcome is dropped)."""
    try:
        result = callback(argument)
        if not hasattr(result, "__await__"):
            return result
        task = _current_task() if deadlines is not None else None
        if task is None:  # no deadline, or a coroutine driven by hand outside any task
            return await result
        if not _CAN_UNCANCEL:  # pragma: no cover - Python 3.10
            try:
                return await asyncio.wait_for(result, deadlines.ms / 1000)  # type: ignore[union-attr]
            except asyncio.TimeoutError:
                raise _DeadlinePassed from None
        loop = task.get_loop()
        calls = deadlines.on(loop)  # type: ignore[union-attr]
        seq = calls.start(task, loop)
        try:
            result = await result
        except (Exception, asyncio.CancelledError):
            if calls.settled(seq):
                raise
            task.uncancel()
            raise _DeadlinePassed from None
        except BaseException:  # KeyboardInterrupt, SystemExit: not ours to reword
            calls.settled(seq)
            raise
        if not calls.settled(seq):
            task.uncancel()
            raise _DeadlinePassed
        return result
    except _DeadlinePassed:
        ms = deadlines.ms if deadlines is not None else 0
        # The operation only: the subject is an id or shop, which logs must not carry.
        logger.warning("%s callback timed out after %ss (CALLBACK_TIMEOUT)", op, ms / 1000)
        raise _native.callback_timeout(op, subject, ms) from None
    except Exception as error:
        raise _failed(op, subject, error) from error
