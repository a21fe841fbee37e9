"""Hand-off, part 2: a Python worker loads the session Node stored in the file storage at argv[1]."""

import asyncio
import sys

from sessionkeeper import FileSessionStorage


async def main(directory: str) -> None:
    storage = FileSessionStorage(directory)
    session = await storage.load_session("offline_handoff.myshopify.com")
    assert session is not None, "Node's session is missing"
    print("python loaded:", session.to_json())
    print("same shops:   ", [s.id for s in await storage.find_sessions_by_shop("handoff.myshopify.com")])
    print("expires:      ", repr(session.expires))


asyncio.run(main(sys.argv[1]))
