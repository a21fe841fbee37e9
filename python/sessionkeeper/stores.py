"""MemorySessionStorage and FileSessionStorage: the core's storages behind the same interface.

The memory storage answers inline (no I/O). The file storage runs each operation on the
event loop's default executor, with the GIL released during file I/O, so a slow disk never
blocks the loop; the session is snapshotted on the loop thread first, so a change made after
the call does not leak into the write.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from typing import Any, Callable, TypeVar

from . import _native
from ._native import Session
from ._calls import _version
from .storage import Closing

__all__ = ["MemorySessionStorage", "FileSessionStorage"]

T = TypeVar("T")


class MemorySessionStorage(Closing):
    """In-process storage, the embedded default. It keeps copies (changing a session after
    storing or loading it changes nothing stored); reads do not queue behind one lock."""

    __slots__ = ("_store",)

    def __init__(self) -> None:
        self._store = _native.MemoryStore()

    async def store_session(self, session: Session | Mapping[str, Any]) -> bool:
        """Stores a copy of ``session`` (a Session or a dict), replacing any with its id."""
        self._store.store(session)
        return True

    async def load_session(self, id: str) -> Session | None:
        """The session with ``id``, or ``None``."""
        return self._store.load(id)

    async def delete_session(self, id: str) -> bool:
        """Deletes the session with ``id``; ``True`` also when there was none."""
        return self._store.delete(id)

    async def delete_sessions(self, ids: Sequence[str]) -> bool:
        """Deletes every session in ``ids``."""
        return self._store.delete_many(ids)

    async def find_sessions_by_shop(self, shop: str) -> list[Session]:
        """Every session of ``shop`` (``[]`` when none)."""
        _native.check_shop_argument(shop)
        return self._store.find_by_shop(shop)

    async def store_session_if_version(self, session: Session | Mapping[str, Any], expected_version: int) -> bool:
        """Stores a copy of ``session`` only if the stored record still has
        ``expected_version`` (0: none yet), atomically: SessionManager's ``optimistic``
        concurrency. ``ConflictError`` when it has another."""
        self._store.store_if_version(session, _version(expected_version))
        return True

    def sweep(self) -> int:
        """Removes the sessions that can no longer be used (past ``expires`` and, with a
        refresh token, past ``refresh_token_expires``); returns how many."""
        return self._store.sweep()

    def __len__(self) -> int:
        return len(self._store)


class FileSessionStorage(Closing):
    """One file per session under ``directory`` (created 0700 when missing): atomic writes,
    files 0600, find-by-shop from an on-disk index, the same format the Node package writes."""

    __slots__ = ("_store",)

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self._store = _native.FileStore(directory)

    @property
    def directory(self) -> str:
        """The storage directory."""
        return os.fspath(self._store.directory)

    @staticmethod
    async def _off_loop(function: Callable[[Any], T], argument: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(None, function, argument)

    async def store_session(self, session: Session | Mapping[str, Any]) -> bool:
        """Writes ``session`` (a Session or a dict), replacing any with its id."""
        return await self._off_loop(self._store.store, _native.session_argument(session))

    async def store_session_if_version(self, session: Session | Mapping[str, Any], expected_version: int) -> bool:
        """As :meth:`MemorySessionStorage.store_session_if_version`, atomic across processes."""
        snapshot = _native.session_argument(session)
        expected = _version(expected_version)
        return await self._off_loop(lambda s: self._store.store_if_version(s, expected), snapshot)

    async def sweep(self) -> int:
        """Removes the session files that can no longer be used; returns how many."""
        return await self._off_loop(lambda _: self._store.sweep(), None)

    async def load_session(self, id: str) -> Session | None:
        """The session with ``id``, or ``None``; a corrupt file raises ``INVALID_SESSION``
        naming it."""
        _native.check_id_argument(id)
        return await self._off_loop(self._store.load, id)

    async def delete_session(self, id: str) -> bool:
        """Deletes the session with ``id``; ``True`` also when there was none."""
        _native.check_id_argument(id)
        return await self._off_loop(self._store.delete, id)

    async def delete_sessions(self, ids: Sequence[str]) -> bool:
        """Deletes every session in ``ids``."""
        _native.plan_delete_many(ids, True)  # checks every id before any file is touched
        return await self._off_loop(self._store.delete_many, list(ids))

    async def find_sessions_by_shop(self, shop: str) -> list[Session]:
        """Every session of ``shop`` (``[]`` when none), read from the on-disk index."""
        _native.check_shop_argument(shop)
        return await self._off_loop(self._store.find_by_shop, shop)
