# Quickstart: Shopify-style session storage over three async callbacks.
# Run: python quickstart.py
import asyncio
from datetime import datetime, timedelta, timezone

from sessionkeeper import CustomSessionStorage, Session, SessionStorageError


async def main() -> None:
    db: dict[str, str] = {}  # stands in for Redis, SQL, DynamoDB, ...

    async def store(session: Session) -> bool:
        db[session.id] = session.to_json()  # canonical JSON, the bytes Node writes
        return True

    async def load(id: str) -> str | None:
        return db.get(id)  # JSON text, a dict, a property array or None

    async def delete(id: str) -> bool:
        db.pop(id, None)
        return True

    storage = CustomSessionStorage(store, load, delete, timeout=5.0)

    session = Session(
        "offline_quickstart.myshopify.com",
        shop="quickstart.myshopify.com",
        state="state",
        is_online=False,
        scope="write_products",
        access_token="shpat_example",
        expires=datetime.now(timezone.utc) + timedelta(hours=1),
    )

    print("stored:", await storage.store_session(session))
    loaded = await storage.load_session(session.id)
    assert loaded is not None
    print("equal:", loaded == session)
    print("active for read_products:", loaded.is_active("read_products"))
    print("expires is aware:", loaded.expires is not None and loaded.expires.tzinfo is not None)
    print(loaded)  # tokens are redacted in repr

    db["corrupt"] = '{"id":"corrupt","isOnline":"maybe"}'
    try:
        await storage.load_session("corrupt")
    except SessionStorageError as error:
        print("rejected:", error.code, "-", error)

    print("deleted:", await storage.delete_session(session.id))
    print("after delete:", await storage.load_session(session.id))


if __name__ == "__main__":
    asyncio.run(main())
