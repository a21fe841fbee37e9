"""Session storage on Redis (single node or Redis Cluster) over ``redis.asyncio``.

    from sessionkeeper.redis import redis_session_storage
    storage = redis_session_storage("redis://127.0.0.1:6379", key_prefix="myapp:")

The layout is the core's (``RedisLayout``), the same the Node package writes: the key
``{prefix}session:{id}`` holds the session's canonical JSON, expiring ``grace`` (7 days by
default) after the session can no longer be used (the later of ``expires`` and
``refresh_token_expires``; no TTL without one),
and the set ``{prefix}shop:{shop}`` holds the ids of a shop's sessions. Every operation is a
plan of the core (the same the Node package runs): this module only sends the commands of each
step and hands the replies back. Every command touches one key - no MULTI, no multi-key command
- so the same storage runs on Redis Cluster. The index changes only by ``SADD``/``SREM``, never
read-then-write, so concurrent stores lose no entries; a crash between two commands leaves at
worst a stale index entry, which finds skip and remove. A store and a delete each end with a
re-check read from the key, so a delete racing a store of the same id leaves the key and its
index entry in agreement. A find returns the shop's sessions by id; a stored value that is not
a session is skipped (loading its id names the problem) and counted in a warning log.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Union

from . import _native
from ._adapters import Plans
from ._native import Session
from ._loops import PerLoop
from .cache import SessionCache, _id_of
from .custom import CustomSessionStorage
from .errors import InvalidArgumentError

try:
    import redis.asyncio as _redis
    import redis.exceptions as _redis_exceptions
    from redis.asyncio.cluster import RedisCluster as _RedisCluster
except ImportError as error:  # pragma: no cover - the extra is not installed
    raise ImportError(
        "sessionkeeper.redis needs redis-py 5.0.1 or later: pip install 'sessionkeeper[redis]'"
    ) from error

if TYPE_CHECKING:
    from redis.asyncio import Redis
    from redis.asyncio.cluster import RedisCluster

__all__ = ["RedisSessionStorage", "redis_session_storage"]

#: What the adapter accepts: a ``redis.asyncio`` client, single node or cluster, or a URL.
RedisClientOrUrl = Union[str, "Redis", "RedisCluster"]


class _Commands(Plans):
    """The storage's five callbacks, each running one of the core's plans: every step's commands
    go to the server as the step says, and the replies go back to the core, which says what
    they mean and what comes next. On one node, a step's commands go down one connection in
    one pipeline (their order kept, one round trip); on a cluster their keys live on different
    nodes, so each phase of a step is awaited in turn.

    Cluster steps first await ``client.initialize()`` (a no-op once the client knows the
    topology): with redis-py 8.0-8.1, commands sent concurrently while a new RedisCluster client
    is still learning it fail with ``AttributeError: 'NoneType' object has no attribute
    'writelines'``; made to wait for the client's own initialisation lock, they do not.
    """

    __slots__ = ("fixed", "per_loop", "layout", "cluster")
    name = "redis"
    layout: _native.RedisLayout

    def __init__(
        self, client: Any, per_loop: PerLoop[Any] | None, layout: _native.RedisLayout, cluster: bool
    ) -> None:
        self.fixed = client  # the app's client, or None: one of the storage's own per loop
        self.per_loop = per_loop
        self.layout = layout
        self.cluster = cluster

    async def client(self) -> Any:
        client = self.fixed
        if client is None:
            per_loop: PerLoop[Any] = self.per_loop  # type: ignore[assignment]
            client = per_loop.current()
            if client is None:
                client = await per_loop.get()
        return client

    async def send(self, client: Any, phases: list[list[tuple[Any, ...]]]) -> list[Any]:
        """One step's replies, in order: each phase's commands after every command of the
        previous phase (within a phase, in any order)."""
        if self.cluster:
            await client.initialize()
            replies: list[Any] = []
            for phase in phases:
                replies += await asyncio.gather(*(client.execute_command(*command) for command in phase))
            return replies
        if len(phases) == 1 and len(phases[0]) == 1:
            return [await client.execute_command(*phases[0][0])]
        pipe = client.pipeline(transaction=False)
        for phase in phases:
            for command in phase:
                pipe.execute_command(*command)
        return list(await pipe.execute())

    async def run(self, plan: Any) -> Any:
        """The result of a plan, from its first step (or its result, when there is nothing to send)."""
        if isinstance(plan, _native.RedisStep):
            client = await self.client()
            while isinstance(plan, _native.RedisStep):
                plan = plan.next(await self.send(client, plan.commands))
        return plan


#: What the pool-exhausted error adds: the fix, in the words of redis-py's API.
_POOL_ADVICE = (
    "the client's connection pool is exhausted: build the client on "
    "redis.asyncio.BlockingConnectionPool(max_connections=..., timeout=None), so commands wait "
    "for a free connection (the storage's timeout still bounds each operation), or pass the "
    "storage a URL and it does so itself"
)


def _pool_exhausted(error: Exception) -> bool:
    too_many = getattr(_redis_exceptions, "MaxConnectionsError", None)
    if too_many is not None and isinstance(error, too_many):
        return True
    return isinstance(error, _redis_exceptions.ConnectionError) and "Too many connections" in str(error)


def _advised(callback: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
    """``callback`` whose pool-exhausted failure says what to do (redis-py's default pool
    fails a command beyond ``max_connections`` instead of waiting)."""

    async def call(argument: Any) -> Any:
        try:
            return await callback(argument)
        except _redis_exceptions.ConnectionError as error:
            if _pool_exhausted(error):
                raise type(error)(f"{error}: {_POOL_ADVICE}") from error
            raise

    return call


async def _open_url_client(url: str) -> Any:
    # A pool that waits for a free connection (the storage's timeout bounds the wait):
    # redis-py 8's default pool fails a command beyond 100 connections.
    pool = _redis.BlockingConnectionPool.from_url(url, max_connections=100, timeout=None)
    return _redis.Redis.from_pool(pool)


async def _close_client(client: Any) -> None:
    await client.aclose()


class RedisSessionStorage(CustomSessionStorage):
    """Sessions in Redis, single node or cluster; see the module documentation for the layout.

    Built on :class:`CustomSessionStorage`, so every value read back is validated
    (``INVALID_SESSION``), a driver error becomes ``CALLBACK_FAILED`` with the driver's
    exception as ``__cause__``, a command that hangs past ``timeout`` seconds becomes
    ``CALLBACK_TIMEOUT``, and the storage keeps working once the server answers again.

    Made from a URL, the storage opens one client per running event loop, on first use there,
    and closes it when that loop shuts down (the end of ``asyncio.run``) or on :meth:`close`,
    so one storage object works across several ``asyncio.run`` calls. A client passed in is
    the app's: it belongs to the loop it was made on, and the storage never closes it.

    What an error leaves behind: ``INVALID_ARGUMENT`` is raised before any command is sent
    (nothing written). ``CALLBACK_TIMEOUT``, ``CALLBACK_FAILED`` from a connection error, and
    a cancelled operation may come after the commands reached the server: a store may then
    have been written, a delete applied - the outcome is unknown, and repeating the operation
    (stores are upserts, deletes idempotent) settles it. A store interrupted between its
    commands can leave only an index entry, which reads skip and remove.
    """

    __slots__ = ("_commands", "_owned", "_layout")

    def __init__(
        self,
        client_or_url: RedisClientOrUrl,
        *,
        key_prefix: str | None = None,
        grace: float | timedelta | None = None,
        timeout: float | None = 10.0,
        cache: SessionCache | None = None,
    ) -> None:
        layout = _native.RedisLayout(key_prefix, grace)
        per_loop: PerLoop[Any] | None = None
        if isinstance(client_or_url, str):
            url = client_or_url
            try:  # parsed now, so a bad URL fails here rather than at the first operation
                _redis.BlockingConnectionPool.from_url(url)
            except ValueError as error:
                raise InvalidArgumentError(f"client_or_url is not a Redis URL: {error}") from error
            per_loop = PerLoop(lambda: _open_url_client(url), _close_client)
            client: Any = None
        elif isinstance(client_or_url, (_redis.Redis, _RedisCluster)):
            client = client_or_url
        else:
            raise InvalidArgumentError(
                "client_or_url must be a redis.asyncio Redis or RedisCluster client or a URL string, "
                f"got a value of type {type(client_or_url).__name__}"
            )
        commands = _Commands(client, per_loop, layout, isinstance(client, _RedisCluster))
        super().__init__(
            _advised(commands.store),
            _advised(commands.load),
            _advised(commands.delete),
            delete_sessions=_advised(commands.delete_sessions),
            find_sessions_by_shop=_advised(commands.find),
            timeout=timeout,
            cache=cache,
        )
        self._commands = commands
        self._owned = per_loop
        self._layout = layout

    @property
    def client(self) -> Redis | RedisCluster | None:
        """The ``redis.asyncio`` client the storage sends its commands through: the one passed
        in, or for a storage made from a URL the running loop's (``None`` before the first
        operation on this loop, or outside a running loop)."""
        client: Redis | RedisCluster | None = self._commands.fixed
        if client is None and self._owned is not None:
            try:
                client = self._owned.current()
            except RuntimeError:  # no running loop
                return None
        return client

    def key(self, id: str) -> str:
        """The Redis key holding session ``id``."""
        return self._layout.session_key(id)

    def shop_key(self, shop: str) -> str:
        """The Redis set holding the ids of ``shop``'s sessions."""
        return self._layout.shop_key(shop)

    async def store_session_if_version(self, session: Session | Mapping[str, Any], expected_version: int) -> bool:
        """Stores ``session`` only if the stored record still has ``expected_version`` (0: none
        yet), in one script on one key (Cluster-safe): SessionManager's ``optimistic``
        concurrency. ``ConflictError`` when it has another."""
        return await self._writing(_id_of(session), lambda: self._commands.store_if_version(session, expected_version))

    async def close(self) -> None:
        """Closes the running loop's client if this storage created it from a URL (the next
        operation opens a new one); a client passed in is left open (it is the app's)."""
        if self._owned is not None:
            await self._owned.close()


def redis_session_storage(
    client_or_url: RedisClientOrUrl,
    *,
    key_prefix: str | None = None,
    grace: float | timedelta | None = None,
    timeout: float | None = 10.0,
    cache: SessionCache | None = None,
) -> RedisSessionStorage:
    """A session storage on Redis.

    ``client_or_url``: a ``redis.asyncio.Redis`` or ``redis.asyncio.RedisCluster`` client (never
    closed by the storage; give it a ``BlockingConnectionPool`` so bursts wait for a connection
    instead of failing), or a ``redis://`` / ``rediss://`` URL, for which the storage opens a
    single-node client per running event loop that the loop's shutdown, or
    :meth:`RedisSessionStorage.close`, closes. ``key_prefix`` (default ``"sessionkeeper:"``)
    starts every key. ``grace`` (seconds or a ``timedelta``; default 7 days, at most 3650 days)
    is how long a session stays loadable after it stopped being usable: Shopify apps read
    expired sessions (the shop, to send the merchant back through OAuth). ``timeout`` is in
    seconds per operation (``None`` or ``0`` disables it). ``cache``: a read-through cache in
    front of the store (:class:`~sessionkeeper.SessionCache`; off by default).
    """
    return RedisSessionStorage(client_or_url, key_prefix=key_prefix, grace=grace, timeout=timeout, cache=cache)
