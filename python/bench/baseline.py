"""What an app writes without sessionkeeper: a plain Python Session class with json, and a
pure-Python dict + json storage. The benchmark's reference points (ARCHITECTURE.md)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

FIELDS = (
    ("id", "id"),
    ("shop", "shop"),
    ("state", "state"),
    ("is_online", "isOnline"),
    ("scope", "scope"),
    ("expires", "expires"),
    ("access_token", "accessToken"),
    ("refresh_token", "refreshToken"),
    ("refresh_token_expires", "refreshTokenExpires"),
    ("online_access_info", "onlineAccessInfo"),
    ("data", "data"),
)


class PlainSession:
    """A hand-written session class: attributes, to_json/from_json with ISO dates."""

    __slots__ = tuple(attr for attr, _ in FIELDS)

    def __init__(self, **fields: Any) -> None:
        for attr, _ in FIELDS:
            setattr(self, attr, fields.get(attr))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for attr, key in FIELDS:
            value = getattr(self, attr)
            if value is None:
                continue
            if isinstance(value, datetime):
                value = value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            out[key] = value
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PlainSession:
        fields = {attr: d.get(key) for attr, key in FIELDS}
        for attr in ("expires", "refresh_token_expires"):
            if fields[attr] is not None:
                fields[attr] = datetime.fromisoformat(fields[attr])
        return cls(**fields)

    @classmethod
    def from_json(cls, text: str | bytes) -> PlainSession:
        return cls.from_dict(json.loads(text))


class PythonDictStorage:
    """A pure-Python memory storage that copies: JSON text in a dict."""

    def __init__(self) -> None:
        self.rows: dict[str, str] = {}

    async def store_session(self, session: PlainSession) -> bool:
        self.rows[session.id] = session.to_json()
        return True

    async def load_session(self, id: str) -> PlainSession | None:
        text = self.rows.get(id)
        return None if text is None else PlainSession.from_json(text)
