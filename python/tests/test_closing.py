"""Every storage has ``close()`` and is an async context manager; the ``SessionStorage``
protocol includes ``close``. (The adapters' own clients and pools: adapters/test_event_loops.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from helpers import dict_storage
from sessionkeeper import (
    CustomSessionStorage,
    FileSessionStorage,
    MemorySessionStorage,
    Session,
    SessionStorage,
)


def _storages(tmp_path: Any) -> list[Any]:
    return [MemorySessionStorage(), FileSessionStorage(tmp_path), dict_storage()]


async def test_close_is_a_no_op_where_nothing_is_held(tmp_path: Any) -> None:
    for storage in _storages(tmp_path):
        assert await storage.close() is None
        assert await storage.close() is None, "closing twice is fine"
        assert await storage.store_session(Session("after")) is True, "nothing held, nothing broken"


async def test_async_with_gives_the_storage_and_closes_it(tmp_path: Any) -> None:
    for storage in _storages(tmp_path):
        async with storage as entered:
            assert entered is storage
            assert await entered.store_session({"id": "inside"}) is True


async def test_async_with_closes_also_when_the_block_raises() -> None:
    closed: list[bool] = []

    class Tracked(CustomSessionStorage):
        async def close(self) -> None:
            closed.append(True)

    async def unused(arg: Any) -> bool:
        return True

    with pytest.raises(KeyError):
        async with Tracked(unused, unused, unused):
            raise KeyError("boom")
    assert closed == [True]


def test_the_protocol_includes_close(tmp_path: Any) -> None:
    for storage in _storages(tmp_path):
        assert isinstance(storage, SessionStorage)

    class NoClose:
        async def store_session(self, session: Any) -> bool: ...
        async def load_session(self, id: str) -> Session | None: ...
        async def delete_session(self, id: str) -> bool: ...
        async def delete_sessions(self, ids: Any) -> bool: ...
        async def find_sessions_by_shop(self, shop: str) -> list[Session]: ...

    assert not isinstance(NoClose(), SessionStorage)
