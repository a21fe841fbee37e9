"""1,000,000 sessions in MemorySessionStorage: resident memory added (RSS after - RSS before,
each after a full collection) against the canonical JSON bytes of the sessions held.

    python bench/million.py [sessions]   (prints one JSON line)
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
from typing import Any

from sessionkeeper import MemorySessionStorage, Session


def rss() -> int:
    gc.collect()
    with open("/proc/self/statm") as f:
        import os

        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def params(i: int) -> dict[str, Any]:
    """The Node bench's `sessionParams(i)`: a Shopify online session, 1,000 shops."""
    return {
        "id": f"bench-shop-{i % 1000}.myshopify.com_{100000 + i}",
        "shop": f"bench-shop-{i % 1000}.myshopify.com",
        "state": "f1b2c3d4e5f6a7b8c9d0",
        "isOnline": True,
        "scope": "read_products,write_products,read_orders,write_orders,read_customers",
        "expires": f"2031-01-01T00:00:00.{i % 1000:03d}Z",
        "accessToken": "shpua_" + "0123456789abcdef" * 2,
        "onlineAccessInfo": {
            "expires_in": 86398,
            "associated_user_scope": "read_products,write_products,read_orders,write_orders,read_customers",
            "associated_user": {
                "id": 902541635 + i,
                "first_name": "Bench",
                "last_name": "Marker",
                "email": f"bench.marker+{i}@example.com",
                "email_verified": True,
                "account_owner": True,
                "locale": "en-CA",
                "collaborator": False,
            },
        },
    }


async def main(n: int) -> None:
    storage = MemorySessionStorage()
    await storage.store_session(Session.from_json(json.dumps(params(n))))
    await storage.delete_session(params(n)["id"])
    before = rss()
    json_bytes = 0
    for i in range(n):
        session = Session.from_json(json.dumps(params(i)))
        json_bytes += len(session.to_json().encode())
        await storage.store_session(session)
    del session
    after = rss()
    assert len(storage) == n
    print(json.dumps({"sessions": n, "jsonBytes": json_bytes, "rssBefore": before, "rssAfter": after,
                      "rssAdded": after - before, "ratio": (after - before) / json_bytes}))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
