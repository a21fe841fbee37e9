# Sessions in Redis and PostgreSQL: the same five methods as every storage.
# Run: python adapters.py  (REDIS_URL, DATABASE_URL)
import asyncio
import os

from sessionkeeper import Session
from sessionkeeper.postgres import postgres_session_storage
from sessionkeeper.redis import redis_session_storage

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
PREFIX = os.environ.get("EXAMPLE_KEY_PREFIX", "example:")  # keys: example:session:<id>, example:shop:<shop>
TABLE = os.environ.get("EXAMPLE_TABLE", "example_sessions")  # created on first use


async def main() -> None:
    redis_storage = redis_session_storage(REDIS_URL, key_prefix=PREFIX)
    postgres_storage = postgres_session_storage(DATABASE_URL, table=TABLE)
    session = Session("offline_adapters.myshopify.com", shop="adapters.myshopify.com", access_token="shpat_x")
    try:
        for name, storage in [("redis", redis_storage), ("postgres", postgres_storage)]:
            print(name, "stored:", await storage.store_session(session))
            loaded = await storage.load_session(session.id)
            print(name, "equal:", loaded == session)
            found = await storage.find_sessions_by_shop("adapters.myshopify.com")
            print(name, "found:", [s.id for s in found])
            print(name, "deleted:", await storage.delete_sessions([s.id for s in found]))
    finally:
        await redis_storage.close()  # closes the client it created from the URL
        await postgres_storage.close()  # closes the pool it opened from the DSN


if __name__ == "__main__":
    asyncio.run(main())
