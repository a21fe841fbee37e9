"""The storage interface every sessionkeeper storage implements (Shopify's ``SessionStorage``),
and the ``close()`` / ``async with`` behaviour they share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol, TypeVar, runtime_checkable

from ._native import Session

__all__ = ["SessionStorage"]

_S = TypeVar("_S", bound="Closing")


@runtime_checkable
class SessionStorage(Protocol):
    """Five coroutines: upsert, load (``None`` when missing), delete (a missing id succeeds),
    delete many, and find by shop (``[]`` when none) - and ``close()``, which releases what the
    storage holds (every sessionkeeper storage is also an async context manager)."""

    async def store_session(self, session: Session | Mapping[str, Any]) -> bool: ...

    async def load_session(self, id: str) -> Session | None: ...

    async def delete_session(self, id: str) -> bool: ...

    async def delete_sessions(self, ids: Sequence[str]) -> bool: ...

    async def find_sessions_by_shop(self, shop: str) -> list[Session]: ...

    async def close(self) -> None: ...


class Closing:
    """``close()`` and ``async with`` for every storage: ``async with storage:`` (or
    ``async with redis_session_storage(url) as storage:``) awaits ``close()`` on the way out,
    whether or not the block raised."""

    __slots__ = ()

    async def close(self) -> None:
        """Releases what the storage holds. Nothing here: the memory, file and custom storages
        hold no connections (a custom storage's callbacks own theirs); the Redis and
        PostgreSQL storages close the client or pool they opened."""

    async def __aenter__(self: _S) -> _S:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
