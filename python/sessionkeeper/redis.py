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
worst a stale index entry, which reads skip and remove.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Union

from . import _native
from ._native import Session
from .custom import CustomSessionStorage
from .errors import InvalidArgumentError, InvalidSessionError

try:
    import redis.asyncio as _redis
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


def _text(member: bytes | str) -> str:
    return member.decode() if isinstance(member, bytes) else member


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

    __slots__ = ("client", "layout", "cluster")

    def __init__(self, client: Any, layout: _native.RedisLayout, cluster: bool) -> None:
        self.client = client
        self.layout = layout
        self.cluster = cluster

    async def phases(self, *phases: Sequence[_Command]) -> list[Any]:
        """Sends each phase's commands after every command of the previous phase (within a
        phase, in any order); returns the replies, in order."""
        if self.cluster:
            await self.client.initialize()
            replies: list[Any] = []
            for phase in phases:
                client = self.client
                replies += await asyncio.gather(*(getattr(client, name)(*args) for name, args in phase))
            return replies
        pipe = self.client.pipeline(transaction=False)
        for phase in phases:
            for name, args in phase:
                getattr(pipe, name)(*args)
        return list(await pipe.execute())

    async def store(self, session: Session) -> bool:
        key, value, index_key, member, expire_at_ms = self.layout.store(session)
        client = self.client
        # SADD, SET, SADD: the second SADD restores an index entry that a concurrent find removed
        # after reading the key before this SET landed (see find).
        if self.cluster:
            await client.initialize()
            await client.sadd(index_key, member)
            await client.set(key, value, pxat=expire_at_ms)
            await client.sadd(index_key, member)
        else:
            pipe = client.pipeline(transaction=False)
            pipe.sadd(index_key, member)
            pipe.set(key, value, pxat=expire_at_ms)
            pipe.sadd(index_key, member)
            await pipe.execute()
        return True

    async def load(self, id: str) -> Any:
        # The raw reply: the storage validates it and builds the Session in one native call.
        if self.cluster:
            await self.client.initialize()
        return await self.client.get(self.layout.session_key(id))

    async def delete(self, id: str) -> bool:
        return await self.delete_sessions([id])

    async def delete_sessions(self, ids: list[str]) -> bool:
        # GET tells which shop index lists each id; every DEL goes before any SREM.
        layout = self.layout
        if not ids:
            return True
        values = await self.phases([("get", (layout.session_key(id),)) for id in ids])
        plans = [p for p in map(layout.remove, ids, values) if p is not None]
        index: dict[str, list[str]] = {}
        for _, index_key, member in plans:
            if index_key is not None:
                index.setdefault(index_key, []).append(member)
        # One DEL per key: a multi-key DEL would span hash slots on a cluster.
        await self.phases(
            [("delete", (key,)) for key, _, _ in plans],
            [("srem", (index_key, *members)) for index_key, members in index.items()],
        )
        return True

    async def find(self, shop: str) -> list[Any]:
        layout = self.layout
        index_key = layout.shop_key(shop)
        if self.cluster:
            await self.client.initialize()
        ids = sorted(_text(m) for m in await self.client.smembers(index_key))
        if not ids:
            return []
        values = await self.phases([("get", (layout.session_key(id),)) for id in ids])
        found: list[Any] = []
        stale: list[str] = []
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
            await self.client.srem(index_key, *stale)
            # A store may have landed its SET between our GET and SREM: read those keys again
            # and put back the members that are sessions of this shop after all.
            again = await self.phases([("get", (layout.session_key(id),)) for id in stale])
            revived = [id for id, value in zip(stale, again) if _kept(layout, shop, value)]
            if revived:
                await self.client.sadd(index_key, *revived)
        return found


def _kept(layout: Any, shop: str, value: Any) -> bool:
    try:
        return layout.found(shop, value) is not None
    except InvalidSessionError:
        return False


class RedisSessionStorage(CustomSessionStorage):
    """Sessions in Redis, single node or cluster; see the module documentation for the layout.

    Built on :class:`CustomSessionStorage`, so every value read back is validated
    (``INVALID_SESSION``), a driver error becomes ``CALLBACK_FAILED`` with the driver's
    exception as ``__cause__``, a command that hangs past ``timeout`` seconds becomes
    ``CALLBACK_TIMEOUT``, and the storage keeps working once the server answers again.
    """

    __slots__ = ("_client", "_owned", "_layout")

    def __init__(
        self,
        client_or_url: RedisClientOrUrl,
        *,
        key_prefix: str | None = None,
        grace: float | timedelta | None = None,
        timeout: float | None = 10.0,
    ) -> None:
        layout = _native.RedisLayout(key_prefix, grace)
        if isinstance(client_or_url, str):
            try:
                # A pool that waits for a free connection (the storage's timeout bounds the
                # wait): redis-py 8's default pool fails a command beyond 100 connections.
                pool = _redis.BlockingConnectionPool.from_url(client_or_url, max_connections=100, timeout=None)
                client: Any = _redis.Redis.from_pool(pool)
            except ValueError as error:
                raise InvalidArgumentError(f"client_or_url is not a Redis URL: {error}") from error
            owned = True
        elif isinstance(client_or_url, (_redis.Redis, _RedisCluster)):
            client, owned = client_or_url, False
        else:
            raise InvalidArgumentError(
                "client_or_url must be a redis.asyncio Redis or RedisCluster client or a URL string, "
                f"got a value of type {type(client_or_url).__name__}"
            )
        commands = _Commands(client, layout, isinstance(client, _RedisCluster))
        super().__init__(
            commands.store,
            commands.load,
            commands.delete,
            delete_sessions=commands.delete_sessions,
            find_sessions_by_shop=commands.find,
            timeout=timeout,
        )
        self._client = client
        self._owned = owned
        self._layout = layout

    @property
    def client(self) -> Redis | RedisCluster:
        """The ``redis.asyncio`` client the storage sends its commands through."""
        client: Redis | RedisCluster = self._client
        return client

    def key(self, id: str) -> str:
        """The Redis key holding session ``id``."""
        return self._layout.session_key(id)

    def shop_key(self, shop: str) -> str:
        """The Redis set holding the ids of ``shop``'s sessions."""
        return self._layout.shop_key(shop)

    async def close(self) -> None:
        """Closes the client if this storage created it from a URL; a client passed in is left
        open (it is the app's)."""
        if self._owned:
            await self._client.aclose()


def redis_session_storage(
    client_or_url: RedisClientOrUrl,
    *,
    key_prefix: str | None = None,
    grace: float | timedelta | None = None,
    timeout: float | None = 10.0,
) -> RedisSessionStorage:
    """A session storage on Redis.

    ``client_or_url``: a ``redis.asyncio.Redis`` or ``redis.asyncio.RedisCluster`` client (never
    closed by the storage), or a ``redis://`` / ``rediss://`` URL, for which the storage creates
    a single-node client that :meth:`RedisSessionStorage.close` closes. ``key_prefix`` (default
    ``"sessionkeeper:"``) starts every key. ``grace`` (seconds or a ``timedelta``; default 7
    days, at most 3650 days) is how long a session stays loadable after it stopped being usable:
    Shopify apps read expired sessions (the shop, to send the merchant back through OAuth).
    ``timeout`` is in seconds per operation (``None`` or ``0`` disables it).
    """
    return RedisSessionStorage(client_or_url, key_prefix=key_prefix, grace=grace, timeout=timeout)
