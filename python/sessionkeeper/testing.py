"""The conformance battery: what every session storage must do, in the spirit of Shopify's
``batteryOfTests``, plus what sessionkeeper adds (copies, canonical JSON, clear errors).

Point it at your own storage (here with pytest and pytest-asyncio)::

    import pytest
    from sessionkeeper.testing import battery

    @pytest.mark.parametrize("case", battery().values(), ids=list(battery()))
    async def test_my_storage(case):
        await case(make_my_storage())

or run every case at once with ``await run_battery(make_my_storage)``. Like Shopify's, the
battery never clears the storage between cases: it must upsert, and what earlier cases left
behind must not disturb later ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from ._native import Session
from .errors import SessionStorageError
from .storage import SessionStorage

__all__ = ["Case", "CASES", "DATA_CASES", "battery", "run_battery", "sessions_equal"]

Case = Callable[[SessionStorage], Awaitable[None]]


def sessions_equal(a: Sequence[Session], b: Sequence[Session]) -> bool:
    """Whether every session of ``a`` equals one of ``b`` and the lengths match (Shopify's helper)."""
    return len(a) == len(b) and all(any(s == t for t in b) for s in a)


def _whole_seconds(from_now: timedelta) -> datetime:
    """A date at whole seconds, as Shopify's battery builds them."""
    return (datetime.now(timezone.utc) + from_now).replace(microsecond=0)


LONG_SCOPE = ",".join(
    [
        "unauthenticated_read_product_listings",
        "unauthenticated_write_checkouts",
        "unauthenticated_write_customers",
        "unauthenticated_read_customer_tags",
        "unauthenticated_read_content",
        "unauthenticated_read_product_tags",
        "read_orders",
        "read_products",
        "read_script_tags",
        "write_script_tags",
        "read_legal_policies",
    ]
)


async def _round_trip(storage: SessionStorage, session: Session) -> Session:
    assert await storage.store_session(session) is True, "store_session returns True"
    loaded = await storage.load_session(session.id)
    assert isinstance(loaded, Session), f"load_session returns a Session, got {loaded!r}"
    assert session == loaded, f"the loaded session equals the stored one ({session.id!r})"
    assert loaded.to_json() == session.to_json(), "the loaded session has the same canonical JSON"
    return loaded


async def _delete_and_check(storage: SessionStorage, id: str) -> None:
    assert await storage.delete_session(id) is True
    assert await storage.load_session(id) is None, "a deleted session loads as None"
    assert await storage.delete_session(id) is True, "deleting a missing id succeeds"


async def _raises_code(awaitable: Awaitable[Any], code: str, mentions: str = "") -> None:
    try:
        await awaitable
    except SessionStorageError as error:
        assert error.code == code, f"expected {code}, got {error.code}: {error}"
        assert mentions in str(error), f"the message names {mentions!r}: {error}"
        return
    raise AssertionError(f"expected SessionStorageError {code}, nothing was raised")


async def store_and_delete_all_kinds(storage: SessionStorage) -> None:
    base: dict[str, Any] = dict(
        shop="shop", state="state", is_online=False, scope="test_scope", access_token="123"
    )
    kinds: list[dict[str, Any]] = [{}, {"expires": _whole_seconds(timedelta(hours=1))}, {"expires": None}]
    for extra in kinds + kinds:
        session = Session("test_session", **base, **extra)
        loaded = await _round_trip(storage, session)
        assert loaded.is_active(["test_scope"]), "the loaded session is active"
        await _delete_and_check(storage, "test_session")


async def store_dict_with_unexpected_fields(storage: SessionStorage) -> None:
    params = {"id": "test_session", "shop": "shop", "state": "state", "isOnline": False, "someField": "lol"}
    assert await storage.store_session(params) is True
    loaded = await storage.load_session("test_session")
    assert loaded is not None and loaded.shop == "shop"
    assert "someField" not in loaded.to_json(), "unknown keys are ignored"


async def store_and_delete_with_user_info(storage: SessionStorage) -> None:
    user = {
        "id": 123,
        "first_name": "first",
        "last_name": "last",
        "email": "email@email.com",
        "email_verified": True,
        "account_owner": True,
        "locale": "en",
        "collaborator": False,
    }
    session = Session(
        "test_session",
        shop="shop",
        state="state",
        is_online=True,
        scope="test_scope",
        access_token="123",
        online_access_info={"associated_user": user},
    )
    loaded = await _round_trip(storage, session)
    assert loaded.is_active(["test_scope"])
    assert loaded.online_access_info == {"associated_user": user}
    await _delete_and_check(storage, "test_session")


async def keeps_expired_sessions(storage: SessionStorage) -> None:
    session = Session(
        "battery_expired",
        shop="expired.myshopify.com",
        state="state",
        is_online=True,
        scope="test_scope",
        access_token="123",
        expires=_whole_seconds(timedelta(hours=-1)),
        online_access_info={"associated_user": {"id": 7}},
    )
    loaded = await _round_trip(storage, session)
    assert loaded.is_expired() and not loaded.is_active("test_scope"), "still expired once loaded"
    assert loaded.shop == "expired.myshopify.com"
    assert sessions_equal(await storage.find_sessions_by_shop("expired.myshopify.com"), [session])
    await _delete_and_check(storage, "battery_expired")


async def wrong_ids_return_none(storage: SessionStorage) -> None:
    assert await storage.load_session("not_a_session_id") is None


async def find_all_sessions_for_a_shop(storage: SessionStorage) -> None:
    sessions = [
        Session(id, shop=shop, state="state")
        for id, shop in [
            ("find_sessions_1", "find-shop1-sessions.myshopify.io"),
            ("find_sessions_2", "do-not-find-shop2-sessions.myshopify.io"),
            ("find_sessions_3", "find-shop1-sessions.myshopify.io"),
            ("find_sessions_4", "do-not-find-shop3-sessions.myshopify.io"),
        ]
    ]
    for s in sessions:
        assert await storage.store_session(s) is True
    found = await storage.find_sessions_by_shop("find-shop1-sessions.myshopify.io")
    assert len(found) == 2, f"two sessions of the shop, got {found!r}"
    assert sessions_equal(found, [sessions[0], sessions[2]])
    assert await storage.find_sessions_by_shop("no-such-shop.myshopify.io") == []


async def delete_sessions_by_ids(storage: SessionStorage) -> None:
    sessions = [
        Session(id, shop=shop, state="state")
        for id, shop in [
            ("delete_sessions_1", "delete-shop1-sessions.myshopify.io"),
            ("delete_sessions_2", "do-not-delete-shop2-sessions.myshopify.io"),
            ("delete_sessions_3", "delete-shop1-sessions.myshopify.io"),
            ("delete_sessions_4", "do-not-delete-shop3-sessions.myshopify.io"),
        ]
    ]
    for s in sessions:
        assert await storage.store_session(s) is True
    found = await storage.find_sessions_by_shop("delete-shop1-sessions.myshopify.io")
    assert len(found) == 2
    assert await storage.delete_sessions([s.id for s in found]) is True
    assert await storage.find_sessions_by_shop("delete-shop1-sessions.myshopify.io") == []
    assert await storage.load_session("delete_sessions_2") == sessions[1], "other sessions stay"
    assert await storage.delete_sessions([]) is True, "deleting no ids succeeds"
    assert await storage.delete_sessions(["never-stored-1", "never-stored-2"]) is True


async def scope_longer_than_255(storage: SessionStorage) -> None:
    session = Session("test_session", shop="shop", state="state", scope=LONG_SCOPE)
    loaded = await _round_trip(storage, session)
    assert loaded.scope == LONG_SCOPE


async def store_and_delete_with_refresh_tokens(storage: SessionStorage) -> None:
    base: dict[str, Any] = dict(shop="shop", state="state", scope="test_scope")
    first = Session(
        "test_refresh_token_session", **base, access_token="access_token_123", refresh_token="refresh_token_456"
    )
    loaded = await _round_trip(storage, first)
    assert loaded.refresh_token == "refresh_token_456"
    assert loaded.refresh_token_expires is None
    when = _whole_seconds(timedelta(days=30))
    second = Session(
        "test_refresh_token_session",
        **base,
        access_token="access_token_789",
        refresh_token="refresh_token_abc",
        refresh_token_expires=when,
    )
    loaded = await _round_trip(storage, second)
    assert loaded.refresh_token == "refresh_token_abc"
    assert loaded.refresh_token_expires == when
    assert await storage.delete_session("test_refresh_token_session") is True
    assert await storage.load_session("test_refresh_token_session") is None


async def dates_to_the_millisecond(storage: SessionStorage) -> None:
    expires = datetime(2031, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)
    refresh = datetime(2032, 1, 1, 0, 0, 0, 1000, tzinfo=timezone(timedelta(hours=2)))
    session = Session(
        "battery_precision",
        shop="precision.myshopify.com",
        expires=expires,
        refresh_token="r",
        refresh_token_expires=refresh,
    )
    loaded = await _round_trip(storage, session)
    assert loaded.expires == expires and loaded.expires.tzinfo == timezone.utc
    assert loaded.refresh_token_expires == refresh


async def stores_copies(storage: SessionStorage) -> None:
    session = Session("battery_copies", shop="copies.myshopify.com", scope="a")
    assert await storage.store_session(session) is True
    session.shop = "changed.myshopify.com"
    session.scope = "b"
    first = await storage.load_session("battery_copies")
    assert first is not None and first.shop == "copies.myshopify.com" and first.scope == "a"
    first.scope = "c"
    second = await storage.load_session("battery_copies")
    assert second is not None and second.scope == "a"
    assert first is not second


async def accepts_dicts(storage: SessionStorage) -> None:
    params = {
        "id": "battery_plain",
        "shop": "plain.myshopify.com",
        "isOnline": False,
        "expires": 1893456000000,
    }
    assert await storage.store_session(params) is True
    loaded = await storage.load_session("battery_plain")
    assert isinstance(loaded, Session)
    assert loaded.expires == datetime(2030, 1, 1, tzinfo=timezone.utc)


async def upserts(storage: SessionStorage) -> None:
    await storage.store_session(Session("battery_upsert", shop="one.myshopify.com", state="a"))
    await storage.store_session(Session("battery_upsert", shop="two.myshopify.com", state="b"))
    loaded = await storage.load_session("battery_upsert")
    assert loaded is not None and loaded.state == "b"
    assert await storage.find_sessions_by_shop("one.myshopify.com") == []
    assert len(await storage.find_sessions_by_shop("two.myshopify.com")) == 1


async def concurrent_stores_and_loads(storage: SessionStorage) -> None:
    shop = "concurrent.myshopify.com"
    sessions = [Session(f"battery_concurrent_{i}", shop=shop, state=str(i)) for i in range(50)]
    stored = await asyncio.gather(*(storage.store_session(s) for s in sessions))
    assert all(r is True for r in stored)
    loaded = await asyncio.gather(*(storage.load_session(s.id) for s in sessions))
    assert all(a == b for a, b in zip(loaded, sessions))
    assert sessions_equal(await storage.find_sessions_by_shop(shop), sessions)
    assert await storage.delete_sessions([s.id for s in sessions]) is True
    assert await storage.find_sessions_by_shop(shop) == []


async def opaque_ids(storage: SessionStorage) -> None:
    for id in ["../../etc/passwd", "/abs/path", ".", "ünï 🍪 ✓", "a" * 1024]:
        await _round_trip(storage, Session(id, shop="ids.myshopify.com"))
        await _delete_and_check(storage, id)


async def rejects_bad_arguments(storage: SessionStorage) -> None:
    bad: Any = 42
    await _raises_code(storage.load_session(""), "INVALID_ARGUMENT")
    await _raises_code(storage.load_session("x" * 1025), "INVALID_ARGUMENT")
    await _raises_code(storage.load_session(bad), "INVALID_ARGUMENT")
    await _raises_code(storage.delete_session(""), "INVALID_ARGUMENT")
    await _raises_code(storage.delete_sessions(["ok", ""]), "INVALID_ARGUMENT")
    await _raises_code(storage.delete_sessions(bad), "INVALID_ARGUMENT")
    await _raises_code(storage.find_sessions_by_shop(""), "INVALID_ARGUMENT")
    await _raises_code(storage.store_session({"id": "bad", "isOnline": "maybe"}), "INVALID_ARGUMENT", "is_online")
    await _raises_code(
        storage.store_session({"id": "bad", "expires": datetime(2030, 1, 1)}), "INVALID_ARGUMENT", "expires"
    )
    await _raises_code(storage.store_session(None), "INVALID_ARGUMENT")  # type: ignore[arg-type]
    assert await storage.load_session("bad") is None, "nothing was stored"


CASES: dict[str, Case] = {
    "can store and delete all kinds of sessions": store_and_delete_all_kinds,
    "can store sessions with unexpected fields": store_dict_with_unexpected_fields,
    "can store and delete sessions with user info": store_and_delete_with_user_info,
    "keeps expired sessions loadable (Shopify apps read the shop of an expired session)": keeps_expired_sessions,
    "wrong ids return None": wrong_ids_return_none,
    "can find all the sessions for a given shop": find_all_sessions_for_a_shop,
    "can delete the sessions for a given list of ids": delete_sessions_by_ids,
    "can store sessions with scope longer than 255 chars": scope_longer_than_255,
    "can store and delete sessions with refresh tokens": store_and_delete_with_refresh_tokens,
    "keeps dates to the millisecond": dates_to_the_millisecond,
    "stores copies": stores_copies,
    "accepts dicts as sessions and returns Sessions": accepts_dicts,
    "upserts, also across shops": upserts,
    "handles concurrent stores and loads": concurrent_stores_and_loads,
    "ids are opaque": opaque_ids,
    "rejects bad arguments with INVALID_ARGUMENT": rejects_bad_arguments,
}


async def keeps_app_data(storage: SessionStorage) -> None:
    data = {
        "n": 1.5,
        "big": 2**53 - 1,
        "neg": -0.25,
        "list": [1, "two", None, {"three": 3}],
        "nested": {"a": {"b": True}},
    }
    loaded = await _round_trip(storage, Session("battery_data", shop="data.myshopify.com", data=data))
    assert loaded.data == data


async def stores_copies_of_app_data(storage: SessionStorage) -> None:
    session = Session("battery_data_copies", shop="data.myshopify.com", data={"count": 1})
    assert await storage.store_session(session) is True
    assert session.data is not None
    session.data["count"] = 2
    first = await storage.load_session("battery_data_copies")
    assert first is not None and first.data == {"count": 1}
    assert first.data is not None
    first.data["count"] = 3
    again = await storage.load_session("battery_data_copies")
    assert again is not None and again.data == {"count": 1}


DATA_CASES: dict[str, Case] = {
    "keeps app data exactly": keeps_app_data,
    "stores copies of app data": stores_copies_of_app_data,
}


def battery(app_data: bool = True) -> dict[str, Case]:
    """Every case by name. ``app_data=False`` leaves out the cases about ``data``, for
    storages that keep Shopify's fields only (property-array stores)."""
    return {**CASES, **DATA_CASES} if app_data else dict(CASES)


async def run_battery(
    storage_factory: Callable[[], SessionStorage | Awaitable[SessionStorage]], *, app_data: bool = True
) -> None:
    """Runs every case in order against storages from ``storage_factory`` (called per case);
    the first failure raises ``AssertionError`` naming the case."""
    for name, case in battery(app_data).items():
        made = storage_factory()
        storage = await made if isinstance(made, Awaitable) else made
        try:
            await case(storage)
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from error
