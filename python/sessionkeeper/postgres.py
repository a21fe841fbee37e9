"""Session storage on PostgreSQL over asyncpg.

    from sessionkeeper.postgres import postgres_session_storage
    storage = postgres_session_storage("postgresql://app@db/app", table="sessions")

The layout is the core's (``PostgresLayout``), the same the Node package writes: one table, ``id
text PRIMARY KEY``, ``shop`` indexed, ``expires`` and ``usable_until`` as ``timestamptz`` (to
the millisecond, no 2038 limit), the canonical JSON in a ``json`` column. Expired sessions stay
loadable until :meth:`PostgresSessionStorage.sweep` removes them ``grace`` later. The table is created
on first use, idempotently, inside a transaction holding an advisory lock, so several processes
starting at once do not race. Every operation is a statement the core plans (the same the Node
package runs) and this module only runs; what the table cannot hold is refused before anything
is sent. A find returns the shop's sessions by id; a row that is not a session is skipped
(loading its id names the problem) and counted in a warning log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, Union

from . import _native
from ._adapters import Plans, logger, unwrapped
from ._calls import _failed
from ._loops import PerLoop
from ._native import Session
from .cache import SessionCache, _id_of
from .custom import CustomSessionStorage
from .errors import InvalidArgumentError

try:
    import asyncpg  # type: ignore[import-untyped]
except ImportError as error:  # pragma: no cover - the extra is not installed
    raise ImportError(
        "sessionkeeper.postgres needs asyncpg: pip install 'sessionkeeper[postgres]'"
    ) from error

__all__ = ["PostgresSessionStorage", "postgres_session_storage"]

#: What the adapter accepts: an ``asyncpg.Pool`` or a connection string (DSN).
PoolOrDsn = Union[str, "asyncpg.Pool"]


class _Database(Plans):
    """The storage's five callbacks as SQL, and the setup each needs first: the pool of the
    running loop (see ``PerLoop``: one per loop when the storage opens it from a DSN, else the
    app's pool) and, once per storage, the schema. Operations that arrive during the setup share
    it; a failed setup is tried again by the next operation."""

    __slots__ = ("layout", "pools", "schema_ready")
    name = "postgres"
    layout: _native.PostgresLayout

    def __init__(self, layout: _native.PostgresLayout, pool: Any, dsn: str | None) -> None:
        self.layout = layout
        self.schema_ready = False

        async def open_owned() -> Any:
            # Connections open as operations need them, up to 10 (what node-postgres's Pool does).
            owned = await asyncpg.create_pool(dsn, min_size=0, max_size=10)
            try:
                await self._schema(owned)
            except BaseException:
                await owned.close()
                raise
            return owned

        async def open_passed() -> Any:
            await self._schema(pool)
            return pool

        async def close_owned(owned: Any) -> None:
            await owned.close()

        async def leave_open(_: Any) -> None:
            return None  # the app's pool: the app closes it

        if dsn is not None:
            self.pools: PerLoop[Any] = PerLoop(open_owned, close_owned)
        else:
            self.pools = PerLoop(open_passed, leave_open)

    async def _schema(self, pool: Any) -> None:
        if self.schema_ready:
            return
        async with pool.acquire() as connection, connection.transaction():
            for statement in self.layout.schema():
                await connection.execute(statement)
        self.schema_ready = True
        logger.info("postgres: table %s ready (created if it was missing)", self.layout.table)

    async def _pool(self) -> Any:
        pool = self.pools.current()
        return pool if pool is not None else await self.pools.get()

    async def run(self, query: _native.PostgresQuery) -> Any:
        """Runs one of the core's statements (built first: what it refuses is never sent)."""
        pool = await self._pool()
        returns, sql, params = query.returns, query.sql, query.params
        if returns == "value":
            return await pool.fetchval(sql, *params)
        if returns == "sessions":
            return query.next([row[0] for row in await pool.fetch(sql, *params)])
        status = await pool.execute(sql, *params)
        # asyncpg returns the command tag, "DELETE <count>" ("INSERT 0 <count>").
        if returns == "count":
            return int(status.rsplit(" ", 1)[-1])
        return query.stored(int(status.rsplit(" ", 1)[-1])) if returns == "stored" else True

    async def sweep(self) -> int:
        try:
            swept: int = await self.run(self.layout.sweep())
        except Exception as error:
            raise _failed("sweep", "", error) from error
        return swept


class PostgresSessionStorage(CustomSessionStorage):
    """Sessions in one PostgreSQL table; see the module documentation for the layout.

    Built on :class:`CustomSessionStorage`, so every row read back is validated
    (``INVALID_SESSION``), a driver error becomes ``CALLBACK_FAILED`` with the driver's
    exception as ``__cause__``, a query that hangs past ``timeout`` seconds becomes
    ``CALLBACK_TIMEOUT``, and the storage keeps working once the server answers again.

    Made from a DSN, the storage opens one pool per running event loop, on first use there,
    and closes it when that loop shuts down (the end of ``asyncio.run``) or on :meth:`close`,
    so one storage object works across several ``asyncio.run`` calls. A pool passed in is the
    app's: it belongs to the loop it was made on, and the storage never closes it.

    What an error leaves behind: ``INVALID_ARGUMENT`` is raised before any SQL is sent
    (nothing written). Each statement is one autocommitted statement, so it is applied whole or
    not at all - but ``CALLBACK_TIMEOUT``, ``CALLBACK_FAILED`` from a connection error, and a
    cancelled operation may come after the server committed it: the outcome is then unknown,
    and repeating the operation (stores are upserts, deletes idempotent) settles it.
    """

    __slots__ = ("_db", "_passed")

    def __init__(
        self,
        pool_or_dsn: PoolOrDsn,
        *,
        table: str | None = None,
        grace: float | timedelta | None = None,
        timeout: float | None = 10.0,
        cache: SessionCache | None = None,
    ) -> None:
        layout = _native.PostgresLayout(table, grace)
        if isinstance(pool_or_dsn, str):
            db = _Database(layout, None, pool_or_dsn)
        elif isinstance(pool_or_dsn, asyncpg.Pool):
            db = _Database(layout, pool_or_dsn, None)
        else:
            raise InvalidArgumentError(
                "pool_or_dsn must be an asyncpg.Pool or a connection string, "
                f"got a value of type {type(pool_or_dsn).__name__}"
            )
        super().__init__(
            db.store,
            db.load,
            db.delete,
            delete_sessions=db.delete_sessions,
            find_sessions_by_shop=db.find,
            timeout=timeout,
            cache=cache,
        )
        self._db = db
        self._passed = pool_or_dsn if isinstance(pool_or_dsn, asyncpg.Pool) else None

    # What the layout refuses (U+0000, a shop over 2 KB, a date before 4714 BC) is raised inside
    # a callback, so the storage reports CALLBACK_FAILED; the app gets the InvalidArgumentError.
    async def store_session(self, session: Session | Mapping[str, Any]) -> bool:
        return await unwrapped(super().store_session(session))

    async def load_session(self, id: str) -> Session | None:
        return await unwrapped(super().load_session(id))

    async def delete_session(self, id: str) -> bool:
        return await unwrapped(super().delete_session(id))

    async def delete_sessions(self, ids: Sequence[str]) -> bool:
        return await unwrapped(super().delete_sessions(ids))

    async def find_sessions_by_shop(self, shop: str) -> list[Session]:
        return await unwrapped(super().find_sessions_by_shop(shop))

    @property
    def table(self) -> str:
        """The table, as used in SQL."""
        return self._db.layout.table

    @property
    def pool(self) -> asyncpg.Pool | None:
        """The ``asyncpg.Pool`` in use: the one passed in, or for a storage made from a DSN the
        running loop's (``None`` before the first operation on this loop, or outside a loop)."""
        if self._passed is not None:
            return self._passed
        try:
            return self._db.pools.current()
        except RuntimeError:  # no running loop
            return None

    async def sweep(self) -> int:
        """Deletes the sessions that stopped being usable more than ``grace`` ago; returns how
        many. Opt-in: call it on your own schedule. A driver failure is ``CALLBACK_FAILED``."""
        return await self._db.sweep()

    async def store_session_if_version(self, session: Session | Mapping[str, Any], expected_version: int) -> bool:
        """Stores ``session`` only if the stored row still has ``expected_version`` (0: none
        yet), in one statement: SessionManager's ``optimistic`` concurrency. ``ConflictError``
        when it has another."""
        return await self._writing(_id_of(session), lambda: self._db.store_if_version(session, expected_version))

    async def close(self) -> None:
        """Closes the running loop's pool if this storage opened it from a DSN (the next
        operation opens a new one); a pool passed in is left open (it is the app's)."""
        await self._db.pools.close()


def postgres_session_storage(
    pool_or_dsn: PoolOrDsn,
    *,
    table: str | None = None,
    grace: float | timedelta | None = None,
    timeout: float | None = 10.0,
    cache: SessionCache | None = None,
) -> PostgresSessionStorage:
    """A session storage on PostgreSQL.

    ``pool_or_dsn``: an ``asyncpg.Pool`` (never closed by the storage) or a ``postgresql://``
    connection string, for which the storage opens a pool per running event loop, on first use
    there, that the loop's shutdown, or :meth:`PostgresSessionStorage.close`, closes.
    ``table`` (default ``sessionkeeper_sessions``): an identifier, optionally schema-qualified (``app.sessions``); it is created on first use.
    ``grace`` (seconds or a ``timedelta``; default 7 days, at most 3650 days) is how long
    :meth:`PostgresSessionStorage.sweep` keeps a session after it stopped being usable: Shopify
    apps read expired sessions (the shop, to send the merchant back through OAuth).
    ``timeout`` is in seconds per operation (``None`` or ``0`` disables it). ``cache``: a read-through cache in
    front of the store (:class:`~sessionkeeper.SessionCache`; off by default).
    """
    return PostgresSessionStorage(pool_or_dsn, table=table, grace=grace, timeout=timeout, cache=cache)
