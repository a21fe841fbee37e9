"""Helpers the tests share: the vectors and dict-backed custom storages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sessionkeeper import CustomSessionStorage, FileSessionStorage, MemorySessionStorage, Session

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"


def load_vectors(name: str) -> dict[str, Any]:
    """A vectors file; a version this suite does not know is a failure, not a silent pass."""
    document: dict[str, Any] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert document["version"] == 1, f"{name}: unknown vectors version {document['version']}"
    return document


def dict_storage(shape: str = "text", sync: bool = False, **options: Any) -> CustomSessionStorage:
    """A CustomSessionStorage over an in-process dict. ``shape`` is what ``load`` hands back:
    ``text`` (canonical JSON), ``bytes``, ``dict`` (``to_dict()``), ``session`` (a Session) or
    ``properties`` (a Shopify property array with user data)."""
    db: dict[str, Session] = {}

    def shaped(s: Session) -> Any:
        return {
            "text": s.to_json,
            "bytes": lambda: s.to_json().encode(),
            "dict": s.to_dict,
            "session": lambda: s,
            "properties": lambda: s.to_property_array(True),
        }[shape]()

    def store(s: Session) -> bool:
        db[s.id] = s
        return True

    def load(id: str) -> Any:
        s = db.get(id)
        return None if s is None else shaped(s)

    def delete(id: str) -> bool:
        db.pop(id, None)
        return True

    def delete_many(ids: list[str]) -> bool:
        for id in ids:
            db.pop(id, None)
        return True

    def find(shop: str) -> list[Any]:
        return [shaped(s) for s in db.values() if s.shop == shop]

    callbacks: list[Callable[..., Any]] = [store, load, delete, delete_many, find]
    if not sync:
        callbacks = [_async(f) for f in callbacks]
    store_cb, load_cb, delete_cb, delete_many_cb, find_cb = callbacks
    return CustomSessionStorage(
        store_cb,
        load_cb,
        delete_cb,
        delete_sessions=options.pop("delete_sessions", delete_many_cb),
        find_sessions_by_shop=find_cb,
        **options,
    )


def _async(f: Callable[..., Any]) -> Callable[..., Any]:
    async def wrapper(*args: Any) -> Any:
        return f(*args)

    return wrapper


#: The in-process storages a suite runs against: ``embedded_storage(kind, tmp_path)``.
EMBEDDED_KINDS = ["memory", "file", "custom"]


def embedded_storage(kind: str, tmp_path: Path) -> Any:
    """A fresh memory, file (under ``tmp_path``) or dict-backed custom storage."""
    if kind == "memory":
        return MemorySessionStorage()
    if kind == "file":
        return FileSessionStorage(tmp_path)
    return dict_storage()
