"""Outages mid-run (issue 12, "Outages"; the run and its checks are adapters/outage.py, the Node
twins js/test/redis-outage.test.js and js/test/postgres-outage.test.js):

- Redis and PostgreSQL cut through a TCP proxy (the servers stay up);
- a redis-server of the test's own stopped (SIGTERM) and started again on its port and data;
- one master of a Redis Cluster going away and coming back (a cluster of its own, on
  SK_CLUSTER_PORT + 6 and the next two ports, apart from the other suites' clusters);
- a SessionManager over a Redis that is away: it fails closed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.conftest import CLUSTER_PORT
from adapters.outage import SHOP, check, outage_run
from adapters.proxy import TcpProxy, free_port
from adapters.servers import DATABASE_URL, REDIS_URL, ROOT, Database, delete_keys, unavailable
from sessionkeeper import CallbackFailedError, CallbackTimeoutError, Session, SessionManager

TIMEOUT = 2.0
SECRET = "a-secret-of-at-least-thirty-two-bytes!!"


def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisClusterException, RedisError

    return (RedisError, RedisClusterException, OSError)


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    import redis.asyncio as redis

    prefix = f"sk-pytest-outage:{uuid.uuid4().hex}:"
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as error:  # noqa: BLE001 - any failure means "no server here"
        await client.aclose()
        unavailable(f"Redis at {REDIS_URL}", error)
    try:
        yield prefix
    finally:
        await delete_keys(client, prefix)
        assert [k async for k in client.scan_iter(match=prefix + "*")] == []
        await client.aclose()


async def test_redis_cut_mid_run(redis_prefix: str) -> None:
    from sessionkeeper.redis import redis_session_storage

    proxy = TcpProxy("127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1]))
    await proxy.open()
    storage = redis_session_storage(f"redis://127.0.0.1:{proxy.port}", key_prefix=redis_prefix, timeout=TIMEOUT)
    try:
        run = await outage_run(storage, proxy.close, proxy.open)
        print("redis cut:", await check(storage, run, TIMEOUT, _redis_errors()))
    finally:
        await storage.close()
        await proxy.close()


async def test_postgres_cut_mid_run(database: Database) -> None:
    import asyncpg  # type: ignore[import-untyped]

    from sessionkeeper.postgres import postgres_session_storage

    port = int(DATABASE_URL.rsplit(":", 1)[1].split("/")[0])
    proxy = TcpProxy("127.0.0.1", port)
    await proxy.open()
    dsn = f"postgresql://postgres@127.0.0.1:{proxy.port}/{DATABASE_URL.rsplit('/', 1)[1]}"
    storage = postgres_session_storage(dsn, table=database.table, timeout=TIMEOUT)
    try:
        run = await outage_run(storage, proxy.close, proxy.open)
        errors = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)
        print("postgres cut:", await check(storage, run, TIMEOUT, errors))
    finally:
        await storage.close()
        await proxy.close()


class OwnRedis:
    """A redis-server of the test's own on ``port`` with its data in ``directory``: append-only
    with an fsync per write, so what it acknowledged is on disk when SIGTERM stops it."""

    def __init__(self, port: int, directory: str) -> None:
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        import redis.asyncio as redis

        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.directory]
        args += ["--save", "", "--appendonly", "yes", "--appendfsync", "always"]
        self.process = subprocess.Popen(["redis-server", *args], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            assert self.process.poll() is None, f"redis-server exited with {self.process.returncode}"
            client = redis.Redis(port=self.port, socket_connect_timeout=1)
            try:
                await client.ping()
                return
            except Exception:  # noqa: BLE001 - not up yet
                assert time.monotonic() < deadline, "redis-server did not start"
                await asyncio.sleep(0.05)
            finally:
                await client.aclose()

    async def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            await asyncio.to_thread(self.process.wait)


async def test_redis_server_restarted_mid_run() -> None:
    if shutil.which("redis-server") is None:
        unavailable("redis-server", "not installed")
    from sessionkeeper.redis import redis_session_storage

    directory = tempfile.mkdtemp(prefix="sk-redis-restart-")
    server = OwnRedis(free_port(), directory)
    await server.start()
    storage = redis_session_storage(f"redis://127.0.0.1:{server.port}", key_prefix="sk-restart:", timeout=TIMEOUT)
    try:
        run = await outage_run(storage, server.stop, server.start)
        print("redis restart:", await check(storage, run, TIMEOUT, _redis_errors()))
    finally:
        await storage.close()
        await server.stop()
        shutil.rmtree(directory, ignore_errors=True)


async def test_a_manager_over_an_unreachable_store_fails_closed(redis_prefix: str) -> None:
    from sessionkeeper.redis import redis_session_storage

    proxy = TcpProxy("127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1]))
    await proxy.open()
    storage = redis_session_storage(f"redis://127.0.0.1:{proxy.port}", key_prefix=redis_prefix, timeout=TIMEOUT)
    manager = SessionManager(storage, secrets=[SECRET])
    try:
        first = await manager.start()
        first["user"] = "ada"
        set_cookie = await manager.commit(first)
        assert set_cookie is not None
        cookie = set_cookie.split(";")[0]
        before = await manager.start(cookie)
        await proxy.close()
        # The cookie names a stored session the manager cannot read: no fresh anonymous session.
        with pytest.raises(CallbackFailedError) as raised:
            await manager.start(cookie)
        assert isinstance(raised.value.__cause__, _redis_errors())
        # A change that cannot be written is an error, never a silent drop.
        before["cart"] = 3
        with pytest.raises(CallbackFailedError):
            await manager.commit(before)
        await proxy.open()
        deadline = time.monotonic() + 10
        while True:
            try:
                again = await manager.start(cookie)
                break
            except CallbackFailedError:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
        assert not again.is_new and again["user"] == "ada"
        assert "cart" not in again, "the failed commit wrote nothing"
    finally:
        await storage.close()
        await proxy.close()


def _cluster(args: list[str], base: int) -> str:
    script = ROOT / "tests" / "cluster" / "redis-cluster.sh"
    env = {**os.environ, "SK_CLUSTER_PORT": str(base)}
    return subprocess.run([str(script), *args], env=env, capture_output=True, text=True, timeout=60, check=True).stdout


async def test_a_cluster_master_going_away() -> None:
    import redis.asyncio as redis

    from sessionkeeper.redis import redis_session_storage

    base = int(CLUSTER_PORT) + 6
    try:
        url = _cluster(["start"], base).strip()
    except (OSError, subprocess.SubprocessError) as error:
        unavailable(f"a Redis Cluster of its own on port {base}", error)
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    seed = redis.Redis(port=base)
    # redis-py's default retries back off for seconds, past the storage's timeout (then
    # CALLBACK_TIMEOUT); README "Outages" gives this retry, which fails within it.
    client = redis.RedisCluster.from_url(url, socket_connect_timeout=1, retry=Retry(NoBackoff(), 1))
    prefix = "sk-cluster-outage:"
    storage = redis_session_storage(client, key_prefix=prefix, timeout=TIMEOUT)
    try:
        owners = [(int(f), int(t), int(node[1])) for f, t, node, *_ in await seed.execute_command("CLUSTER SLOTS")]

        async def port_of(key: str) -> int:
            slot = int(await seed.execute_command("CLUSTER KEYSLOT", key))
            return next(p for f, t, p in owners if f <= slot <= t)

        # Not the seed, and not the master of the shop's index (every store writes it).
        shop_port = await port_of(storage.shop_key(SHOP))
        away = next(p for p in (base + 1, base + 2) if p != shop_port)
        ids = [f"c{i}" for i in range(40)]
        on_away = {sid for sid in ids if await port_of(storage.key(sid)) == away}
        assert 0 < len(on_away) < len(ids)

        ops: list[dict[str, Any]] = []
        state = "up"

        async def op(sid: str, i: int) -> None:
            started, started_in = time.monotonic(), state
            record: dict[str, Any] = {"id": sid, "started_in": started_in, "ok": False, "error": None}
            try:
                if i % 2 == 0:
                    await storage.store_session(Session(sid, shop=SHOP, data={"i": i}))
                else:
                    await storage.load_session(sid)
                record["ok"] = True
            except Exception as error:  # noqa: BLE001 - checked below
                record["error"] = error
            record["ms"] = (time.monotonic() - started) * 1000
            record["ended_in"] = state
            ops.append(record)

        async def round_(i: int) -> None:
            await asyncio.gather(*(op(sid, i) for sid in ids))

        await round_(0)
        stopped = time.monotonic()
        await asyncio.to_thread(_cluster, ["stop-node", str(away)], base)
        state = "down"
        for i in range(1, 5):
            await round_(i)
        await asyncio.to_thread(_cluster, ["start-node", str(away)], base)
        state = "back"
        deadline = time.monotonic() + 20
        while True:
            try:
                await storage.load_session(next(iter(on_away)))
                break
            except CallbackFailedError:
                assert time.monotonic() < deadline, "the master's keys never came back"
                await asyncio.sleep(0.1)
        outage_ms = (time.monotonic() - stopped) * 1000
        for sid in ids:  # what the master acknowledged before it went away is there again
            loaded = await storage.load_session(sid)
            assert loaded is not None and loaded.data["i"] == (0 if sid in on_away else 4), sid
        await round_(5)
        await round_(6)

        down = [o for o in ops if o["started_in"] == "down" and o["ended_in"] == "down"]
        timed_out = 0
        for o in down:
            if o["id"] in on_away:
                assert not o["ok"], f"{o['id']} is on the master that is away"
                # redis-py 8's RedisCluster answers a connection error by rebuilding its view of
                # the cluster under one lock before anything is retried, and every command
                # arriving meanwhile waits behind it: with 40 at once some outlast the timeout.
                # The storage's timeout still bounds them (below); the others carry the driver's error.
                if isinstance(o["error"], CallbackTimeoutError):
                    timed_out += 1
                    continue
                assert isinstance(o["error"], CallbackFailedError), repr(o["error"])
                assert isinstance(o["error"].__cause__, _redis_errors()), repr(o["error"].__cause__)
        assert timed_out < sum(o["id"] in on_away for o in down), "some fail with the driver's error"
        others_failed = [o for o in down if o["id"] not in on_away and not o["ok"]]
        max_ms = max(o["ms"] for o in ops)
        assert max_ms < TIMEOUT * 1000 + 500, f"an operation hung: {max_ms:.0f} ms"
        late = [f"{o['id']}: {o['error']!r}" for o in ops if o["started_in"] == "back" and not o["ok"]]
        assert late == [], "all succeed once the master is back"
        figures = {"ops": len(ops), "failed_during": sum(not o["ok"] for o in down), "ids_on_away": len(on_away)}
        figures |= {"timed_out": timed_out, "others_failed": len(others_failed), "max_settle_ms": round(max_ms), "outage_ms": round(outage_ms)}
        print("cluster master away:", figures)
    finally:
        await client.aclose()
        await seed.aclose()
        await asyncio.to_thread(_cluster, ["stop"], base)
