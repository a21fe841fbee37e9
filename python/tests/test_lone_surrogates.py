"""A ``str`` holding a lone surrogate (half of a UTF-16 pair; ``"\\ud800"``) cannot become
UTF-8: anywhere the app passes one - an id, a shop, a field, ``data`` (values and keys), ids
for ``delete_sessions`` - it is ``InvalidArgumentError`` (``INVALID_ARGUMENT``) like any other
bad input, with nothing written; from a store it is ``INVALID_SESSION``."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import EMBEDDED_KINDS, embedded_storage
from sessionkeeper import (
    CustomSessionStorage,
    InvalidArgumentError,
    InvalidSessionError,
    Session,
)

BAD_SESSIONS: list[dict[str, Any]] = [
    {"id": "a\ud800"},
    {"id": "b", "shop": "x\udc00"},
    {"id": "c", "data": {"note": "x\ud800"}},
    {"id": "d", "data": {"k\udbff": 1}},
    {"id": "e", "access_token": "tok\ud800"},
    {"id": "f", "online_access_info": {"associated_user": {"email": "\ud800"}}},
]


@pytest.mark.parametrize("kind", EMBEDDED_KINDS)
async def test_every_entry_refuses_lone_surrogates_and_writes_nothing(kind: str, tmp_path: Any) -> None:
    storage = embedded_storage(kind, tmp_path)
    for bad in BAD_SESSIONS:
        with pytest.raises(InvalidArgumentError, match="lone surrogate"):
            await storage.store_session(bad)
        with pytest.raises(InvalidArgumentError, match="lone surrogate"):
            Session.from_dict(bad)
        assert await storage.load_session(bad["id"].replace("\ud800", "?")) is None
    with pytest.raises(InvalidArgumentError, match='id must be valid Unicode'):
        await storage.load_session("a\ud800")
    with pytest.raises(InvalidArgumentError, match="id must be valid Unicode"):
        await storage.delete_session("a\ud800")
    with pytest.raises(InvalidArgumentError, match=r"ids\[1\] must be valid Unicode"):
        await storage.delete_sessions(["ok", "a\ud800"])
    with pytest.raises(InvalidArgumentError, match="shop must be valid Unicode"):
        await storage.find_sessions_by_shop("s\ud800")
    assert [await storage.load_session(i) for i in "bcdef"] == [None] * 5


def test_constructor_setters_and_scopes() -> None:
    with pytest.raises(InvalidArgumentError, match='"id" must be valid Unicode'):
        Session("a\ud800")
    session = Session("a")
    with pytest.raises(InvalidArgumentError, match="lone surrogate"):
        session.id = "b\udfff"
    with pytest.raises(InvalidArgumentError, match="lone surrogate"):
        session.shop = "\ud800"
    with pytest.raises(InvalidArgumentError, match="scopes must be valid Unicode"):
        session.is_scope_included("read_\ud800")
    assert session.id == "a" and session.shop == ""


async def test_text_from_a_store_with_a_lone_surrogate_is_invalid_session() -> None:
    async def load(id: str) -> Any:
        return '{"id":"a","shop":"\ud800"}'

    async def unused(arg: Any) -> bool:
        raise AssertionError("not called")

    with pytest.raises(InvalidSessionError, match="lone surrogate"):
        await CustomSessionStorage(unused, load, unused).load_session("a")
    with pytest.raises(InvalidSessionError, match="lone surrogate"):
        Session.from_json('{"id":"a\ud800"}')


def test_paired_surrogates_are_ordinary_text() -> None:
    assert Session("smile-\U0001f600").id == "smile-😀"
