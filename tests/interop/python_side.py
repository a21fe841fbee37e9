"""One side of the cross-language suite, the mirror of node_side.js.

    python python_side.py write <kind> <target>      stores every vector session, prints {id: json}
    python python_side.py read  <kind> <target> ids  loads the ids (JSON array), prints {id: json}
"""

from __future__ import annotations

import asyncio
import json
import pathlib
import sys
from typing import Any

import sessionkeeper as sk

VECTORS = pathlib.Path(__file__).resolve().parent.parent / "vectors" / "sessions.json"


def open_storage(kind: str, target: str) -> Any:
    if kind == "file":
        return sk.FileSessionStorage(target)
    raise SystemExit(f"unknown storage kind {kind}")


async def main(mode: str, kind: str, target: str, ids_json: str | None = None) -> None:
    storage = open_storage(kind, target)
    out: dict[str, str | None] = {}
    if mode == "write":
        for case in json.loads(VECTORS.read_text(encoding="utf-8"))["sessions"]:
            session = sk.Session.from_json(json.dumps(case["input"]))
            if await storage.store_session(session) is not True:
                raise SystemExit(f"store {case['name']} failed")
            out[session.id] = session.to_json()
    else:
        for id in json.loads(ids_json or "[]"):
            loaded = await storage.load_session(id)
            out[id] = None if loaded is None else loaded.to_json()
    close = getattr(storage, "close", None)
    if close is not None:
        await close()
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
