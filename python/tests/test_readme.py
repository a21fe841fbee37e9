"""The package README, tried as a stranger holding the wheel would: every ``python`` block is
pasted into a file of its own and run by the interpreter that installed the wheel, and the
blocks pass ``mypy --strict`` together. Keys and tables the blocks create are removed."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from adapters.servers import DATABASE_URL, REDIS_URL

PYTHON_DIR = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def blocks() -> list[str]:
    return FENCE.findall((PYTHON_DIR / "README.md").read_text(encoding="utf-8"))


async def _clean_up(prefix: str, table: str) -> None:
    import asyncpg  # type: ignore[import-untyped]
    import redis.asyncio as redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        for key in [k async for k in client.scan_iter(match=prefix + "*")]:
            await client.delete(key)
    finally:
        await client.aclose()
    conn = await asyncpg.connect(DATABASE_URL)
    try:
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
    finally:
        await conn.close()


@pytest.fixture(scope="module")
def pasted(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Each block in a file of its own, in README order."""
    app = tmp_path_factory.mktemp("readme-app")
    files = []
    for i, code in enumerate(blocks()):
        file = app / f"block_{i}.py"
        file.write_text(code, encoding="utf-8")
        files.append(file)
    return files


def test_the_readme_shows_complete_programs() -> None:
    assert len(blocks()) >= 4
    for code in blocks():
        assert "asyncio.run(main())" in code, "every block runs on its own, as pasted"


def test_every_python_block_runs_as_pasted(pasted: list[Path]) -> None:
    run = uuid.uuid4().hex[:12]
    prefix, table = f"sk_py_readme_{run}:", f"sk_py_readme_{run}"
    env = {**os.environ, "REDIS_URL": REDIS_URL, "DATABASE_URL": DATABASE_URL, "EXAMPLE_KEY_PREFIX": prefix, "EXAMPLE_TABLE": table}
    try:
        for file in pasted:
            done = subprocess.run(
                [sys.executable, file.name], cwd=file.parent, env=env, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, f"{file.name}:\n{done.stdout}\n{done.stderr}"
            assert "CALLBACK_FAILED" not in done.stdout and "Traceback" not in done.stderr, done.stdout + done.stderr
    finally:
        asyncio.run(_clean_up(prefix, table))


def test_mypy_strict_accepts_every_block(pasted: list[Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *(f.name for f in pasted)],
        cwd=pasted[0].parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
