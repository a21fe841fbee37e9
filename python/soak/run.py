"""`make soak`, Python side: SOAK_OPS (default 1,000,000) operations of soak/workload.py on the
memory and the custom storage, printing resident memory every 50,000 operations. Fails when RSS
after warm-up (the first 10 %) grows more than 10 %, or a task is left.

    python soak/run.py
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import time

from workload import TIMEOUT, soak

OPS = int(os.environ.get("SOAK_OPS", "1000000"))
PAGE = os.sysconf("SC_PAGE_SIZE")
# Every injected timeout is logged as a warning; a million of them would bury the RSS curve.
logging.getLogger("sessionkeeper").addHandler(logging.NullHandler())
logging.getLogger("sessionkeeper").propagate = False


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


async def main() -> int:
    failed = False
    for kind in ("memory", "custom"):
        before = asyncio.all_tasks()
        curve: list[tuple[int, int]] = []

        def sample(done: int) -> None:
            gc.collect()
            curve.append((done, rss()))
            print(f"python {kind} {done:8} ops  rss {curve[-1][1] / 2**20:.1f} MiB", flush=True)

        started = time.monotonic()
        counts = await soak(kind, OPS, seed=int(os.environ.get("SOAK_SEED", "1")), every=50_000, sample=sample)
        await asyncio.sleep(TIMEOUT * 4)
        warm = next(r for d, r in curve if d >= OPS / 10)
        peak = max(r for d, r in curve if d >= OPS / 10)
        growth = (peak / warm - 1) * 100
        left = asyncio.all_tasks() - before
        print(
            f"python {kind}: {OPS} ops in {time.monotonic() - started:.1f} s {counts}; "
            f"rss after warm-up {warm / 2**20:.1f} MiB, peak +{growth:.1f} %; tasks left: {len(left)}",
            flush=True,
        )
        failed = failed or growth > 10 or bool(left)
    if failed:
        print("soak failed: memory grew more than 10 % after warm-up, or tasks were left", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
