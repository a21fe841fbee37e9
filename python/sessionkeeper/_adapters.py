"""What the Redis and PostgreSQL adapters share around the core's plans (ARCHITECTURE.md,
"Storages": the core plans every command and says what each reply means; the adapters only
send): the five callbacks over a layout's plans, what a find reports to the log, and how a
plan's refusal reaches the caller."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar

from ._native import Session, session_argument
from ._calls import _failed, _version
from .errors import CallbackFailedError, InvalidArgumentError, SessionStorageError

_T = TypeVar("_T")
logger = logging.getLogger("sessionkeeper")


class Plans:
    """The five callbacks of a CustomSessionStorage, each running the layout's plan of its
    operation with ``run``, which a subclass implements for its driver; ``name`` names the
    adapter in the log."""

    __slots__ = ()
    name = ""
    layout: Any

    async def run(self, plan: Any) -> Any:
        raise NotImplementedError

    async def store(self, session: Session) -> bool:
        stored: bool = await self.run(self.layout.store(session))
        return stored

    async def load(self, id: str) -> Any:
        # The value as stored: the storage validates it and builds the Session natively.
        return await self.run(self.layout.load(id))

    async def delete(self, id: str) -> bool:
        return await self.delete_sessions([id])

    async def delete_sessions(self, ids: list[str]) -> bool:
        deleted: bool = await self.run(self.layout.delete_many(ids))
        return deleted

    async def find(self, shop: str) -> list[Any]:
        return found(self.name, await self.run(self.layout.find_by_shop(shop)))

    async def store_if_version(self, given: Session | Mapping[str, Any], expected: int) -> bool:
        """The manager's compare-and-store: the core's answers (``ConflictError``, a refused
        session) as they are, a driver's failure as ``CallbackFailedError`` with it as cause."""
        _version(expected)
        session = session_argument(given)
        try:
            stored: bool = await self.run(self.layout.store_if_version(session, expected))
        except SessionStorageError:
            raise
        except Exception as error:
            raise _failed("store", session.id, error) from error
        return stored


def found(adapter: str, result: Any) -> list[Any]:
    """The sessions of a find's ``(sessions, dropped, unreadable)``, the counts logged."""
    sessions, dropped, unreadable = result
    # Counts only: ids and shops may be personal data, and logs travel far.
    if dropped:
        logger.info("%s: dropped %d stale shop-index entries (sessions expired or deleted)", adapter, dropped)
    if unreadable:
        logger.warning(
            "%s: skipped %d stored values that are not sessions (loading their ids names the problem)",
            adapter,
            unreadable,
        )
    return list(sessions)


async def unwrapped(call: Awaitable[_T]) -> _T:
    """A plan refused inside a callback (PostgreSQL cannot hold U+0000, a shop over 2 KB, a date
    before 4714 BC) reaches CustomSessionStorage as the callback's failure: the caller gets the
    InvalidArgumentError itself, as when an argument is refused before any callback runs."""
    try:
        return await call
    except CallbackFailedError as error:
        if isinstance(error.__cause__, InvalidArgumentError):
            raise error.__cause__ from None
        raise
