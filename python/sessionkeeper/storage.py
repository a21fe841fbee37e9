"""The storage interface every sessionkeeper storage implements (Shopify's ``SessionStorage``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from ._native import Session

__all__ = ["SessionStorage"]


@runtime_checkable
class SessionStorage(Protocol):
    """Five coroutines: upsert, load (``None`` when missing), delete (a missing id succeeds),
    delete many, and find by shop (``[]`` when none)."""

    async def store_session(self, session: Session | Mapping[str, Any]) -> bool: ...

    async def load_session(self, id: str) -> Session | None: ...

    async def delete_session(self, id: str) -> bool: ...

    async def delete_sessions(self, ids: Sequence[str]) -> bool: ...

    async def find_sessions_by_shop(self, shop: str) -> list[Session]: ...
