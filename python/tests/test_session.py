"""Session: snake_case attributes, validation, aware UTC datetimes, canonical JSON, Shopify's
methods, equality, secrets kept out of repr."""

from __future__ import annotations

import copy
import inspect
import pickle
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from helpers import load_vectors

from sessionkeeper import InvalidArgumentError, InvalidSessionError, Session, SessionStorageError, _native

UTC = timezone.utc
JAN_2030 = datetime(2030, 1, 1, tzinfo=UTC)


def full() -> Session:
    return Session(
        "online_shop_1",
        shop="shop.myshopify.com",
        state="st",
        is_online=True,
        scope="write_products,read_orders",
        expires=JAN_2030,
        access_token="shpat_access_secret",
        refresh_token="shprt_refresh_secret",
        refresh_token_expires=JAN_2030 + timedelta(days=30),
        online_access_info={
            "expires_in": 86400,
            "associated_user_scope": "write_products",
            "associated_user": {"id": 1, "first_name": "A", "email": "a@example.com"},
        },
        data={"cart": [1, 2], "when": "later"},
    )


def test_defaults() -> None:
    s = Session("x")
    assert (s.id, s.shop, s.state, s.is_online) == ("x", "", "", False)
    assert s.scope is s.expires is s.access_token is s.refresh_token is None
    assert s.refresh_token_expires is s.online_access_info is s.data is None
    assert s.to_json() == '{"id":"x","shop":"","state":"","isOnline":false}'


def test_canonical_json_key_order_and_dates() -> None:
    assert full().to_json() == (
        '{"id":"online_shop_1","shop":"shop.myshopify.com","state":"st","isOnline":true,'
        '"scope":"write_products,read_orders","expires":"2030-01-01T00:00:00.000Z",'
        '"accessToken":"shpat_access_secret","refreshToken":"shprt_refresh_secret",'
        '"refreshTokenExpires":"2030-01-31T00:00:00.000Z","onlineAccessInfo":{"expires_in":86400,'
        '"associated_user_scope":"write_products","associated_user":{"id":1,"first_name":"A",'
        '"email":"a@example.com"}},"data":{"cart":[1,2],"when":"later"}}'
    )


def test_numbers_are_written_as_javascript_writes_them() -> None:
    s = Session("n", data={"one": 1.0, "big": 1e21, "small": 1e-7, "neg_zero": -0.0, "f": 0.1})
    assert s.to_json().endswith('"data":{"one":1,"big":1e+21,"small":1e-7,"neg_zero":0,"f":0.1}}')


def test_dates_are_aware_utc_and_truncated_to_the_millisecond() -> None:
    berlin = timezone(timedelta(hours=1))
    s = Session("d", expires=datetime(2030, 1, 1, 1, 0, 0, 123999, tzinfo=berlin))
    assert s.expires == datetime(2030, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)
    assert s.expires is not None and s.expires.tzinfo is UTC
    assert '"expires":"2030-01-01T00:00:00.123Z"' in s.to_json()
    before_epoch = Session("d", expires=datetime(1969, 12, 31, 23, 59, 59, 999500, tzinfo=UTC))
    assert '"expires":"1969-12-31T23:59:59.999Z"' in before_epoch.to_json()


@pytest.mark.parametrize("field", ["expires", "refresh_token_expires"])
def test_naive_datetimes_are_invalid_arguments(field: str) -> None:
    with pytest.raises(InvalidArgumentError, match="timezone-aware") as info:
        Session("n", **{field: datetime(2030, 1, 1)})
    assert info.value.code == "INVALID_ARGUMENT" and isinstance(info.value, ValueError)
    s = Session("n")
    with pytest.raises(InvalidArgumentError):
        setattr(s, field, datetime(2030, 1, 1))
    with pytest.raises(InvalidArgumentError, match="data.when"):
        Session("n", data={"when": datetime(2030, 1, 1)})


def test_aware_datetimes_in_data_become_iso_text() -> None:
    s = Session("n", data={"when": datetime(2030, 1, 1, 12, tzinfo=UTC)})
    assert s.to_json().endswith('"data":{"when":"2030-01-01T12:00:00.000Z"}}')


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"shop": 5}, "shop"),
        ({"state": 1}, "state"),
        ({"is_online": "maybe"}, "is_online"),
        ({"scope": ["a"]}, "scope"),
        ({"access_token": 12345}, "access_token"),
        ({"expires": "soon"}, "expires"),
        ({"data": [1]}, "data"),
        ({"data": {"big": 2**53 + 1}}, "data.big"),
        ({"data": {"huge": 2**70}}, "data.huge"),
        ({"data": {"nan": float("nan")}}, "data.nan"),
        ({"data": {"s": {1, 2}}}, "data.s"),
        ({"data": {1: "int key"}}, "data"),
        ({"data": {"deep": [{"x": object()}]}}, "data.deep[0].x"),
        ({"online_access_info": {"associated_user": {"id": "x"}}}, "associated_user.id"),
    ],
)
def test_wrong_kinds_name_the_field(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        Session("w", **kwargs)
    assert field in str(info.value)


@pytest.mark.parametrize("bad_id", ["", "x" * 1025, 42, None])
def test_bad_ids(bad_id: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        Session(bad_id)
    s = Session("ok")
    with pytest.raises(InvalidArgumentError):
        s.id = bad_id
    assert s.id == "ok"


def test_ids_are_any_unicode_up_to_1024_bytes() -> None:
    assert Session("é" * 512).id == "é" * 512
    with pytest.raises(InvalidArgumentError, match="1024"):
        Session("é" * 513)


def test_setters_validate_and_change_only_their_field() -> None:
    s = full()
    s.shop = "other.myshopify.com"
    s.scope = None
    s.expires = datetime(2031, 1, 1, tzinfo=UTC)
    s.is_online = False
    assert (s.shop, s.scope, s.is_online) == ("other.myshopify.com", None, False)
    assert s.expires == datetime(2031, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidArgumentError, match="is_online"):
        s.is_online = "yes"  # type: ignore[assignment]
    with pytest.raises(InvalidArgumentError, match="shop"):
        s.shop = 7  # type: ignore[assignment]
    assert s.is_online is False and s.shop == "other.myshopify.com"
    s.state = None  # type: ignore[assignment]  # None means absent, as in the constructor: ""
    assert s.state == ""
    with pytest.raises(AttributeError):
        del s.shop


def test_data_dict_changes_are_part_of_the_session_and_checked() -> None:
    s = Session("d", data={"count": 1})
    assert s.data is not None and s.data is s.data
    s.data["count"] = 2
    s.data["list"] = [1, "two"]
    assert s.to_json().endswith('"data":{"count":2,"list":[1,"two"]}}')
    assert Session.from_json(s.to_json()) == s
    s.data["bad"] = {1, 2}
    with pytest.raises(InvalidArgumentError, match="data.bad"):
        s.to_json()
    del s.data["bad"]
    s.data = {"fresh": True}
    assert s.data == {"fresh": True}


def test_online_access_info_dict_changes_are_part_of_the_session() -> None:
    s = full()
    info = s.online_access_info
    assert info is not None and info["associated_user"]["first_name"] == "A"
    info["associated_user"]["first_name"] = "B"
    assert '"first_name":"B"' in s.to_json()
    info["associated_user"]["email_verified"] = "yes"
    with pytest.raises(InvalidArgumentError, match="email_verified"):
        s.to_json()


def test_repr_and_str_hide_tokens_app_data_and_the_user() -> None:
    s = full()
    for text in (repr(s), str(s), f"{s}", repr([s])):
        assert "shpat_access_secret" not in text and "shprt_refresh_secret" not in text
        assert "later" not in text and "a@example.com" not in text
        assert "online_shop_1" in text and "access_token=<redacted>" in text
        assert "online_access_info=<user 1>, data=<2 keys>)" in text


def test_repr_follows_the_shared_redaction_vectors() -> None:
    for case in load_vectors("shown.json")["cases"]:
        assert repr(Session.from_dict(case["input"])) == case["python"], case["name"]


def test_the_class_declares_the_cores_field_table() -> None:
    names = [python for _, python, _ in _native.SESSION_FIELDS]
    assert list(inspect.signature(Session).parameters) == names
    properties = [k for k, v in vars(Session).items() if inspect.isdatadescriptor(v)]
    assert sorted(properties) == sorted(names)
    for js, python, kind in _native.SESSION_FIELDS:
        value = full().to_dict()[js]
        if kind == "date":
            assert getattr(Session.from_dict({"id": "x", js: value}), python) == datetime.fromisoformat(value)
    with pytest.raises(AttributeError, match="no attribute 'shops'"):
        full().shops = "typo"  # type: ignore[attr-defined]


def test_constructor_arguments_follow_python_rules() -> None:
    assert Session("p", "s.myshopify.com", "st", True).is_online is True
    assert Session(id="k", data=None).data is None
    cases: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
        ((), {}, r"missing 1 required positional argument: 'id'"),
        (("a",) * 12, {}, "takes from 1 to 11 positional arguments but 12 were given"),
        (("a",), {"shops": "x"}, "unexpected keyword argument 'shops'"),
        (("a", "s"), {"shop": "x"}, "multiple values for argument 'shop'"),
        ((), {"isOnline": True, "id": "a"}, "unexpected keyword argument 'isOnline'"),
    ]
    for args, kwargs, message in cases:
        with pytest.raises(TypeError, match=message):
            Session(*args, **kwargs)


def test_a_missing_id_is_called_missing() -> None:
    with pytest.raises(InvalidArgumentError, match='^session: "id" is missing'):
        Session.from_dict({"shop": "s.myshopify.com"})
    with pytest.raises(InvalidArgumentError, match='"id" must be a non-empty string, got None'):
        Session.from_dict({"id": None})


def test_to_dict_is_the_canonical_object() -> None:
    d = full().to_dict()
    assert list(d) == [
        "id", "shop", "state", "isOnline", "scope", "expires", "accessToken", "refreshToken",
        "refreshTokenExpires", "onlineAccessInfo", "data",
    ]
    assert d["expires"] == "2030-01-01T00:00:00.000Z"
    assert Session.from_dict(d) == full()


def test_from_json_errors_are_invalid_session() -> None:
    for text in ("{", '{"id": "a", "isOnline": "maybe"}', "[]", b"\xff"):
        with pytest.raises(SessionStorageError) as info:
            Session.from_json(text)
        assert info.value.code in ("INVALID_SESSION", "INVALID_ARGUMENT")
    with pytest.raises(InvalidSessionError, match="is_online"):
        Session.from_json('{"id": "a", "isOnline": "maybe"}')
    with pytest.raises(InvalidArgumentError):
        Session.from_json(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        Session.from_dict("not a dict")  # type: ignore[arg-type]


def test_from_json_reads_epoch_ms_and_offsets() -> None:
    a = Session.from_json('{"id":"a","expires":1893456000000}')
    b = Session.from_json('{"id":"a","expires":"2030-01-01T01:00:00+01:00"}')
    assert a.expires == b.expires == JAN_2030


def test_property_arrays_both_ways() -> None:
    s = full()
    assert s.to_property_array()[-1] == ["onlineAccessInfo", 1]
    with_user = s.to_property_array(return_user_data=True)
    assert ["userId", 1] in with_user and ["firstName", "A"] in with_user
    assert ["expires", 1893456000000] in with_user
    assert Session.from_property_array(with_user, return_user_data=True) == Session.from_property_array(
        [[k.upper(), v] for k, v in with_user], return_user_data=True
    )
    with pytest.raises(InvalidArgumentError, match="entry 1"):
        Session.from_property_array([["id", "a"], ["shop"]])
    with pytest.raises(InvalidArgumentError):
        Session.from_property_array("nope")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="return_user_data"):
        s.to_property_array("yes")  # type: ignore[arg-type]


def test_equality_is_shopifys() -> None:
    a, b = full(), full()
    assert a == b and not (a != b)
    info = b.online_access_info
    assert info is not None
    info["expires_in"] = 1  # ignored, as Shopify ignores it
    assert a == b
    b.expires = JAN_2030 + timedelta(milliseconds=1)
    assert a != b
    assert a != "online_shop_1" and a != None  # noqa: E711
    assert a == a
    c = full()
    assert c.data is not None
    c.data["cart"] = [1, 2.0]  # JavaScript's view of numbers
    assert a == c
    c.data["cart"] = [2, 1]
    assert a != c
    with pytest.raises(TypeError):
        hash(a)


def test_is_active_and_expiry() -> None:
    now = datetime.now(UTC)
    s = Session("a", scope="write_products", access_token="t", expires=now + timedelta(hours=1))
    assert s.is_active() and s.is_active("read_products") and s.is_active(["write_products"])
    assert not s.is_active("read_orders")
    assert not s.is_active(within_ms=2 * 3600 * 1000)
    assert not s.is_expired() and s.is_expired(within_ms=2 * 3600 * 1000)
    assert not Session("a", scope="x").is_active(), "no access token"
    assert Session("a").is_expired() is False, "no expiry never expires"
    assert s.is_scope_included("read_products,write_products")
    assert not s.is_scope_included(["read_orders"])
    assert s.is_scope_changed("read_orders") and not s.is_scope_changed("read_products")
    assert not s.is_scope_changed(None)
    for bad in (5, ["a", 1]):
        with pytest.raises(InvalidArgumentError, match="scopes"):
            s.is_active(bad)  # type: ignore[arg-type]
    for bad_within in ("soon", True, float("nan")):
        with pytest.raises(InvalidArgumentError, match="within_ms"):
            s.is_expired(bad_within)  # type: ignore[arg-type]


def test_copies_and_pickles() -> None:
    s = full()
    for other in (copy.copy(s), copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        assert other == s and other is not s and other.to_json() == s.to_json()
    clone = copy.copy(s)
    clone.shop = "changed.myshopify.com"
    assert s.shop == "shop.myshopify.com", "a copy is independent"


def test_future_years_serialise_but_do_not_fit_a_datetime() -> None:
    s = Session.from_json('{"id":"far","expires":"+020000-01-01T00:00:00.000Z"}')
    assert '"+020000-01-01T00:00:00.000Z"' in s.to_json()
    with pytest.raises(ValueError, match="1-9999"):
        _ = s.expires
