"""`make bench-python`: the Python rows of ARCHITECTURE.md's ratio table, measured side by side in
one run. Variants alternate within each round and the median over rounds is reported.

1. CustomSessionStorage over redis.asyncio callbacks vs the same Redis commands awaited
   directly by app code (json + a plain Session class), store+load pairs at concurrency 1 and 64.
2. Added µs per operation over an in-process dict (sequential).
3. MemorySessionStorage loads, store+load pairs and a 50/50 mix vs a pure-Python dict + json
   storage; the resident memory of 1,000,000 sessions against their canonical JSON.
4. The read-through cache: hot loads cached vs uncached over sessionkeeper.redis, and fan-in.
"""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from baseline import PlainSession, PythonDictStorage
from cache import bench_cache
from sessionkeeper import CustomSessionStorage, MemorySessionStorage, Session

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
QUICK = os.environ.get("BENCH_QUICK") == "1"


def session_fields(i: int) -> dict[str, Any]:
    """An online session of about 560 bytes of JSON, like Shopify's."""
    return dict(
        id=f"bench.myshopify.com_{1000 + i}",
        shop="bench.myshopify.com",
        state=f"state-{i}",
        is_online=True,
        scope="read_products,write_orders,read_customers",
        expires=datetime(2030, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=i),
        access_token=f"shpat_{uuid.UUID(int=i).hex}",
        online_access_info={
            "expires_in": 86399,
            "associated_user_scope": "read_products,write_orders",
            "associated_user": {
                "id": 1000 + i,
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": f"ada{i}@example.com",
                "email_verified": True,
                "account_owner": False,
                "locale": "en",
                "collaborator": False,
            },
        },
    )


N_SESSIONS = 1000
OURS = [Session(**session_fields(i)) for i in range(N_SESSIONS)]
PLAIN = [PlainSession(**session_fields(i)) for i in range(N_SESSIONS)]
assert OURS[0].to_json() == PLAIN[0].to_json(), "both sides write the same bytes"
print(f"session JSON: {len(OURS[0].to_json())} bytes; python {sys.version.split()[0]}")

Pair = Callable[[int], Awaitable[None]]


async def pairs_per_second(pair: Pair, total: int, concurrency: int) -> float:
    """Runs `total` store+load pairs split over `concurrency` workers; pairs per second."""
    per_worker = total // concurrency

    async def worker(w: int) -> None:
        for k in range(per_worker):
            await pair((w * per_worker + k) % N_SESSIONS)

    gc.collect()
    start = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return per_worker * concurrency / (time.perf_counter() - start)


async def compare(variants: dict[str, Pair], total: int, concurrency: int, rounds: int) -> dict[str, float]:
    """Median throughput per variant; the order of variants rotates every round."""
    results: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for name in names:  # warm-up
        await pairs_per_second(variants[name], max(total // 10, concurrency), concurrency)
    for r in range(rounds):
        for name in names[r % len(names):] + names[: r % len(names)]:
            results[name].append(await pairs_per_second(variants[name], total, concurrency))
    return {name: statistics.median(v) for name, v in results.items()}


def redis_variants(client: Any, prefix: str) -> dict[str, Pair]:
    def key(id: str) -> str:
        return prefix + id

    # The app's callbacks, identical for both variants: Redis in, Redis out.
    async def store(session: Session) -> bool:
        await client.set(key(session.id), session.to_json())
        return True

    async def load(id: str) -> bytes | None:
        raw: bytes | None = await client.get(key(id))
        return raw

    async def delete(id: str) -> bool:
        await client.delete(key(id))
        return True

    storage = CustomSessionStorage(store, load, delete)

    async def sessionkeeper_pair(i: int) -> None:
        s = OURS[i]
        await storage.store_session(s)
        loaded = await storage.load_session(s.id)
        assert loaded is not None

    # Direct: the same commands, with the app's own json + class work.
    async def direct_pair(i: int) -> None:
        s = PLAIN[i]
        await client.set(key(s.id), s.to_json())
        raw = await client.get(key(s.id))
        loaded = PlainSession.from_json(raw)
        assert loaded.id == s.id

    return {"direct": direct_pair, "sessionkeeper": sessionkeeper_pair}


async def bench_redis() -> list[str]:
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL, max_connections=128)
    try:
        await client.ping()
    except Exception as error:  # noqa: BLE001
        await client.aclose()
        return [f"Redis at {REDIS_URL} not reachable ({error}): Redis rows skipped"]
    prefix = f"sessionkeeper-bench:{uuid.uuid4().hex}:"
    lines = []
    try:
        variants = redis_variants(client, prefix)
        for concurrency, total, rounds in [(1, 1000 if QUICK else 2000, 5 if QUICK else 7), (64, 2560 if QUICK else 8000, 5 if QUICK else 7)]:
            got = await compare(variants, total, concurrency, rounds)
            ratio = got["sessionkeeper"] / got["direct"]
            lines.append(
                f"redis conc {concurrency:>2}: direct {got['direct']:8.0f} pairs/s, sessionkeeper "
                f"{got['sessionkeeper']:8.0f} pairs/s -> {ratio:.2f}x (target >= 1.0x)"
            )
            print(lines[-1], flush=True)
    finally:
        keys = [k async for k in client.scan_iter(match=prefix + "*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
    return lines


async def per_op_us(op: Callable[[int], Awaitable[Any]], n: int) -> float:
    gc.collect()
    start = time.perf_counter()
    for i in range(n):
        await op(i % N_SESSIONS)
    return (time.perf_counter() - start) / n * 1e6


async def bench_dict() -> list[str]:
    rows: dict[str, str] = {}

    async def store(session: Session) -> bool:
        rows[session.id] = session.to_json()
        return True

    async def load(id: str) -> str | None:
        return rows.get(id)

    async def delete(id: str) -> bool:
        rows.pop(id, None)
        return True

    storage = CustomSessionStorage(store, load, delete)
    plain_rows: dict[str, str] = {}

    async def direct_store(i: int) -> None:
        s = PLAIN[i]
        plain_rows[s.id] = s.to_json()

    async def direct_load(i: int) -> None:
        PlainSession.from_json(plain_rows[PLAIN[i].id])

    async def ours_store(i: int) -> None:
        await storage.store_session(OURS[i])

    async def ours_load(i: int) -> None:
        await storage.load_session(OURS[i].id)

    n = 30_000 if QUICK else 100_000
    ops = {"direct store": direct_store, "direct load": direct_load, "ours store": ours_store, "ours load": ours_load}
    samples: dict[str, list[float]] = {k: [] for k in ops}
    for op in ops.values():
        await op(0)
    for _ in range(3 if QUICK else 5):
        for name, op in ops.items():
            samples[name].append(await per_op_us(op, n))
    med = {k: statistics.median(v) for k, v in samples.items()}
    added_store = med["ours store"] - med["direct store"]
    added_load = med["ours load"] - med["direct load"]
    line = (
        f"dict callbacks (sequential, µs/op): direct store {med['direct store']:.2f} load {med['direct load']:.2f}; "
        f"sessionkeeper store {med['ours store']:.2f} load {med['ours load']:.2f} -> added "
        f"{added_store:+.2f} store, {added_load:+.2f} load, {added_store + added_load:+.2f} per pair"
    )
    print(line, flush=True)
    return [line]


async def bench_memory() -> list[str]:
    ours = MemorySessionStorage()
    plain = PythonDictStorage()
    for s in OURS:
        await ours.store_session(s)
    for p in PLAIN:
        await plain.store_session(p)

    async def ours_load(i: int) -> None:
        await ours.load_session(OURS[i].id)

    async def plain_load(i: int) -> None:
        await plain.load_session(PLAIN[i].id)

    async def ours_load_read(i: int) -> None:
        s = await ours.load_session(OURS[i].id)
        assert s is not None
        (s.id, s.shop, s.state, s.is_online, s.scope, s.expires, s.access_token, s.online_access_info)

    async def plain_load_read(i: int) -> None:
        s = await plain.load_session(PLAIN[i].id)
        assert s is not None
        (s.id, s.shop, s.state, s.is_online, s.scope, s.expires, s.access_token, s.online_access_info)

    async def ours_store(i: int) -> None:
        await ours.store_session(OURS[i])

    async def plain_store(i: int) -> None:
        await plain.store_session(PLAIN[i])

    async def ours_mix(i: int) -> None:
        # The same coin flips for both: odd-numbered steps store, the others load.
        if (i * 2654435761) & 1:
            await ours.store_session(OURS[i])
        else:
            await ours.load_session(OURS[i].id)

    async def plain_mix(i: int) -> None:
        if (i * 2654435761) & 1:
            await plain.store_session(PLAIN[i])
        else:
            await plain.load_session(PLAIN[i].id)

    n = 50_000 if QUICK else 200_000
    ops = {
        "python mix": plain_mix,
        "memory mix": ours_mix,
        "python load": plain_load,
        "memory load": ours_load,
        "python load+read": plain_load_read,
        "memory load+read": ours_load_read,
        "python store": plain_store,
        "memory store": ours_store,
    }
    samples: dict[str, list[float]] = {k: [] for k in ops}
    for _ in range(3 if QUICK else 5):
        for name, op in ops.items():
            samples[name].append(await per_op_us(op, n))
    med = {k: statistics.median(v) for k, v in samples.items()}
    pair = (med["python load"] + med["python store"]) / (med["memory load"] + med["memory store"])
    mix = med["python mix"] / med["memory mix"]
    lines = [
        f"memory loads: pure-Python dict+json {1e6 / med['python load']:9.0f}/s, MemorySessionStorage "
        f"{1e6 / med['memory load']:9.0f}/s -> {med['python load'] / med['memory load']:.2f}x (target >= 3x)",
        f"  load + read 8 attributes: {med['python load+read'] / med['memory load+read']:.2f}x; "
        f"stores: {med['python store'] / med['memory store']:.2f}x (for information)",
        f"memory store+load pair {pair:.2f}x, 50/50 mix {mix:.2f}x "
        f"({med['memory mix']:.2f} vs {med['python mix']:.2f} µs/op) (target >= 1.0x)",
    ]
    for line in lines:
        print(line, flush=True)
    return lines


async def bench_manager() -> list[str]:
    """SessionManager: start + commit of an unchanged session added to a bare memory load, and
    storage writes per 1,000 unchanged requests one second apart with touch_after = 180 s."""
    from sessionkeeper import SessionManager

    storage = MemorySessionStorage()
    manager = SessionManager(storage, secrets=["bench-secret-of-at-least-32-bytes!!"])
    first = await manager.start()
    first.update(user="ada", cart=[1, 2, 3])
    cookie = (await manager.commit(first) or "").split(";")[0]
    n = 2_000 if QUICK else 30_000

    async def bare(_: int) -> Any:
        return await storage.load_session(first.id)

    async def managed(_: int) -> Any:
        return await manager.commit(await manager.start(cookie))

    bare_us, managed_us = [], []
    for _ in range(3 if QUICK else 7):
        bare_us.append(await per_op_us(bare, n))
        managed_us.append(await per_op_us(managed, n))
    b, m = statistics.median(bare_us), statistics.median(managed_us)

    writes = 0

    class Counted:
        async def store_session(self, s: Any) -> bool:
            nonlocal writes
            writes += 1
            return await storage.store_session(s)

        async def load_session(self, id: str) -> Any:
            return await storage.load_session(id)

        async def delete_session(self, id: str) -> bool:
            return await storage.delete_session(id)

    now = [time.time()]
    touching = SessionManager(Counted(), secrets=["bench-secret-of-at-least-32-bytes!!"], touch_after=180, clock=lambda: now[0])
    s = await touching.start()
    s["user"] = "ada"
    c = (await touching.commit(s) or "").split(";")[0]
    writes = 0
    for _ in range(1000):
        now[0] += 1
        r = await touching.start(c)
        set_cookie = await touching.commit(r)
        if set_cookie:
            c = set_cookie.split(";")[0]
    lines = [
        f"manager start+commit unchanged, memory: {m:.2f} vs bare load {b:.2f} µs -> +{m - b:.2f} µs (target <= +5 µs)",
        f"manager storage writes per 1,000 unchanged requests 1 s apart, touch_after 180 s: {writes} (target <= 5.6)",
    ]
    for line in lines:
        print(line, flush=True)
    return lines


def bench_million() -> list[str]:
    """1,000,000 sessions in MemorySessionStorage, in a process of its own (bench/million.py)."""
    import json
    import subprocess

    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "million.py")
    out = subprocess.run([sys.executable, script, "1000000"], check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    line = (
        f"1,000,000 sessions in MemorySessionStorage: RSS added {r['rssAdded'] / 2**20:.0f} MiB vs canonical JSON "
        f"{r['jsonBytes'] / 2**20:.0f} MiB -> {r['ratio']:.2f}x (target <= 2.0)"
    )
    print(line, flush=True)
    return [line]


async def main() -> None:
    started = time.perf_counter()
    lines = [*await bench_redis(), *await bench_cache(REDIS_URL, OURS, QUICK), *await bench_dict(), *await bench_memory(), *bench_million(), *await bench_manager()]
    print("\n== sessionkeeper Python bench ==")
    for line in lines:
        print(line)
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    asyncio.run(main())
