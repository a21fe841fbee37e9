"""The shared vectors of tests/vectors/, read by the Rust, Node and Python suites alike:
the same canonical bytes, property arrays and error codes in every language."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers import load_vectors
from sessionkeeper import CustomSessionStorage, MemorySessionStorage, Session, SessionStorageError

SESSIONS = load_vectors("sessions.json")["sessions"]
INVALID = load_vectors("invalid.json")["cases"]


def by_name(cases: list[dict[str, Any]]) -> Any:
    return pytest.mark.parametrize("case", cases, ids=[c["name"] for c in cases])


def loading(value: Any) -> CustomSessionStorage:
    """A storage whose load callback hands back ``value`` whatever the id."""

    async def load(id: str) -> Any:
        return value

    async def unused(arg: Any) -> bool:
        raise AssertionError("not called")

    return CustomSessionStorage(unused, load, unused)


def test_vectors_are_present() -> None:
    assert len(SESSIONS) >= 10 and len(INVALID) >= 20


@by_name(SESSIONS)
def test_input_gives_the_canonical_json(case: dict[str, Any]) -> None:
    assert Session.from_dict(case["input"]).to_json() == case["canonical"]


@by_name(SESSIONS)
def test_canonical_is_a_fixed_point(case: dict[str, Any]) -> None:
    canonical = case["canonical"]
    assert Session.from_json(canonical).to_json() == canonical
    assert Session.from_json(canonical.encode()).to_json() == canonical
    assert Session.from_dict(json.loads(canonical)).to_json() == canonical
    assert Session.from_json(canonical).to_dict() == json.loads(canonical)


@by_name(SESSIONS)
def test_property_arrays(case: dict[str, Any]) -> None:
    session = Session.from_json(case["canonical"])
    assert session.to_property_array() == case["propertyArray"]
    assert session.to_property_array(return_user_data=True) == case["propertyArrayWithUserData"]
    # Property arrays carry Shopify's fields only (no data): they round-trip as themselves.
    with_user = Session.from_property_array(case["propertyArrayWithUserData"], return_user_data=True)
    assert with_user.to_property_array(return_user_data=True) == case["propertyArrayWithUserData"]
    without = Session.from_property_array(case["propertyArray"])
    assert without.to_property_array() == case["propertyArray"]


@by_name(SESSIONS)
async def test_equivalents_canonicalize(case: dict[str, Any]) -> None:
    canonical = case["canonical"]
    session_id = json.loads(canonical)["id"]
    for value in case["equivalent"]:
        if isinstance(value, str):
            assert Session.from_json(value).to_json() == canonical
        loaded = await loading(value).load_session(session_id)
        assert loaded is not None and loaded.to_json() == canonical, value
        if not isinstance(value, str):
            as_text = await loading(json.dumps(value)).load_session(session_id)
            assert as_text is not None and as_text.to_json() == canonical, value


@by_name(SESSIONS)
async def test_stored_input_loads_canonical(case: dict[str, Any]) -> None:
    storage = MemorySessionStorage()
    assert await storage.store_session(case["input"]) is True
    loaded = await storage.load_session(case["input"]["id"])
    assert loaded is not None and loaded.to_json() == case["canonical"]
    assert await loading(case["input"]).load_session(case["input"]["id"]) == loaded


def secrets_of(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return []
    return [v for k, v in value.items() if k in ("accessToken", "refreshToken") and isinstance(v, str)]


def check(error: SessionStorageError, code: str, case: dict[str, Any]) -> None:
    assert error.code == code, f"{case['name']}: {error.code} {error}"
    # Messages name fields as Python spells them (the core renders them for the host).
    field = case.get("pythonField", case["field"])
    assert field in str(error), f"{case['name']}: {error}"
    for secret in secrets_of(case["input"]):
        assert secret not in str(error)


@by_name(INVALID)
async def test_invalid_as_stored_data(case: dict[str, Any]) -> None:
    with pytest.raises(SessionStorageError) as info:
        Session.from_json(json.dumps(case["input"]))
    check(info.value, case["stored"], case)
    given = case["input"].get("id") if isinstance(case["input"], dict) else None
    # Ask for the id the value holds when that is a valid id, so only the field is at fault.
    wanted = given if isinstance(given, str) and 0 < len(given.encode()) <= 1024 else "a"
    for value in (case["input"], json.dumps(case["input"])):
        with pytest.raises(SessionStorageError) as info:
            await loading(value).load_session(wanted)
        check(info.value, case["stored"], case)


@by_name(INVALID)
async def test_invalid_as_app_input(case: dict[str, Any]) -> None:
    with pytest.raises(SessionStorageError) as info:
        await MemorySessionStorage().store_session(case["input"])
    check(info.value, case["argument"], case)
    if isinstance(case["input"], dict):
        with pytest.raises(ValueError) as caught:
            Session.from_dict(case["input"])
        assert isinstance(caught.value, SessionStorageError)
        check(caught.value, case["argument"], case)
