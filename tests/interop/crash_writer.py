"""Crash-kill writer, Python side: the mirror of crash_writer.js (same ids, shops and mix).

    python crash_writer.py <dir>
"""

from __future__ import annotations

import asyncio
import random
import sys

import sessionkeeper as sk

IDS = 24
SHOPS = 4


async def step(storage: sk.FileSessionStorage) -> None:
    sid = f"crash-{random.randrange(IDS)}"
    if random.random() < 0.3:
        await storage.delete_session(sid)
        return
    shop = f"crash-{random.randrange(SHOPS)}.myshopify.com"
    pad = "x" * random.randrange(64 * 1024)
    await storage.store_session(sk.Session(sid, shop=shop, access_token="t", data={"by": "python", "pad": pad}))


async def main(directory: str) -> None:
    storage = sk.FileSessionStorage(directory)
    await step(storage)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        await asyncio.gather(step(storage), step(storage), step(storage), step(storage))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
