"""The read-through session cache (ARCHITECTURE.md, "Cache").

The core's native cache decides hit or miss, what is admitted, for how long and what is
evicted; this module shares one load per id among concurrent callers (task plumbing) and keeps
a failing cache from failing anything: a cache call that raises is a miss, a refused admission
or a no-op, and the storage's callbacks run as they would without a cache.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any, TypeVar

from . import _native
from ._native import Session
from .errors import InvalidArgumentError

__all__ = ["SessionCache"]

_T = TypeVar("_T")


def _count(value: object, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{name} must be a positive integer, got a value of type {type(value).__name__}")
    return float(value)


class SessionCache:
    """Options of a storage's read-through cache (``cache=SessionCache(...)``); each storage
    given one keeps its own cache.

    Loads of one id while one is out share its ``load`` callback call and its validation; a
    loaded session is held until the earlier of its ``expires`` and ``max_staleness`` after the
    load, and dropped by the storage's own store, delete or ``ConflictError``. Hits are fresh
    ``Session`` copies. Another process writing to a shared store is seen after at most
    ``max_staleness``. ``max_entries`` (default 10000) and ``max_bytes`` (ids plus JSON text,
    default 32 MiB) bound it, least recently used first; ``max_staleness`` is seconds or a
    ``timedelta`` (default 1 s, > 0).
    """

    __slots__ = ("max_entries", "max_bytes", "max_staleness")

    def __init__(
        self,
        max_entries: int | None = None,
        max_bytes: int | None = None,
        max_staleness: float | timedelta | None = None,
    ) -> None:
        if isinstance(max_staleness, timedelta):
            max_staleness = max_staleness.total_seconds()
        elif max_staleness is not None and (
            isinstance(max_staleness, bool) or not isinstance(max_staleness, (int, float))
        ):
            raise InvalidArgumentError(
                "max_staleness must be seconds (a number) or a timedelta, "
                f"got a value of type {type(max_staleness).__name__}"
            )
        entries = _count(max_entries, "max_entries")
        size = _count(max_bytes, "max_bytes")
        staleness = None if max_staleness is None else float(max_staleness)
        _native.SessionCache(entries, size, staleness)  # the core's checks, now rather than later
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_staleness = staleness

    def __repr__(self) -> str:
        return (
            f"SessionCache(max_entries={self.max_entries!r}, max_bytes={self.max_bytes!r}, "
            f"max_staleness={self.max_staleness!r})"
        )


def _id_of(session: object) -> str:
    """The id a write names, for invalidation only (the write itself checks its argument)."""
    id = session.get("id") if isinstance(session, Mapping) else getattr(session, "id", None)
    return id if isinstance(id, str) else ""


def _now_ms() -> int:
    return int(time.time() * 1000)


class _ReadThrough:
    """One storage's cache and its loads in flight."""

    __slots__ = ("_cache", "_flights")

    def __init__(self, options: SessionCache) -> None:
        if not isinstance(options, SessionCache):
            raise InvalidArgumentError(
                f"cache must be a SessionCache, got a value of type {type(options).__name__}"
            )
        m = options
        self._cache = _native.SessionCache(
            _count(m.max_entries, "max_entries"), _count(m.max_bytes, "max_bytes"), m.max_staleness
        )
        self._flights: dict[str, asyncio.Task[Session | None]] = {}

    def get(self, id: str) -> Session | None:
        try:
            held: Session | None = self._cache.get(id, _now_ms())
            return held
        except Exception:
            return None

    async def load(self, id: str, run: Callable[[], Awaitable[Session | None]]) -> Session | None:
        """``run()``'s session, shared with every load of ``id`` that starts before it ends
        (each caller gets its own copy), and offered to the cache."""
        loop = asyncio.get_running_loop()
        flight = self._flights.get(id)
        if flight is None or flight.get_loop() is not loop:
            flight = loop.create_task(self._fly(id, run))
            self._flights[id] = flight
        # Shielded: one caller cancelled must not cancel the load the others wait for.
        found = await asyncio.shield(flight)
        return None if found is None else found.__copy__()

    async def _fly(self, id: str, run: Callable[[], Awaitable[Session | None]]) -> Session | None:
        try:
            try:
                ticket: int | None = self._cache.ticket()
            except Exception:
                ticket = None
            found = await run()
            if found is not None and ticket is not None:
                try:
                    self._cache.admit(id, found, ticket, _now_ms())
                except Exception:
                    pass
            return found
        finally:
            if self._flights.get(id) is asyncio.current_task():
                del self._flights[id]

    async def writing(self, id: object, run: Callable[[], Awaitable[_T]]) -> _T:
        """``run()``, an own write of ``id``, with ``id`` dropped before and after it: a load
        starting after the write began must not join or admit what was read before it."""
        self.drop(id)
        try:
            return await run()
        finally:
            self.drop(id)

    def drop(self, id: object) -> None:
        if not isinstance(id, str):
            return
        self._flights.pop(id, None)
        try:
            self._cache.invalidate(id)
        except Exception:
            pass
