"""Concurrency across languages, Python side: the mirror of burst.js.

    python burst.py <kind> <target> <tag> <n>
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import sessionkeeper as sk


def open_storage(kind: str, target: str) -> Any:
    where, _, name = target.rpartition("|")
    if kind == "redis":
        from sessionkeeper.redis import redis_session_storage

        return redis_session_storage(where, key_prefix=name)
    if kind == "postgres":
        from sessionkeeper.postgres import postgres_session_storage

        return postgres_session_storage(where, table=name)
    raise SystemExit(f"unknown storage kind {kind}")


async def main(kind: str, target: str, tag: str, n: str) -> None:
    storage = open_storage(kind, target)
    try:
        shops = [f"burst-{i}.myshopify.com" for i in range(5)]
        stored = await asyncio.gather(
            *(
                storage.store_session(sk.Session(f"{tag}-{i}", shop=shops[i % 5], access_token="t", data={"by": tag, "i": i}))
                for i in range(int(n))
            )
        )
        if not all(ok is True for ok in stored):
            raise SystemExit("a store resolved false")
        found = {shop: sorted(s.id for s in await storage.find_sessions_by_shop(shop)) for shop in shops}
        sys.stdout.write(json.dumps(found))
    finally:
        await storage.close()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
