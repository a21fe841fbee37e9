"""Messages in Python's words: the core renders every name for the host it runs in, so a Python
user reads ``access_token``, ``None``, ``a list``, ``find_sessions_by_shop``, ``key_prefix`` and
``timeout`` (in seconds) - never Node's ``accessToken``, ``null``, ``an array``,
``findSessionsByShop``, ``keyPrefix`` or ``timeoutMs``. (Node's suite pins Node's words.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from sessionkeeper import (
    CallbackTimeoutError,
    CustomSessionStorage,
    InvalidArgumentError,
    InvalidCallbackResultError,
    InvalidSessionError,
    NotSupportedError,
    Session,
)

JS_WORDS = ("accessToken", "isOnline", "onlineAccessInfo", "null", "an array", "an object",
            "findSessionsByShop", "deleteSessions", "keyPrefix", "timeoutMs", " ms")


def _pythonic(message: str) -> str:
    for word in JS_WORDS:
        assert word not in message, f"{word!r} in {message!r}"
    return message


def _returning(value: Any) -> Any:
    async def callback(arg: Any) -> Any:
        return value

    return callback


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"access_token": 5}, 'session: "access_token" must be a string, got a number'),
        ({"is_online": [True]}, 'session: "is_online" must be a bool, got a list'),
        ({"data": True}, 'session: "data" must be a dict, got True'),
        ({"online_access_info": "x"}, 'session: "online_access_info" must be a dict, got a string'),
        (
            {"online_access_info": {"associated_user": {"id": "7"}}},
            'session: "online_access_info.associated_user.id" must be a number',
        ),
    ],
)
def test_fields_and_kinds(fields: dict[str, Any], expected: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        Session.from_dict({"id": "a", **fields})
    assert _pythonic(str(info.value)).startswith(expected)


def test_none_and_lists() -> None:
    with pytest.raises(InvalidArgumentError) as info:
        Session.from_dict({"id": None})
    assert _pythonic(str(info.value)).endswith("got None")
    with pytest.raises(InvalidSessionError) as stored:
        Session.from_json("[[1, 2, 3]]")
    _pythonic(str(stored.value))


async def test_callback_names_and_results() -> None:
    storage = CustomSessionStorage(_returning(None), _returning([1]), _returning("yes"))
    with pytest.raises(NotSupportedError) as info:
        await storage.find_sessions_by_shop("s.myshopify.com")
    assert _pythonic(str(info.value)) == (
        "find_sessions_by_shop needs a find_sessions_by_shop callback; "
        "pass one when creating the CustomSessionStorage"
    )
    with pytest.raises(InvalidCallbackResultError) as result:
        await storage.store_session({"id": "a"})
    assert _pythonic(str(result.value)) == "store callback must return True or False, got None"
    with pytest.raises(InvalidCallbackResultError) as result:
        await storage.delete_sessions(["a"])
    assert "delete callback must return True or False" in _pythonic(str(result.value))
    finder = CustomSessionStorage(
        _returning(True), _returning(None), _returning(True),
        delete_sessions=_returning(None), find_sessions_by_shop=_returning({"id": "a"}),
    )
    with pytest.raises(InvalidCallbackResultError) as result:
        await finder.delete_sessions(["a"])
    assert _pythonic(str(result.value)).startswith("delete_sessions callback must return True or False")
    with pytest.raises(InvalidCallbackResultError) as result:
        await finder.find_sessions_by_shop("s.myshopify.com")
    assert _pythonic(str(result.value)).startswith("find_sessions_by_shop callback must return a list of sessions")


async def test_timeouts_read_in_seconds() -> None:
    async def hang(arg: Any) -> Any:
        await asyncio.sleep(5)

    storage = CustomSessionStorage(hang, hang, hang, timeout=0.05)
    with pytest.raises(CallbackTimeoutError) as info:
        await storage.load_session("a")
    assert _pythonic(str(info.value)) == 'failed to load session "a": the load callback did not settle within 0.05 s'
    with pytest.raises(InvalidArgumentError) as bad:
        CustomSessionStorage(hang, hang, hang, timeout=-1)
    assert _pythonic(str(bad.value)).startswith("timeout must be")


def test_adapter_options() -> None:
    pytest.importorskip("redis")
    from sessionkeeper.redis import redis_session_storage

    with pytest.raises(InvalidArgumentError) as info:
        redis_session_storage("redis://127.0.0.1:6379", key_prefix="")
    assert _pythonic(str(info.value)).startswith("key_prefix must be a non-empty string")
    with pytest.raises(InvalidArgumentError) as typed:
        redis_session_storage("redis://127.0.0.1:6379", key_prefix=5)  # type: ignore[arg-type]
    assert _pythonic(str(typed.value)).startswith("key_prefix must be a string")
