"""SessionManager: cookie-bound sessions over any storage of this package.

The core decides everything (ids, signatures, timeouts, what to write, the cookie); this module
reads the ``Cookie`` header off whatever the app hands it, performs the storage calls a plan
names on the running event loop, and keeps the app's values as a ``dict``
(ARCHITECTURE.md, "Lifecycle manager").
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from datetime import datetime, timedelta, timezone
from typing import Any

from . import _native
from ._native import Session
from .errors import _from_code
from .stores import MemorySessionStorage

__all__ = ["SessionManager", "ManagedSession", "cookie_storage", "CookieStorage"]

_logger = logging.getLogger("sessionkeeper")


class CookieStorage:
    """The cookie-only storage: the whole record sealed (encrypted and authenticated) in the
    cookie, no server state. Make one with :func:`cookie_storage`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "cookie_storage()"


def cookie_storage() -> CookieStorage:
    """The cookie-only storage for :class:`SessionManager` (Hydrogen's default)."""
    return CookieStorage()


def _invalid(message: str) -> Exception:
    return _from_code("INVALID_ARGUMENT", message)


def _json(value: Any, what: str) -> str:
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise _invalid(f"{what} must be JSON data: {error}") from error


def _seconds(value: object) -> object:
    # Conversion only: the core checks type and range and words the message.
    return value.total_seconds() if isinstance(value, timedelta) else value


def _cookie_header(source: Any) -> str | None:
    """The ``Cookie`` header of a string, a Starlette/Django-style request, or a headers mapping."""
    if source is None or isinstance(source, str):
        return source
    headers = getattr(source, "headers", source)
    if isinstance(headers, Mapping) or hasattr(headers, "get"):
        value = headers.get("cookie")
        if value is None and isinstance(headers, Mapping):
            value = headers.get("Cookie")
        return value if isinstance(value, str) else None
    raise _invalid("start() takes a Cookie header, a request with .headers, or a headers mapping")


def _at(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=timezone.utc)


class ManagedSession(MutableMapping[str, Any]):
    """One request's session: a ``dict``-like mapping of the app's values, plus its id,
    deadlines, flash values, ``regenerate()`` and ``destroy()``."""

    __slots__ = ("_state", "_values_", "_flash_", "_clock")

    def __init__(self, state: _native.SessionState, clock: Callable[[], float]) -> None:
        self._state = state
        # Parsed on first use: a request that never touches them commits them as loaded.
        self._values_: dict[str, Any] | None = None
        self._flash_: dict[str, Any] | None = None
        self._clock = clock

    @property
    def _values(self) -> dict[str, Any]:
        if self._values_ is None:
            self._values_ = json.loads(self._state.values)
        return self._values_

    @property
    def _flash(self) -> dict[str, Any]:
        if self._flash_ is None:
            self._flash_ = json.loads(self._state.flash)
        return self._flash_

    def _payload(self) -> tuple[str | None, str | None]:
        """The values and flash values to commit, each ``None`` when never handed to the app."""
        values = None if self._values_ is None else _json(self._values_, "session values")
        return values, None if self._flash_ is None else _json(self._flash_, "flash values")

    @property
    def id(self) -> str:
        """The session id: a bearer credential, never log it."""
        return self._state.id

    @property
    def is_new(self) -> bool:
        """Whether this request minted the session (no valid cookie came with it)."""
        return self._state.is_new

    @property
    def created_at(self) -> datetime:
        """When the session was created (or last regenerated), UTC."""
        return _at(self._state.created_at)  # type: ignore[return-value]

    @property
    def expires_at(self) -> datetime | None:
        """The deadline as last committed (idle and absolute timeouts together), if any."""
        return _at(self._state.expires_at)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise _invalid(f"session keys are str, got {type(key).__name__}")
        self._values[key] = value

    def __delitem__(self, key: str) -> None:
        del self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<ManagedSession is_new={self.is_new} keys={len(self._values)}>"

    def flash(self, key: str, value: Any) -> None:
        """Sets a value the next request reads once with :meth:`take_flash`."""
        self._flash[key] = value

    def take_flash(self, key: str, default: Any = None) -> Any:
        """The flash value of ``key``, removed from the session (the removal is committed)."""
        return self._flash.pop(key, default)

    def regenerate(self, keep_data: bool = True) -> None:
        """Moves the session to a new id (call it at login); the old id is deleted at commit."""
        self._state.regenerate(self._clock())
        if not keep_data:
            self._values_ = {}
            self._flash_ = {}

    def destroy(self) -> None:
        """Ends the session: the commit deletes it and clears the cookie."""
        self._state.destroy()


class SessionManager:
    """Cookie-bound sessions with app data, timeouts, signing, touch, regeneration and GC.

    ``storage`` is any storage of this package or :func:`cookie_storage`; ``secrets`` signs
    (the first) and verifies (all); durations are ``timedelta`` or seconds. ``clock`` returns
    epoch seconds (``time.time`` by default; tests move time with it).
    """

    __slots__ = ("_native", "_storage", "_memory", "_sealed", "_clock")

    def __init__(
        self,
        storage: Any,
        *,
        secrets: list[str],
        cookie: Mapping[str, Any] | None = None,
        idle_timeout: timedelta | float | None = None,
        absolute_timeout: timedelta | float | None = None,
        touch_after: timedelta | float | None = None,
        concurrency: str | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        sealed = isinstance(storage, CookieStorage)
        if not sealed and not all(
            callable(getattr(storage, m, None)) for m in ("store_session", "load_session", "delete_session")
        ):
            raise _invalid(
                "storage must be a session storage (store_session, load_session, delete_session) or cookie_storage()"
            )
        if clock is not None and not callable(clock):
            raise _invalid("clock must be a function returning epoch seconds")
        given = {
            "secrets": secrets,
            "cookie": dict(cookie) if isinstance(cookie, Mapping) else cookie,
            "idle_timeout": _seconds(idle_timeout),
            "absolute_timeout": _seconds(absolute_timeout),
            "touch_after": _seconds(touch_after),
            "concurrency": concurrency,
        }
        options = _json({k: v for k, v in given.items() if v is not None}, "options")
        can_compare = not sealed and callable(getattr(storage, "store_session_if_version", None))
        self._native = _native.NativeManager(options, sealed, can_compare)
        self._storage = storage
        # The embedded memory storage (exactly, not a subclass whose overrides must run) is read
        # in place: no JSON crosses for the record (ARCHITECTURE.md, "Lifecycle manager").
        self._memory = storage._store if type(storage) is MemorySessionStorage else None
        self._sealed = sealed
        seconds = clock or time.time
        self._clock: Callable[[], float] = lambda: seconds() * 1000.0

    async def start(self, source: Any = None) -> ManagedSession:
        """The request's session from a ``Cookie`` header, a request, or nothing (a fresh one)."""
        state = self._native.begin(_cookie_header(source))
        if self._memory is not None:
            state.open_in_memory(self._memory, self._clock())
        else:
            loaded = None
            if state.load_id is not None:
                session = await self._storage.load_session(state.load_id)
                if session is not None:
                    loaded = session.to_json()
            state.open(loaded, self._clock())
        if state.is_new and _logger.isEnabledFor(logging.DEBUG):
            refusal = state.refusal
            if refusal is not None:
                _logger.debug(refusal)
        return ManagedSession(state, self._clock)

    async def commit(self, session: ManagedSession) -> str | None:
        """Writes what changed; returns the ``Set-Cookie`` value to send, or ``None``."""
        if not isinstance(session, ManagedSession):
            raise _invalid("commit() takes a session from start()")
        values, flash = session._payload()
        store, expected, delete, set_cookie = session._state.commit(values, flash, self._clock())
        if store is not None:
            record = Session.from_json(store)
            if expected is not None:
                await self._storage.store_session_if_version(record, expected)
            else:
                await self._storage.store_session(record)
        if delete is not None:
            await self._storage.delete_session(delete)
        session._state.committed()
        return set_cookie

    async def sweep(self) -> int:
        """Removes expired sessions from the storage; how many (0 where the store expires them)."""
        sweep = None if self._sealed else getattr(self._storage, "sweep", None)
        if sweep is None:
            return 0
        removed = sweep()
        if inspect.isawaitable(removed):
            removed = await removed
        return removed if isinstance(removed, int) else 0

    def start_sweeping(self, interval: timedelta | float) -> asyncio.Task[None]:
        """Sweeps every ``interval`` in a task of the running loop (cancel it to stop); a failed
        sweep is logged and retried at the next tick."""
        seconds = _seconds(interval)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 1:
            raise _invalid("interval must be at least 1 second")

        async def run() -> None:
            while True:
                await asyncio.sleep(seconds)
                try:
                    await self.sweep()
                except Exception:
                    _logger.exception("session sweep failed")

        return asyncio.get_running_loop().create_task(run())
