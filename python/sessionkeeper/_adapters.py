"""What the Redis and PostgreSQL adapters share around the core's plans (ARCHITECTURE.md,
"Storages": the core plans every command and says what each reply means; the adapters only
send): what a find reports to the log, and how a plan's refusal reaches the caller."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from .errors import CallbackFailedError, InvalidArgumentError

_T = TypeVar("_T")
logger = logging.getLogger("sessionkeeper")


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
