"""Session storage on Redis (single node or Redis Cluster) over ``redis.asyncio``.

    from sessionkeeper.redis import redis_session_storage
    storage = redis_session_storage("redis://127.0.0.1:6379", key_prefix="myapp:")

The layout is the core's (``RedisLayout``), the same the Node package writes: the key
``{prefix}session:{id}`` holds the session's canonical JSON, expiring ``grace`` (7 days by
default) after the session can no longer be used (the later of ``expires`` and
``refresh_token_expires``; no TTL without one),
and the set ``{prefix}shop:{shop}`` holds the ids of a shop's sessions. This module only sends
the commands the layout names. Every command touches one key - no MULTI, no multi-key command -
so the same storage runs on Redis Cluster. The index changes only by ``SADD``/``SREM``, never
read-then-write, so concurrent stores lose no entries; a crash between two commands leaves at
worst a stale index entry, which reads skip and remove. A store and a delete each end with a
re-check read from the key (the core's ``layout_removal`` protocol), so a delete racing a store
of the same id leaves the key and its index entry in agreement.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Union

from . import _native
from ._loops import PerLoop
from ._native import Session
from .custom import CustomSessionStorage
from .errors import InvalidArgumentError, InvalidSessionError

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

logger = logging.getLogger("sessionkeeper")

#: What the adapter accepts: a ``redis.asyncio`` client, single node or cluster, or a URL.
RedisClientOrUrl = Union[str, "Redis", "RedisCluster"]


_Command = tuple[str, tuple[Any, ...]]


class _Commands:
    """The storage's five callbacks as Redis commands. On one node, commands that follow each
    other go down one connection in one pipeline (their order kept, one round trip); on a
    cluster their keys live on different nodes, so each ordered step is awaited in turn.

    Cluster operations first await ``client.initialize()`` (a no-op once the client knows the
    topology): with redis-py 8.0-8.1, commands sent concurrently while a new RedisCluster client
    is still learning it fail with ``AttributeError: 'NoneType' object has no attribute
    'writelines'``; made to wait for the client's own initialisation lock, they do not.
    """

    __slots__ = ("fixed", "per_loop", "layout", "cluster")

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

    async def phases(self, client: Any, *phases: Sequence[_Command]) -> list[Any]:
        """Sends each phase's commands after every command of the previous phase (within a
        phase, in any order); returns the replies, in order."""
        if self.cluster:
            await client.initialize()
            replies: list[Any] = []
            for phase in phases:
                replies += await asyncio.gather(*(getattr(client, name)(*args) for name, args in phase))
            return replies
        pipe = client.pipeline(transaction=False)
        for phase in phases:
            for name, args in phase:
                getattr(pipe, name)(*args)
        return list(await pipe.execute())

    async def store(self, session: Session) -> bool:
        key, value, index_key, member, expire_at_ms = self.layout.store(session)
        client = await self.client()
        # SADD, SET, SADD: the second SADD restores an index entry that a concurrent find removed
        # after reading the key before this SET landed (see find); it answers 1 only when an
        # SREM landed since the first, and then the re-check reads the key and drops the entry
        # if a concurrent delete removed the key after our SET (the core's layout_removal docs
        # give the whole protocol).
        if self.cluster:
            await client.initialize()
            await client.sadd(index_key, member)
            await client.set(key, value, pxat=expire_at_ms)
            readded = await client.sadd(index_key, member)
        else:
            pipe = client.pipeline(transaction=False)
            pipe.sadd(index_key, member)
            pipe.set(key, value, pxat=expire_at_ms)
            pipe.sadd(index_key, member)
            readded = (await pipe.execute())[2]
        if readded and not self._holds(index_key, await client.get(key), value):
            await client.srem(index_key, member)
            # A store may have landed meanwhile: every SREM is followed by a GET and an SADD back.
            if self._holds(index_key, await client.get(key), value):
                await client.sadd(index_key, member)
        return True

    def _holds(self, index_key: str, now: Any, written: str | None) -> bool:
        """Whether ``now`` (a GET reply) is a session listed in ``index_key``."""
        if now is None:
            return False
        if written is not None and (now == written or now == written.encode()):
            return True
        return self.layout.belongs(index_key, now)

    async def load(self, id: str) -> Any:
        # The raw reply: the storage validates it and builds the Session in one native call.
        client = await self.client()
        if self.cluster:
            await client.initialize()
        return await client.get(self.layout.session_key(id))

    async def delete(self, id: str) -> bool:
        return await self.delete_sessions([id])

    async def delete_sessions(self, ids: list[str]) -> bool:
        # GET tells which shop index lists each id; every DEL goes before any SREM.
        layout = self.layout
        if not ids:
            return True
        client = await self.client()
        values = await self.phases(client, [("get", (layout.session_key(id),)) for id in ids])
        plans = [p for p in map(layout.remove, ids, values) if p is not None]
        index: dict[str, list[str]] = {}
        for _, index_key, member in plans:
            if index_key is not None:
                index.setdefault(index_key, []).append(member)
        # One DEL per key: a multi-key DEL would span hash slots on a cluster. Then the
        # re-check: a store that landed its SET after our DEL has its entry put back.
        indexed = [(key, index_key, member) for key, index_key, member in plans if index_key is not None]
        replies = await self.phases(
            client,
            [("delete", (key,)) for key, _, _ in plans],
            [("srem", (index_key, *members)) for index_key, members in index.items()],
            [("get", (key,)) for key, _, _ in indexed],
        )
        now = replies[len(replies) - len(indexed) :]
        back = [(i, m) for (_, i, m), value in zip(indexed, now) if self._holds(i, value, None)]
        if back:
            await self.phases(client, [("sadd", (index_key, member)) for index_key, member in back])
        return True

    async def find(self, shop: str) -> list[Any]:
        layout = self.layout
        index_key = layout.shop_key(shop)
        client = await self.client()
        if self.cluster:
            await client.initialize()
        # Members as the server holds them (bytes), so a member that is not UTF-8 is removed too.
        ids = sorted(await client.smembers(index_key))
        if not ids:
            return []
        # A member that is not a valid id (set by hand or another program) has no key: stale.
        keys = [layout.member_key(id) for id in ids]
        got = await self.phases(client, [("get", (key,)) for key in keys if key is not None])
        replies = iter(got)
        values = [None if key is None else next(replies) for key in keys]
        found: list[Any] = []
        stale: list[Any] = []
        for id, value in zip(ids, values):
            try:
                session = layout.found(shop, value)
            except InvalidSessionError:
                # Handed back as it came: the storage rejects it with INVALID_SESSION naming it.
                found.append(value)
                continue
            if session is None:
                stale.append(id)
            else:
                found.append(session)
        if stale:
            await client.srem(index_key, *stale)
            # A store may have landed its SET between our GET and SREM: read those keys again
            # and put back the members that are sessions of this shop after all.
            keyed = [(id, key) for id in stale if (key := layout.member_key(id)) is not None]
            again = await self.phases(client, [("get", (key,)) for _, key in keyed])
            revived = [id for (id, _), value in zip(keyed, again) if _kept(layout, shop, value)]
            if revived:
                await client.sadd(index_key, *revived)
            # Counts only: ids and shops may be personal data, and logs travel far.
            if len(stale) > len(revived):
                logger.info(
                    "redis: dropped %d stale shop-index entries (sessions expired or deleted)",
                    len(stale) - len(revived),
                )
        return found


def _kept(layout: Any, shop: str, value: Any) -> bool:
    try:
        return layout.found(shop, value) is not None
    except InvalidSessionError:
        return False


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
    seconds per operation (``None`` or ``0`` disables it).
    """
    return RedisSessionStorage(client_or_url, key_prefix=key_prefix, grace=grace, timeout=timeout)
