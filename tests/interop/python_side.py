"""One side of the cross-language suite, the mirror of node_side.js.

    python python_side.py write <kind> <target>      stores every vector session, prints {id: json}
    python python_side.py read  <kind> <target> ids  loads the ids (JSON array), prints {id: json}

<kind> and <target>: file <directory>; redis <url>|<keyPrefix>; redis-cluster <seed url>|<keyPrefix>;
postgres <dsn>|<table> (an empty keyPrefix or table means the default).
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import sessionkeeper as sk

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "sessions.json"


def open_storage(kind: str, target: str) -> tuple[Any, Callable[[], Awaitable[None]]]:
    """The storage of ``kind`` on ``target`` and what closes it (including a client or pool
    this side opened itself)."""
    if kind == "cookie":
        return sk.cookie_storage(), _nothing
    if kind == "file":
        return sk.FileSessionStorage(target), _nothing
    where, _, name = target.partition("|")
    if kind in ("redis", "redis-cluster"):
        import redis.asyncio as redis

        from sessionkeeper.redis import redis_session_storage

        if kind == "redis":
            storage = redis_session_storage(where, key_prefix=name or None)
            return storage, storage.close
        client = redis.RedisCluster.from_url(where)
        return redis_session_storage(client, key_prefix=name or None), client.aclose
    if kind == "postgres":
        from sessionkeeper.postgres import postgres_session_storage

        pg_storage = postgres_session_storage(where, table=name or None)
        return pg_storage, pg_storage.close
    raise SystemExit(f"unknown storage kind {kind}")


async def _nothing() -> None:
    return None


SECRETS = ["interop-secret-of-at-least-32-bytes!!"]


async def _manager(storage: Any, cookie: str, values_json: str) -> dict[str, Any]:
    """The lifecycle manager's side: starts from the cookie (``-`` for none), reports what it
    saw, sets the given values and reports the cookie the commit sent."""
    manager = sk.SessionManager(storage, secrets=SECRETS)
    session = await manager.start(None if cookie == "-" else cookie)
    out = {"isNew": session.is_new, "id": session.id, "values": dict(session), "flash": session.take_flash("from")}
    session.update(json.loads(values_json))
    session.flash("from", "python")
    out["setCookie"] = await manager.commit(session)
    return out


async def main(mode: str, kind: str, target: str, ids_json: str | None = None, *rest: str) -> None:
    storage, close = open_storage(kind, target)
    out: dict[str, Any] = {}
    try:
        if mode == "manager":
            out = await _manager(storage, ids_json or "-", rest[0])
        else:
            await _run(storage, mode, ids_json, out)
    finally:
        await close()
    sys.stdout.write(json.dumps(out))


async def _run(storage: Any, mode: str, ids_json: str | None, out: dict[str, str | None]) -> None:
    if mode == "write":
        for case in json.loads(VECTORS.read_text(encoding="utf-8"))["sessions"]:
            session = sk.Session.from_json(json.dumps(case["input"]))
            try:
                stored = await storage.store_session(session)
            except sk.InvalidArgumentError:
                # A session the storage refuses up front (PostgreSQL: U+0000 in the id) is left
                # out; test_interop.py checks exactly which ones are.
                continue
            if stored is not True:
                raise SystemExit(f"store {case['name']} failed")
            out[session.id] = session.to_json()
    else:
        for id in json.loads(ids_json or "[]"):
            loaded = await storage.load_session(id)
            out[id] = None if loaded is None else loaded.to_json()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
