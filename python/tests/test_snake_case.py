"""Dicts written the way Python code writes them: every session field may be spelt in
snake_case (``is_online``, ``access_token``, …) wherever a dict is read - ``store_session``,
``Session.from_dict``, a ``load`` callback's result - and both spellings with different values
are an error, never a silent pick. The rule is the core's (vectors in tests/vectors/)."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import EMBEDDED_KINDS, embedded_storage
from sessionkeeper import (
    CustomSessionStorage,
    InvalidArgumentError,
    InvalidSessionError,
    MemorySessionStorage,
    Session,
)

SNAKE = {
    "id": "x",
    "shop": "s.myshopify.com",
    "is_online": True,
    "access_token": "tok",
    "refresh_token": "rt",
    "refresh_token_expires": "2030-02-01T00:00:00Z",
    "online_access_info": {"associated_user": {"id": 7, "email": "a@b.c"}},
}
CANONICAL = (
    '{"id":"x","shop":"s.myshopify.com","state":"","isOnline":true,"accessToken":"tok",'
    '"refreshToken":"rt","refreshTokenExpires":"2030-02-01T00:00:00.000Z",'
    '"onlineAccessInfo":{"associated_user":{"id":7,"email":"a@b.c"}}}'
)


def test_from_dict_reads_snake_case_keys() -> None:
    session = Session.from_dict(SNAKE)
    assert session.to_json() == CANONICAL
    assert session.is_online is True and session.access_token == "tok"


@pytest.mark.parametrize("kind", EMBEDDED_KINDS)
async def test_store_session_keeps_every_snake_case_field(kind: str, tmp_path: Any) -> None:
    storage = embedded_storage(kind, tmp_path)
    assert await storage.store_session(SNAKE) is True
    loaded = await storage.load_session("x")
    assert loaded is not None and loaded.to_json() == CANONICAL


async def test_a_load_callback_may_answer_with_snake_case_dicts() -> None:
    async def load(id: str) -> dict[str, Any]:
        return {**SNAKE, "id": id}

    async def find(shop: str) -> list[dict[str, Any]]:
        return [SNAKE]

    async def unused(arg: Any) -> bool:
        raise AssertionError("not called")

    storage = CustomSessionStorage(unused, load, unused, find_sessions_by_shop=find)
    loaded = await storage.load_session("x")
    assert loaded is not None and loaded.to_json() == CANONICAL
    assert [s.to_json() for s in await storage.find_sessions_by_shop("s.myshopify.com")] == [CANONICAL]


def test_both_spellings_agreeing_are_fine() -> None:
    both = {**SNAKE, "isOnline": True, "accessToken": "tok", "refreshTokenExpires": 1896134400000}
    assert Session.from_dict(both).to_json() == CANONICAL


async def test_both_spellings_disagreeing_are_refused_and_nothing_is_written() -> None:
    storage = MemorySessionStorage()
    clash = {"id": "x", "accessToken": "shpat_one", "access_token": "shpat_two"}
    with pytest.raises(InvalidArgumentError, match='"accessToken" and "access_token"') as raised:
        await storage.store_session(clash)
    assert "shpat" not in str(raised.value), "tokens never reach messages"
    assert await storage.load_session("x") is None
    with pytest.raises(InvalidArgumentError, match='"isOnline" and "is_online"'):
        Session.from_dict({"id": "x", "isOnline": True, "is_online": False})

    async def load(id: str) -> dict[str, Any]:
        return clash

    async def unused(arg: Any) -> bool:
        raise AssertionError("not called")

    with pytest.raises(InvalidSessionError, match='"accessToken" and "access_token"'):
        await CustomSessionStorage(unused, load, unused).load_session("x")


def test_a_wrong_kind_names_the_spelling_used() -> None:
    with pytest.raises(InvalidArgumentError, match='"is_online" must be a bool'):
        Session.from_dict({"id": "x", "is_online": "yes"})
