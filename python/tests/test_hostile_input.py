"""What a hostile tester tried against the public API: host code that mutates a value while it
is converted, tokens of the wrong type, ids built to forge log lines. Every failure must be a
SessionStorageError, never pyo3's PanicException (a BaseException), and no message may echo a
token or carry a raw control character."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from sessionkeeper import CustomSessionStorage, Session, SessionStorageError

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]")


def test_a_value_that_mutates_its_dict_during_conversion_is_no_panic() -> None:
    data: dict[str, Any] = {}

    class Meddling(datetime):
        def utcoffset(self) -> timedelta | None:
            data.clear()
            data.update({f"k{i}": i for i in range(50)})
            return timedelta(0)

    data.update({"a": Meddling(2030, 1, 1, tzinfo=timezone.utc), "b": 1, "c": 2})
    try:
        session = Session("m", data=data)
    except SessionStorageError:
        return  # refused with our own error: fine
    assert set(session.data) == {"a", "b", "c"}, "the snapshot taken before conversion"


async def test_a_token_of_the_wrong_type_is_never_echoed() -> None:
    for field in ["accessToken", "refreshToken"]:

        async def load(id: str, field: str = field) -> dict[str, Any]:
            return {"id": id, field: 987654321012345}

        storage = CustomSessionStorage(lambda s: True, load, lambda id: True)
        with pytest.raises(SessionStorageError) as info:
            await storage.load_session("t")
        assert info.value.code == "INVALID_SESSION"
        assert "987654321012345" not in str(info.value)
        assert "got a number" in str(info.value)


async def test_ids_in_callback_messages_cannot_forge_log_lines() -> None:
    id = "x\n2026-01-01 [ERROR] forged\r\x1b[2J\u202e"

    async def store(session: Session) -> bool:
        raise RuntimeError("down")

    async def load(id: str) -> None:
        await asyncio.sleep(10)

    storage = CustomSessionStorage(store, load, lambda id: True, timeout=0.02)
    for call, code in [(storage.store_session({"id": id}), "CALLBACK_FAILED"), (storage.load_session(id), "CALLBACK_TIMEOUT")]:
        with pytest.raises(SessionStorageError) as info:
            await call
        message = str(info.value)
        assert info.value.code == code
        assert not CONTROL.search(message), repr(message)
        assert '"x\\n2026-01-01 [ERROR] forged\\r\\u001b[2J\\u202e"' in message, message
