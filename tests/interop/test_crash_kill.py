"""Crash-kill: a Node and a Python writer are SIGKILLed at random points while storing and
deleting sessions in one file storage, 200 times in all; after each language's kills the
directory must still be a good storage: every session file parses (no torn write shows up as
INVALID_SESSION), the shop index agrees with the files, and a writer's leftover temp file is
never taken for a session. Then a sweep removes the temp files the killed writers left, once
they are older than the core's threshold (60 s; the test ages them with ``os.utime``), and keeps
younger ones, which may be a live writer's.

Both writers share one directory, so a kill also leaves the other language's files behind to
be read. Delays are short and random (the writer prints `ready` once its first write is done),
so kills land all over the write path; the whole test takes a few seconds per language.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import pytest
import sessionkeeper as sk

HERE = pathlib.Path(__file__).resolve().parent
KILLS = int(os.environ.get("SK_CRASH_KILLS", "200"))
IDS = [f"crash-{i}" for i in range(24)]
SHOPS = [f"crash-{i}.myshopify.com" for i in range(4)]
WRITERS = {
    "node": ["node", str(HERE / "crash_writer.js")],
    "python": [sys.executable, str(HERE / "crash_writer.py")],
}


def file_name(key: str) -> str:
    return "x" + key.encode().hex()


def kill_at_random(cmd: list[str], directory: pathlib.Path, rng: random.Random) -> None:
    child = subprocess.Popen([*cmd, str(directory)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = child.stdout.readline()
        assert line == b"ready\n", f"writer did not start: {line!r} {child.stderr.read()!r}"
        # Half the kills come at once, half after up to 40 ms of writing.
        if rng.random() < 0.5:
            time.sleep(rng.random() * 0.04)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL, "the writer died before the kill"


async def check(directory: pathlib.Path) -> tuple[int, int]:
    storage = sk.FileSessionStorage(directory)
    names = [p.name for p in (directory / "sessions").iterdir()]
    temps = [n for n in names if n.startswith(".tmp-")]
    files = {n[: -len(".json")] for n in names if n not in temps}
    by_name = {file_name(i): i for i in IDS}
    assert files <= set(by_name), f"files that are neither a session nor a temp file: {files - set(by_name)}"
    stored: dict[str, str] = {}
    for sid in IDS:
        # A torn or half-renamed record would raise INVALID_SESSION here.
        session = await storage.load_session(sid)
        assert (session is not None) == (file_name(sid) in files), sid
        if session is not None:
            assert session.id == sid and session.access_token == "t"
            assert session.data["by"] in ("node", "python")
            stored[sid] = session.shop
    for shop in SHOPS:
        found = sorted(s.id for s in await storage.find_sessions_by_shop(shop))
        assert found == sorted(i for i, s in stored.items() if s == shop), shop
    await storage.close()
    return len(stored), len(temps)


STALE_TEMP_SECONDS = 60  # core/src/storage/file_sweep.rs, STALE_TEMP_MS


async def sweep_temps(directory: pathlib.Path) -> tuple[int, int]:
    """Sweeps twice: with the temp files as the kills left them (young: kept), then aged past
    the threshold (removed); every session stays. Returns (kept, removed)."""
    storage = sk.FileSessionStorage(directory)
    sessions = directory / "sessions"
    temps = sorted(p for p in sessions.iterdir() if p.name.startswith(".tmp-"))
    before = sorted(p.name for p in sessions.iterdir() if not p.name.startswith(".tmp-"))
    assert await storage.sweep() == 0, "no session here is past its time"
    kept = [p for p in temps if p.exists()]
    assert kept == temps, "a temp file younger than the threshold may be a live writer's: kept"
    old = time.time() - STALE_TEMP_SECONDS - 5
    for path in temps:
        os.utime(path, (old, old))
    assert await storage.sweep() == 0, "temp files are not counted as sessions"
    left = sorted(p.name for p in sessions.iterdir())
    assert left == before, f"stale temp files removed, sessions kept: {set(left) ^ set(before)}"
    await storage.close()
    return len(kept), len(temps)


@pytest.mark.parametrize("order", [("node", "python")])
def test_sigkilled_writers_leave_a_readable_storage(tmp_path: pathlib.Path, order: tuple[str, str]) -> None:
    rng = random.Random(os.environ.get("SK_CRASH_SEED") or None)
    directory = tmp_path / "sessions"
    seen = []
    for language in order:
        for _ in range(KILLS // len(order)):
            kill_at_random(WRITERS[language], directory, rng)
        seen.append((language, *asyncio.run(check(directory))))
    # The checks above cannot pass vacuously: the writers did leave sessions behind.
    assert all(count > 0 for _, count, _ in seen), seen
    kept, removed = asyncio.run(sweep_temps(directory))
    # Nor can the sweep's: kills during a write do leave temp files (about one in ten).
    assert removed > 0, f"no kill left a temp file to clean: {seen}"
    asyncio.run(check(directory))
    print(f"crash-kill: {KILLS} kills; (language, sessions, temp files left) = {seen}; {removed} removed by a sweep")
