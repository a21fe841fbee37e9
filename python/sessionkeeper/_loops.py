"""A client or pool per running event loop, for the adapters made from a URL or DSN.

redis-py and asyncpg connections belong to the event loop that opened them: used from a second
``asyncio.run`` they fail with ``Event loop is closed`` or ``another operation is in progress``,
and a command can even reach the server before the failure surfaces. So a storage that opened
its own connections opens them once per running loop, on first use there, and closes them when
that loop shuts down.

How "when that loop shuts down": each resource is held by an async generator suspended at its
``yield``. asyncio tracks the async generators first iterated on a loop, and ``asyncio.run``
(like every runner that calls ``loop.shutdown_asyncgens()``) closes them before closing the
loop, which runs the generator's ``finally`` - and so the resource's own close - on the loop it
belongs to. A loop closed without that step drops its resource unclosed: its sockets then close
with the process, and the next use on another loop opens a fresh one.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class _Entry(Generic[T]):
    __slots__ = ("resource", "opening", "keeper")

    def __init__(self) -> None:
        self.resource: T | None = None
        self.opening: asyncio.Future[T] | None = None
        self.keeper: AsyncGenerator[None, None] | None = None


class PerLoop(Generic[T]):
    """``await get()``: the resource of the running loop, opened by ``open()`` on first use
    there (operations arriving meanwhile share the opening; a failed opening is tried again by
    the next operation) and closed by ``close(resource)`` when the loop shuts down or
    :meth:`close` is awaited."""

    __slots__ = ("_open", "_close", "_entries", "_last_loop", "_last", "__weakref__")

    def __init__(self, open: Callable[[], Awaitable[T]], close: Callable[[T], Awaitable[None]]) -> None:
        self._open = open
        self._close = close
        self._entries: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Entry[T]] = (
            weakref.WeakKeyDictionary()
        )
        # The loop used last and its resource: the common case costs one identity check.
        self._last_loop: asyncio.AbstractEventLoop | None = None
        self._last: T | None = None

    def current(self) -> T | None:
        """The running loop's resource if it is open already (no await: the hot path)."""
        if self._last_loop is asyncio.get_running_loop():
            return self._last
        return None

    async def get(self) -> T:
        """The running loop's resource, opened if needed."""
        loop = asyncio.get_running_loop()
        entry = self._entries.get(loop)
        if entry is None:
            self._forget_closed_loops()
            entry = self._entries[loop] = _Entry()
        if entry.resource is not None:
            self._last_loop, self._last = loop, entry.resource
            return entry.resource
        opening = entry.opening
        if opening is None:
            opening = entry.opening = asyncio.ensure_future(self._open_on(loop, entry))
            opening.add_done_callback(lambda done: _retry_after_failure(entry, done))
        # Shielded: an operation that times out must not cancel the opening others await.
        return await asyncio.shield(opening)

    async def _open_on(self, loop: asyncio.AbstractEventLoop, entry: _Entry[T]) -> T:
        resource = await self._open()
        keeper = self._keep(loop, resource)
        # First iteration registers the generator with the loop (see the module docstring).
        await keeper.__anext__()
        entry.resource, entry.keeper = resource, keeper
        self._last_loop, self._last = loop, resource
        return resource

    async def _keep(self, loop: asyncio.AbstractEventLoop, resource: T) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            self._entries.pop(loop, None)
            if self._last_loop is loop:
                self._last_loop = self._last = None
            await self._close(resource)

    def _forget_closed_loops(self) -> None:
        for loop in [loop for loop in self._entries if loop.is_closed()]:
            del self._entries[loop]
            if self._last_loop is loop:
                self._last_loop = self._last = None

    async def close(self) -> None:
        """Closes the running loop's resource (the next operation opens a new one). Resources
        of loops already closed are dropped; those of loops still running in other threads are
        left to close with their loop."""
        self._forget_closed_loops()
        loop = asyncio.get_running_loop()
        entry = self._entries.get(loop)
        if entry is None:
            return
        if entry.opening is not None and not entry.opening.done():
            try:
                await asyncio.shield(entry.opening)
            except Exception:  # noqa: BLE001 - a failed opening leaves nothing to close
                return
        if entry.keeper is not None:
            await entry.keeper.aclose()  # runs _keep's finally: forgets and closes


def _retry_after_failure(entry: _Entry[T], opening: asyncio.Future[T]) -> None:
    if opening.cancelled() or opening.exception() is not None:
        entry.opening = None
