"""CustomSessionStorage: the app's ``store``/``load``/``delete`` callbacks, every result validated.

Each method awaits the callback in the calling coroutine (on the caller's event loop, no thread
hop) and hands the result to one synchronous native function, which asks the core what it means
and builds the :class:`Session`. The storage holds no event-loop state, so one instance works
across several ``asyncio.run`` calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar, Union

from . import _native
from ._calls import Deadlines, _version, invoke
from .cache import SessionCache, _ReadThrough
from ._native import Session
from .storage import Closing
from .errors import InvalidArgumentError, SessionStorageError

__all__ = ["CustomSessionStorage", "LoadResult", "StoreCallback", "LoadCallback"]

#: What ``load`` may return: a Session, a dict of the canonical JSON shape, JSON text
#: (``str`` or UTF-8 ``bytes``), a Shopify property array, or ``None`` for "not found".
LoadResult = Union[Session, Mapping[str, Any], str, bytes, Sequence[Any], None]

StoreCallback = Callable[[Session], Union[Awaitable[bool], bool]]
LoadCallback = Callable[[str], Union[Awaitable[LoadResult], LoadResult]]
DeleteCallback = Callable[[str], Union[Awaitable[bool], bool]]
DeleteSessionsCallback = Callable[[list[str]], Union[Awaitable[bool], bool]]
FindSessionsByShopCallback = Callable[
    [str], Union[Awaitable[Sequence[LoadResult]], Sequence[LoadResult]]
]


_T = TypeVar("_T")


def _callable(value: Any, name: str, optional: bool) -> Any:
    if callable(value) or (optional and value is None):
        return value
    raise InvalidArgumentError(f"{name} must be callable, got a value of type {type(value).__name__}")


class CustomSessionStorage(Closing):
    """Session storage over your own callbacks, as Shopify's ``CustomSessionStorage``.

    ``store(session) -> bool``, ``load(id) -> session-like | None`` and ``delete(id) -> bool``
    may be ``async def`` or plain functions. Without ``delete_sessions``,
    :meth:`delete_sessions` calls ``delete`` per id; without ``find_sessions_by_shop``,
    :meth:`find_sessions_by_shop` raises ``NOT_SUPPORTED``. ``timeout`` is in seconds per
    callback (``None`` or ``0`` disables it).

    A plain (sync) callback runs on the event loop's thread, inside the calling coroutine:
    while it blocks (a blocking driver, ``time.sleep``, a slow file), the whole loop waits, and
    ``timeout`` cannot fire - a timeout is delivered by the loop, which is the thing blocked.
    Wrap blocking work so it runs on a thread: ``async def load(id): return await
    asyncio.to_thread(blocking_load, id)``; then ``timeout`` applies (the thread itself runs on
    to completion in the background, as Python threads cannot be stopped).

    ``cache=SessionCache(...)`` puts a read-through cache in front of ``load`` (see
    :class:`SessionCache`; off by default).
    """

    __slots__ = ("_store", "_load", "_delete", "_delete_many", "_find", "_timeout", "_cache", "store_session_if_version")

    #: Present only when ``store_if_version`` was given: stores ``session`` only if the stored
    #: record has ``expected_version`` (0: none yet); ``ConflictError`` when the callback returns
    #: ``False``. What SessionManager's ``optimistic`` concurrency needs.
    store_session_if_version: Callable[[Session | Mapping[str, Any], int], Awaitable[bool]]

    def __init__(
        self,
        store: StoreCallback,
        load: LoadCallback,
        delete: DeleteCallback,
        *,
        delete_sessions: DeleteSessionsCallback | None = None,
        find_sessions_by_shop: FindSessionsByShopCallback | None = None,
        store_if_version: Callable[[Session, int], Any] | None = None,
        timeout: float | None = 10.0,
        cache: SessionCache | None = None,
    ) -> None:
        self._store = _callable(store, "store", False)
        self._load = _callable(load, "load", False)
        self._delete = _callable(delete, "delete", False)
        self._delete_many = _callable(delete_sessions, "delete_sessions", True)
        self._find = _callable(find_sessions_by_shop, "find_sessions_by_shop", True)
        ms = _native.timeout_ms(timeout)
        self._timeout = None if ms is None else Deadlines(ms)
        self._cache = None if cache is None else _ReadThrough(cache)
        compare = _callable(store_if_version, "store_if_version", True)
        if compare is not None:

            async def store_session_if_version(session: Session | Mapping[str, Any], expected_version: int) -> bool:
                _version(expected_version)
                snapshot = _native.session_argument(session)

                async def run() -> bool:
                    result = await invoke(
                        "storeIfVersion", snapshot.id, lambda s: compare(s, expected_version), snapshot, self._timeout
                    )
                    stored = _native.finish_bool("storeIfVersion", result)
                    return _native.finish_store_if_version(stored, snapshot.id, expected_version)

                return await self._writing(snapshot.id, run)

            self.store_session_if_version = store_session_if_version

    async def _writing(self, id: str, run: Callable[[], Awaitable[_T]]) -> _T:
        """``run()``, a write of ``id`` by this process: with a cache, ``id`` is dropped before
        and after it, whatever it returns or raises (a failed store or a conflict may have
        changed the record, or tell that another process did)."""
        if self._cache is None:
            return await run()
        return await self._cache.writing(id, run)

    async def store_session(self, session: Session | Mapping[str, Any]) -> bool:
        """Stores (upserts) ``session``; returns what ``store`` returned (``True``/``False``)."""
        snapshot = _native.session_argument(session)
        if self._cache is not None:
            return await self._cache.writing(snapshot.id, lambda: self._store_one(snapshot))
        result = await invoke("store", snapshot.id, self._store, snapshot, self._timeout)
        return _native.finish_bool("store", result)

    async def _store_one(self, snapshot: Session) -> bool:
        result = await invoke("store", snapshot.id, self._store, snapshot, self._timeout)
        return _native.finish_bool("store", result)

    async def load_session(self, id: str) -> Session | None:
        """The session with ``id``, or ``None``. A result that is not a session with this id
        raises ``INVALID_SESSION``."""
        _native.check_id_argument(id)
        cache = self._cache
        if cache is None:  # inline: the uncached path is every app's hot path
            result = await invoke("load", id, self._load, id, self._timeout)
            return _native.finish_load(id, result)
        held = cache.get(id)
        if held is not None:
            return held
        # One callback call and one validation for every load of ``id`` starting meanwhile.
        return await cache.load(id, lambda: self._load_one(id))

    async def _load_one(self, id: str) -> Session | None:
        result = await invoke("load", id, self._load, id, self._timeout)
        return _native.finish_load(id, result)

    async def delete_session(self, id: str) -> bool:
        """Deletes the session with ``id``; ``delete`` decides the result."""
        _native.check_id_argument(id)
        return await self._delete_one(id)

    async def delete_sessions(self, ids: Sequence[str]) -> bool:
        """Deletes every session in ``ids``: through ``delete_sessions`` when given, else
        ``delete`` per id, a few at a time and every id tried; ``True`` only if every delete
        was. Failures raise one error once all have settled, naming the ids that failed."""
        plan = _native.plan_delete_many(ids, self._delete_many is not None)
        if isinstance(plan, str):
            cache = self._cache
            if cache is None:
                return await self._delete_many_at_once(plan, ids)
            for id in ids:
                cache.drop(id)
            try:
                return await self._delete_many_at_once(plan, ids)
            finally:
                for id in ids:
                    cache.drop(id)
        planned: list[str] = []
        outcomes: list[bool | BaseException] = []
        for batch in plan:
            settled = await asyncio.gather(*(self._delete_one(id) for id in batch), return_exceptions=True)
            for outcome in settled:  # a cancellation or an interrupt is no delete's outcome
                if isinstance(outcome, BaseException) and not isinstance(outcome, SessionStorageError):
                    raise outcome
            planned += batch
            outcomes += settled
        return _native.finish_delete_many(planned, outcomes)

    async def _delete_many_at_once(self, plan: str, ids: Sequence[str]) -> bool:
        result = await invoke("deleteSessions", plan, self._delete_many, list(ids), self._timeout)
        return _native.finish_bool("deleteSessions", result)

    async def _delete_one(self, id: str) -> bool:
        if self._cache is not None:
            return await self._cache.writing(id, lambda: self._deleting(id))
        result = await invoke("delete", id, self._delete, id, self._timeout)
        return _native.finish_bool("delete", result)

    async def _deleting(self, id: str) -> bool:
        result = await invoke("delete", id, self._delete, id, self._timeout)
        return _native.finish_bool("delete", result)

    async def find_sessions_by_shop(self, shop: str) -> list[Session]:
        """Every session of ``shop``, each validated (``[]`` when none)."""
        _native.check_shop_argument(shop)
        if self._find is None:
            raise _native.find_not_supported()
        result = await invoke("findSessionsByShop", shop, self._find, shop, self._timeout)
        return _native.finish_found(shop, result)
