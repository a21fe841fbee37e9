"""Cross-language: sessions stored by Node load in Python with byte-identical canonical JSON,
and the reverse, through every storage both languages can open (file, Redis, a 3-node Redis
Cluster, PostgreSQL); and a Node service and a Python worker storing at once lose nothing.

Servers: REDIS_URL (default redis://127.0.0.1:6379) and DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test). When one is unreachable its cases are skipped with a
printed notice, unless CI=true, where they fail. The cluster is started here on ports
SK_CLUSTER_PORT (default 7301) .. +2 and stopped afterwards. Keys and tables are removed.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import subprocess
import sys
import uuid
from typing import Callable, Iterator

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VECTORS = json.loads((HERE.parent / "vectors" / "sessions.json").read_text(encoding="utf-8"))
CANONICAL = {json.loads(c["canonical"])["id"]: c["canonical"] for c in VECTORS["sessions"]}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
CLUSTER_PORT = os.environ.get("SK_CLUSTER_PORT", "7301")


def run(*cmd: str) -> str:
    out = subprocess.run(list(cmd), capture_output=True, text=True, check=False)
    assert out.returncode == 0, f"{cmd[:3]} failed:\n{out.stderr}"
    return out.stdout


def node(*args: str) -> dict[str, str | None]:
    return json.loads(run("node", str(HERE / "node_side.js"), *args))


def python(*args: str) -> dict[str, str | None]:
    return json.loads(run(sys.executable, str(HERE / "python_side.py"), *args))


def unavailable(what: str, error: BaseException) -> None:
    message = f"{what} unreachable ({error!r})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true requires it")
    print(f"\nNOTICE: skipping {what} interop tests: {message}", file=sys.stderr)
    pytest.skip(message)


@pytest.fixture(scope="module")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable"
        unavailable("Redis", error)
    return REDIS_URL


@pytest.fixture(scope="module")
def cluster_url() -> Iterator[str]:
    env = {**os.environ, "SK_CLUSTER_PORT": CLUSTER_PORT}
    script = str(ROOT / "tests" / "cluster" / "redis-cluster.sh")
    started = subprocess.run([script, "start"], capture_output=True, text=True, env=env, check=False)
    if started.returncode != 0:
        unavailable("Redis Cluster", RuntimeError(started.stderr.strip()))
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([script, "stop"], env=env, check=False)


@pytest.fixture(scope="module")
def database_url() -> str:
    import asyncpg

    async def probe() -> None:
        conn = await asyncpg.connect(DATABASE_URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as error:  # noqa: BLE001
        unavailable("PostgreSQL", error)
    return DATABASE_URL


def drop_redis_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


def drop_table(url: str, table: str) -> None:
    import asyncpg

    async def drop() -> None:
        conn = await asyncpg.connect(url)
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await conn.close()

    asyncio.run(drop())


@pytest.fixture(params=["file", "redis", "redis-cluster", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[tuple[str, str]]:
    kind = request.param
    name = f"sk_interop_{uuid.uuid4().hex[:12]}"
    if kind == "file":
        yield kind, str(tmp_path / "sessions")
    elif kind == "redis":
        url = request.getfixturevalue("redis_url")
        yield kind, f"{url}|{name}:"
        drop_redis_keys(url, f"{name}:")
    elif kind == "redis-cluster":
        yield kind, f"{request.getfixturevalue('cluster_url')}|{name}:"
    else:
        url = request.getfixturevalue("database_url")
        yield kind, f"{url}|{name}"
        drop_table(url, name)


Side = Callable[..., "dict[str, str | None]"]


@pytest.mark.parametrize(("writer", "reader"), [(node, python), (python, node)], ids=["node-to-python", "python-to-node"])
def test_sessions_cross_languages_byte_for_byte(writer: Side, reader: Side, target: tuple[str, str]) -> None:
    kind, where = target
    # PostgreSQL text cannot hold U+0000, so that storage refuses the one vector with it in its id.
    expected = {id: text for id, text in CANONICAL.items() if kind != "postgres" or "\x00" not in id}
    written = writer("write", kind, where)
    assert written == expected, "the writer's own canonical JSON matches the shared vectors"
    read = reader("read", kind, where, json.dumps(sorted(written)))
    assert read == expected


def test_file_layout_is_one_format(tmp_path: pathlib.Path) -> None:
    where = str(tmp_path / "s")
    node("write", "file", where)
    first = {p.name: p.read_bytes() for p in (tmp_path / "s" / "sessions").iterdir()}
    python("write", "file", where)
    second = {p.name: p.read_bytes() for p in (tmp_path / "s" / "sessions").iterdir()}
    assert first == second, "Python rewrites Node's files with identical names and bytes"
    assert os.stat(tmp_path / "s").st_mode & 0o777 == 0o700


@pytest.mark.parametrize("kind", ["redis", "postgres"])
def test_node_and_python_storing_at_once_lose_nothing(kind: str, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("redis_url" if kind == "redis" else "database_url")
    name = f"sk_burst_{uuid.uuid4().hex[:12]}"
    where = f"{url}|{name}:" if kind == "redis" else f"{url}|{name}"
    # Both sides create the PostgreSQL schema on first use, at the same moment: racing creators
    # must not fail each other.
    try:
        procs = [
            subprocess.Popen(["node", str(HERE / "burst.js"), kind, where, "node", "100"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
            subprocess.Popen([sys.executable, str(HERE / "burst.py"), kind, where, "py", "100"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
        ]
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
        expected = {
            f"burst-{s}.myshopify.com": sorted([f"node-{i}" for i in range(100) if i % 5 == s] + [f"py-{i}" for i in range(100) if i % 5 == s])
            for s in range(5)
        }
        # After both finished, each language sees all 200 sessions, 40 per shop.
        assert json.loads(run("node", str(HERE / "burst.js"), kind, where, "node", "0")) == expected
        assert json.loads(run(sys.executable, str(HERE / "burst.py"), kind, where, "py", "0")) == expected
    finally:
        if kind == "redis":
            drop_redis_keys(url, f"{name}:")
        else:
            drop_table(url, name)


def _manager_round_trip(first: Side, second: Side, kind: str, where: str) -> None:
    names = {node: "node", python: "python"}
    a: dict = first("manager", kind, where, "-", json.dumps({"user": "ada", "cart": [1, 2]}))
    assert a["isNew"] is True and a["setCookie"], a
    b: dict = second("manager", kind, where, a["setCookie"].split(";")[0], json.dumps({"seen": True}))
    assert b["isNew"] is False and b["id"] == a["id"], b
    assert b["values"] == {"user": "ada", "cart": [1, 2]}
    assert b["flash"] == names[first]
    cookie = (b["setCookie"] or a["setCookie"]).split(";")[0]
    c: dict = first("manager", kind, where, cookie, "{}")
    assert c["isNew"] is False and c["id"] == a["id"]
    assert c["values"] == {"user": "ada", "cart": [1, 2], "seen": True}
    assert c["flash"] == names[second]


@pytest.mark.parametrize(("first", "second"), [(node, python), (python, node)], ids=["node-then-python", "python-then-node"])
def test_a_manager_session_crosses_languages(first: Side, second: Side, target: tuple[str, str]) -> None:
    """A Node manager and a Python manager with the same secrets and storage share one login."""
    _manager_round_trip(first, second, *target)


@pytest.mark.parametrize(("first", "second"), [(node, python), (python, node)], ids=["node-then-python", "python-then-node"])
def test_a_sealed_manager_cookie_crosses_languages(first: Side, second: Side) -> None:
    """The cookie-only storage: the sealed record opens in the other language."""
    _manager_round_trip(first, second, "cookie", "-")
