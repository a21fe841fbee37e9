"""A typed tour of the public API. `mypy --strict` checks it against the hand-written stubs
(python/tests/test_typing.py), and the same test runs it."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from datetime import datetime, timezone

from sessionkeeper import (
    ERROR_CODES,
    CustomSessionStorage,
    ErrorCode,
    FileSessionStorage,
    InvalidArgumentError,
    MemorySessionStorage,
    Session,
    SessionStorage,
    SessionStorageError,
)
from sessionkeeper.testing import Case, battery, sessions_equal


def make_session() -> Session:
    session = Session(
        "online_typed_1",
        shop="typed.myshopify.com",
        is_online=True,
        scope="write_products",
        expires=datetime(2030, 1, 1, tzinfo=timezone.utc),
        access_token="shpat_typed",
        online_access_info={"associated_user": {"id": 1, "email": "a@example.com"}},
        data={"cart": [1, 2], "note": None},
    )
    session.state = "state"
    session.refresh_token = None
    data = session.data
    if data is not None:
        data["visits"] = 1
    return session


class DictStore:
    """Callbacks as bound methods: a sync ``store``, async ``load``/``delete``/``find``."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}

    def store(self, session: Session) -> bool:
        self.rows[session.id] = session.to_json()
        return True

    async def load(self, id: str) -> str | None:
        return self.rows.get(id)

    async def delete(self, id: str) -> bool:
        return self.rows.pop(id, None) is not None or True

    async def find(self, shop: str) -> list[Session]:
        sessions = [Session.from_json(text) for text in self.rows.values()]
        return [s for s in sessions if s.shop == shop]


async def use(storage: SessionStorage, session: Session) -> list[Session]:
    stored: bool = await storage.store_session(session)
    assert stored
    loaded: Session | None = await storage.load_session(session.id)
    assert loaded is not None and loaded == session
    expires: datetime | None = loaded.expires
    assert expires is not None and expires.tzinfo is not None
    active: bool = loaded.is_active(["read_products"], within_ms=500)
    assert active and not loaded.is_expired()
    pairs: list[list[object]] = loaded.to_property_array(return_user_data=True)
    assert Session.from_property_array(pairs, return_user_data=True).id == session.id
    found: list[Session] = await storage.find_sessions_by_shop(session.shop)
    assert await storage.delete_sessions([s.id for s in found])
    return found


async def main() -> None:
    session = make_session()
    db = DictStore()
    custom = CustomSessionStorage(
        db.store, db.load, db.delete, find_sessions_by_shop=db.find, timeout=None
    )
    with tempfile.TemporaryDirectory() as directory:
        storages: Sequence[SessionStorage] = [custom, MemorySessionStorage(), FileSessionStorage(directory)]
        for storage in storages:
            assert sessions_equal(await use(storage, session), [session])
    try:
        Session("")
    except InvalidArgumentError as error:
        code: ErrorCode = error.code
        assert code in ERROR_CODES and isinstance(error, SessionStorageError)
    cases: dict[str, Case] = battery(app_data=True)
    for case in cases.values():
        await case(MemorySessionStorage())
    text: str = session.to_json()
    assert Session.from_json(text).to_dict()["id"] == session.id


if __name__ == "__main__":
    asyncio.run(main())
