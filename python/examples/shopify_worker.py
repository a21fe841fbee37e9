# A Python worker beside a Node Shopify app: both point at the same Redis, so the worker reads
# the sessions Shopify's OAuth stored and cleans up when the app is uninstalled.
# Run: python shopify_worker.py  (REDIS_URL)
import asyncio
import os

from sessionkeeper import Session
from sessionkeeper.redis import RedisSessionStorage, redis_session_storage

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
PREFIX = os.environ.get("EXAMPLE_KEY_PREFIX", "example:")  # the Node app's keyPrefix


async def offline_token(storage: RedisSessionStorage, shop: str) -> str | None:
    """The shop's offline access token, for Admin API calls from the worker."""
    session = await storage.load_session(f"offline_{shop}")  # Shopify's offline session id
    return session.access_token if session is not None and session.is_active() else None


async def on_app_uninstalled(storage: RedisSessionStorage, shop: str) -> int:
    """The APP_UNINSTALLED webhook: forget every session of the shop."""
    sessions = await storage.find_sessions_by_shop(shop)
    await storage.delete_sessions([s.id for s in sessions])
    return len(sessions)


async def main() -> None:
    storage = redis_session_storage(REDIS_URL, key_prefix=PREFIX)
    try:
        shop = "worker.myshopify.com"
        # What the Node app's OAuth callback stored (here stored by the worker, for the demo).
        await storage.store_session(Session(f"offline_{shop}", shop=shop, access_token="shpat_worker"))
        print("token found:", await offline_token(storage, shop) is not None)
        print("sessions removed:", await on_app_uninstalled(storage, shop))
        print("token after uninstall:", await offline_token(storage, shop))
    finally:
        await storage.close()  # closes the client it created from the URL


if __name__ == "__main__":
    asyncio.run(main())
