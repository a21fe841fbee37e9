"""Arbitrary input gives a SessionStorageError, never a crash or a Rust panic (pyo3 would raise
PanicException, a BaseException that `except SessionStorageError` would not catch)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from typing import Any

import pytest

from sessionkeeper import CustomSessionStorage, FileSessionStorage, InvalidArgumentError, Session, SessionStorageError

KEYS = ["id", "shop", "state", "isOnline", "scope", "expires", "accessToken", "refreshToken",
        "refreshTokenExpires", "onlineAccessInfo", "data", "associated_user", "expires_in", "ID", "x"]


def arbitrary(rng: random.Random, depth: int = 0) -> Any:
    kinds = ["str", "int", "float", "bool", "none", "big", "date", "naive", "bytes", "set"]
    if depth < 4:
        kinds += ["dict", "list", "tuple"] * 2
    kind = rng.choice(kinds)
    if kind == "str":
        return rng.choice(["", "a", "2030-01-01T00:00:00Z", "soon", "é🍪\x00", "1893456000000", "true"])
    if kind == "int":
        return rng.choice([0, -1, 1893456000000, 2**53 - 1, 2**53 + 1, -(2**63), 2**64 - 1])
    if kind == "float":
        return rng.choice([0.5, -0.0, 1e300, float("nan"), float("inf")])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "big":
        return 2**100
    if kind == "date":
        return datetime(2030, 1, 1, tzinfo=timezone.utc)
    if kind == "naive":
        return datetime(2030, 1, 1)
    if kind == "bytes":
        return b"\xff{"
    if kind == "set":
        return {1, 2}
    if kind == "none":
        return None
    if kind == "dict":
        return {rng.choice(KEYS): arbitrary(rng, depth + 1) for _ in range(rng.randrange(5))}
    items = [arbitrary(rng, depth + 1) for _ in range(rng.randrange(4))]
    return items if kind == "list" else tuple(items)


def loading(value: Any) -> CustomSessionStorage:
    async def unused(arg: Any) -> bool:
        return True

    async def load(id: str) -> Any:
        return value

    return CustomSessionStorage(unused, load, unused, find_sessions_by_shop=load)


@pytest.mark.parametrize("seed", range(8))
async def test_arbitrary_values_never_escape_as_anything_but_our_errors(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        value = arbitrary(rng)
        if rng.random() < 0.5:
            value = {"id": "a", rng.choice(KEYS): value}
        for attempt in (
            lambda: Session.from_dict(value),
            lambda: Session.from_property_array(value),
            lambda: Session("a", data=value),
            lambda: Session("a", online_access_info=value),
            lambda: Session("a", expires=value),
        ):
            try:
                attempt()
            except SessionStorageError:
                pass
        for call in (loading(value).load_session("a"), loading(value).find_sessions_by_shop("s")):
            try:
                await call
            except SessionStorageError:
                pass
        try:
            text = json.dumps(value, default=str)
        except ValueError:
            continue
        try:
            Session.from_json(text)
        except SessionStorageError:
            pass


def test_random_text_is_invalid_session_not_a_crash() -> None:
    rng = random.Random(7)
    alphabet = '{}[]":,0123456789.eE+-truefalsnl idshop\\u00'
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(40)))
        try:
            Session.from_json(text)
        except SessionStorageError:
            pass


def test_deep_and_self_referencing_values_are_refused() -> None:
    deep: Any = "leaf"
    for _ in range(10_000):
        deep = [deep]
    with pytest.raises(InvalidArgumentError, match="deeper than 100"):
        Session("a", data={"deep": deep})
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(InvalidArgumentError, match="deeper than 100"):
        Session("a", data=loop)
    ok: Any = 1
    for _ in range(98):
        ok = [ok]
    s = Session("a", data={"ok": ok})
    assert Session.from_json(s.to_json()) == s, "the deepest value accepted reads back"


def test_file_storage_directory_must_be_a_path() -> None:
    with pytest.raises(InvalidArgumentError, match="directory"):
        FileSessionStorage(None)  # type: ignore[arg-type]
