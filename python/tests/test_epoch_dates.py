"""Epoch-number dates: milliseconds, except that numbers from 1e9 up to (not including) 1e11
are epoch seconds - as milliseconds they would be 12 January 1970 to 3 March 1973, never a real
expiry, while Shopify's SQL adapters and ``int(time.time())`` write seconds. One rule, the
core's, for both languages (vectors ``epoch-seconds-dates`` and
``epoch-numbers-at-the-edges-of-the-seconds-range``). ``Session(expires=<number>)`` is accepted
deliberately by the same rule (and typed so)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from sessionkeeper import CustomSessionStorage, InvalidArgumentError, Session

Y2030 = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [1893456000, 1893456000.0, 1893456000000, "2030-01-01T00:00:00Z", Y2030])
def test_every_form_of_the_same_instant(value: Any) -> None:
    assert Session("a", expires=value).expires == Y2030
    session = Session("a")
    session.refresh_token_expires = value
    assert session.refresh_token_expires == Y2030


def test_a_stored_seconds_value_is_never_1970() -> None:
    loaded = Session.from_json('{"id":"a","expires":1893456000}')
    assert loaded.expires == Y2030
    assert Session.from_property_array([["id", "a"], ["expires", "1893456000"]]).expires == Y2030


async def test_a_load_callback_returning_seconds() -> None:
    async def load(id: str) -> dict[str, Any]:
        return {"id": id, "expires": 1893456000, "refreshToken": "r", "refreshTokenExpires": 1896134400.25}

    async def unused(arg: Any) -> bool:
        raise AssertionError("not called")

    loaded = await CustomSessionStorage(unused, load, unused).load_session("a")
    assert loaded is not None
    assert loaded.expires == Y2030
    assert loaded.to_dict()["refreshTokenExpires"] == "2030-02-01T00:00:00.250Z"


def test_the_edges_of_the_seconds_range() -> None:
    assert Session("a", expires=999_999_999).to_dict()["expires"] == "1970-01-12T13:46:39.999Z"
    assert Session("a", expires=1_000_000_000).to_dict()["expires"] == "2001-09-09T01:46:40.000Z"
    assert Session("a", expires=100_000_000_000).to_dict()["expires"] == "1973-03-03T09:46:40.000Z"
    assert Session("a", expires=0).to_dict()["expires"] == "1970-01-01T00:00:00.000Z"


def test_not_a_date_is_still_refused() -> None:
    for bad in [True, float("nan"), "1893456000", [1]]:
        with pytest.raises(InvalidArgumentError, match="expires"):
            Session("a", expires=bad)
