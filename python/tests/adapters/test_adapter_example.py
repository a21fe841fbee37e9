"""The README's adapter example (examples/adapters.py) runs against the real servers and
type-checks under mypy --strict against the installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from adapters.servers import DATABASE_URL, REDIS_URL, Database, RedisServer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_adapter_example_type_checks() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "adapters.py"],
        cwd=EXAMPLES, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


async def test_the_adapter_example_runs(single_redis: RedisServer, database: Database, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": DATABASE_URL,
        "EXAMPLE_KEY_PREFIX": single_redis.prefix,
        "EXAMPLE_TABLE": database.table,  # dropped by the fixture
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "adapters.py")], cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    for name in ("redis", "postgres"):
        for line in ("stored: True", "equal: True", "found: ['offline_adapters.myshopify.com']", "deleted: True"):
            assert f"{name} {line}" in done.stdout, done.stdout
    keys = [k async for k in single_redis.client().scan_iter(match=single_redis.prefix + "*")]
    assert keys == [], "the example deleted what it stored"
