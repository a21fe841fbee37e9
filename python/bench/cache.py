"""The read-through cache over sessionkeeper.redis (DESIGN.md §4, "Hot sessions"): hot loads of
1,000 stored sessions with the cache vs without it, and 1,000 concurrent loads of one id on a
cold cache (how many ``load`` callbacks ran, and the time vs the same loads uncached)."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from typing import Any

from sessionkeeper import CustomSessionStorage, Session, SessionCache
from sessionkeeper.redis import RedisSessionStorage


async def loads_per_second(storage: Any, ids: list[str], total: int, concurrency: int) -> float:
    per_worker = total // concurrency

    async def worker(w: int) -> None:
        for k in range(per_worker):
            id = ids[(w * per_worker + k) % len(ids)]
            s = await storage.load_session(id)
            assert s is not None and s.id == id

    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return per_worker * concurrency / (time.perf_counter() - start)


async def bench_cache(redis_url: str, sessions: list[Session], quick: bool) -> list[str]:
    import redis.asyncio as redis

    # Blocking: the uncached fan-in sends 1,000 GETs at once, more than the pool's connections.
    pool = redis.BlockingConnectionPool.from_url(redis_url, max_connections=128, timeout=None)
    client = redis.Redis(connection_pool=pool)
    try:
        await client.ping()
    except Exception as error:  # noqa: BLE001
        await client.aclose()
        return [f"Redis at {redis_url} not reachable ({error}): cache rows skipped"]
    prefix = f"sessionkeeper-bench-cache:{uuid.uuid4().hex}:"
    uncached = RedisSessionStorage(client, key_prefix=prefix)
    cached = RedisSessionStorage(client, key_prefix=prefix, cache=SessionCache(max_staleness=60))
    ids = [s.id for s in sessions]
    lines = []
    rounds = 3 if quick else 5
    try:
        for s in sessions:
            await uncached.store_session(s)
        for concurrency, total in [(1, 2000 if quick else 5000), (64, 6400 if quick else 20000)]:
            got: dict[str, list[float]] = {"uncached": [], "cached": []}
            variants = {"uncached": uncached, "cached": cached}
            for name, storage in variants.items():  # warm-up
                await loads_per_second(storage, ids, len(ids), concurrency)
            for r in range(rounds):
                for name in (["uncached", "cached"] if r % 2 == 0 else ["cached", "uncached"]):
                    got[name].append(await loads_per_second(variants[name], ids, total, concurrency))
            u, c = statistics.median(got["uncached"]), statistics.median(got["cached"])
            target = "target >= 10x" if concurrency == 1 else "information"
            lines.append(
                f"cache, hot loads over sessionkeeper.redis conc {concurrency:>2}: uncached {u:8.0f}/s, "
                f"cached {c:8.0f}/s -> {c / u:.2f}x ({target})"
            )
            print(lines[-1], flush=True)

        calls = 0

        async def load(id: str) -> Any:
            nonlocal calls
            calls += 1
            return await client.get(uncached.key(id))

        async def fan_in(cache: SessionCache | None) -> float:
            storage = CustomSessionStorage(lambda s: True, load, lambda i: True, cache=cache)
            start = time.perf_counter()
            await asyncio.gather(*(storage.load_session(ids[0]) for _ in range(1000)))
            return (time.perf_counter() - start) * 1000

        times: dict[str, list[float]] = {"uncached": [], "cached": []}
        most = 0
        for _ in range(rounds):
            times["uncached"].append(await fan_in(None))
            calls = 0
            times["cached"].append(await fan_in(SessionCache()))
            most = max(most, calls)
        lines.append(
            f"cache, 1,000 concurrent loads of one id on a cold cache: {most} load callback (target 1); "
            f"{statistics.median(times['cached']):.2f} vs {statistics.median(times['uncached']):.2f} ms uncached"
        )
        print(lines[-1], flush=True)
    finally:
        await uncached.delete_sessions(ids)
        await client.aclose()
    return lines
