"""Every shared vector session (tests/vectors/sessions.json) through every adapter: what lands
on the server is its canonical JSON byte for byte, and it loads and is found by shop as the
same session. The Node suite checks the same vectors, so both languages hold the same bytes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.servers import Backend
from helpers import load_vectors
from sessionkeeper import InvalidArgumentError, Session

VECTORS = load_vectors("sessions.json")["sessions"]

async def _stored_text(backend: Backend, storage: Any, id: str) -> str | None:
    if backend.redis is not None:
        raw = await storage.client.get(storage.key(id))
        return None if raw is None else bytes(raw).decode()
    pool = storage.pool
    text: str | None = await pool.fetchval(f"SELECT session::text FROM {storage.table} WHERE id = $1", id)
    return text


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
async def test_every_vector_round_trips_byte_for_byte(
    backend: Backend, vector: dict[str, Any]
) -> None:
    session = Session.from_json(json.dumps(vector["input"]))
    storage = await backend.storage()
    if backend.kind == "postgres" and "\x00" in session.id:
        # PostgreSQL text cannot hold U+0000: the core's layout refuses such ids before any
        # SQL is sent, and the storage raises that refusal itself.
        with pytest.raises(InvalidArgumentError, match="U\\+0000"):
            await storage.store_session(session)
        return
    assert await storage.store_session(session) is True
    assert await _stored_text(backend, storage, session.id) == vector["canonical"]
    loaded = await storage.load_session(session.id)
    assert loaded is not None and loaded.to_json() == vector["canonical"]
    found = await storage.find_sessions_by_shop(session.shop) if session.shop else [loaded]
    assert [s.to_json() for s in found] == [vector["canonical"]]
    assert await storage.delete_session(session.id) is True
    assert await storage.load_session(session.id) is None
