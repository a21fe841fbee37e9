"""A session store on Redis written with redis.asyncio: Shopify's CustomSessionStorage guide
(store = SET of the canonical JSON, load = GET, delete = DEL), plus a per-shop set for
``find_sessions_by_shop``. Every result goes back to sessionkeeper raw (``bytes``): the core
validates it and builds the Session."""

from __future__ import annotations

import json
from typing import Any

from sessionkeeper import CustomSessionStorage, Session


def redis_session_storage(client: Any, prefix: str, timeout: float | None = 10.0) -> CustomSessionStorage:
    def key(id: str) -> str:
        return f"{prefix}session:{id}"

    def shop_key(shop: str) -> str:
        return f"{prefix}shop:{shop}"

    async def store(session: Session) -> bool:
        async with client.pipeline(transaction=False) as pipe:
            pipe.set(key(session.id), session.to_json())
            pipe.sadd(shop_key(session.shop), session.id)
            await pipe.execute()
        return True

    async def load(id: str) -> bytes | None:
        raw: bytes | None = await client.get(key(id))
        return raw

    async def delete(id: str) -> bool:
        await client.delete(key(id))
        return True

    async def delete_sessions(ids: list[str]) -> bool:
        await client.delete(*(key(id) for id in ids))
        return True

    async def find(shop: str) -> list[bytes]:
        ids = sorted(m.decode() for m in await client.smembers(shop_key(shop)))
        if not ids:
            return []
        values = await client.mget([key(id) for id in ids])
        found, stale = [], []
        for id, raw in zip(ids, values):
            # A deleted session, or one stored again under another shop, leaves a stale entry.
            if raw is None or json.loads(raw).get("shop") != shop:
                stale.append(id)
            else:
                found.append(raw)
        if stale:
            await client.srem(shop_key(shop), *stale)
        return found

    return CustomSessionStorage(
        store, load, delete, delete_sessions=delete_sessions, find_sessions_by_shop=find, timeout=timeout
    )
