"""sessionkeeper.postgres on the real server: the table is the core's layout (the one a Node app
reads), the schema is created once even when several processes start at once, bad rows are
INVALID_SESSION, and a storage closes only the pool it opened."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from adapters.servers import Database
from sessionkeeper import CallbackFailedError, InvalidSessionError, Session
from sessionkeeper.postgres import PostgresSessionStorage, postgres_session_storage


async def _storage(db: Database) -> tuple[Any, PostgresSessionStorage]:
    pool = await db.pool()
    return pool, postgres_session_storage(pool, table=db.table)


async def test_one_row_per_session_with_real_timestamps(database: Database) -> None:
    pool, storage = await _storage(database)
    expires = datetime(2100, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)  # past 2038
    refresh = datetime(2100, 2, 1, tzinfo=timezone.utc)
    session = Session(
        "offline_rows.myshopify.com",
        shop="rows.myshopify.com",
        access_token="t",
        expires=expires,
        refresh_token="r",
        refresh_token_expires=refresh,
        data={"n": 1.0, "nested": {"b": 2, "a": 1}},
    )
    assert await storage.store_session(session) is True
    row = await pool.fetchrow(
        f"SELECT id, shop, expires, usable_until, session::text AS text FROM {database.table}"
    )
    assert (row["id"], row["shop"]) == (session.id, session.shop)
    assert (row["expires"], row["usable_until"]) == (expires, refresh)
    assert row["text"] == session.to_json(), "the canonical JSON, byte for byte (data keys unsorted)"
    await storage.store_session(Session(session.id, shop="moved.myshopify.com"))
    row = await pool.fetchrow(f"SELECT shop, expires, usable_until FROM {database.table}")
    assert tuple(row) == ("moved.myshopify.com", None, None), "an upsert rewrites every column"
    assert await pool.fetchval(f"SELECT count(*) FROM {database.table}") == 1


async def test_the_schema(database: Database) -> None:
    pool, storage = await _storage(database)
    assert storage.table == database.table
    await storage.load_session("nothing")  # the first operation creates the table
    columns = await pool.fetch(
        "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
        "WHERE table_name = $1 ORDER BY ordinal_position",
        database.table,
    )
    assert [tuple(c) for c in columns] == [
        ("id", "text", "NO"),
        ("shop", "text", "NO"),
        ("expires", "timestamp with time zone", "YES"),
        ("usable_until", "timestamp with time zone", "YES"),
        ("session", "json", "NO"),
    ]
    indexes = await pool.fetch("SELECT indexdef FROM pg_indexes WHERE tablename = $1", database.table)
    assert any("(shop)" in i["indexdef"] for i in indexes), indexes
    assert any("PRIMARY KEY" in i["indexdef"] or "(id)" in i["indexdef"] for i in indexes), indexes


async def test_schema_creation_racing_from_several_processes_succeeds(database: Database) -> None:
    # Eight storages, each with its own pool (as eight processes starting at once would be),
    # all making the missing table in their first operation.
    storages = [postgres_session_storage(database.url, table=database.table) for _ in range(8)]
    try:
        results = await asyncio.gather(
            *(s.store_session(Session(f"race_{i}", shop="race.myshopify.com")) for i, s in enumerate(storages))
        )
        assert results == [True] * 8
        found = await storages[0].find_sessions_by_shop("race.myshopify.com")
        assert sorted(s.id for s in found) == [f"race_{i}" for i in range(8)]
    finally:
        await asyncio.gather(*(s.close() for s in storages))
    again = postgres_session_storage(database.url, table=database.table)  # the table exists now
    try:
        assert await again.load_session("race_3") == Session("race_3", shop="race.myshopify.com")
    finally:
        await again.close()


async def test_a_schema_qualified_table(database: Database) -> None:
    schema = f"sk_pytest_{uuid.uuid4().hex[:12]}"
    pool = await database.pool()
    await pool.execute(f"CREATE SCHEMA {schema}")

    async def drop(admin: Any) -> None:
        await admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")

    database.cleanup.append(drop)
    storage = postgres_session_storage(pool, table=f"{schema}.Sessions")
    assert storage.table == f"{schema}.sessions", "identifiers are folded to lower case, as PostgreSQL does"
    session = Session("qualified", shop="q.myshopify.com")
    assert await storage.store_session(session) is True
    assert await pool.fetchval(f"SELECT session::text FROM {schema}.sessions") == session.to_json()


async def test_a_bad_row_is_invalid_session_to_load_and_skipped_by_a_find(database: Database) -> None:
    pool, storage = await _storage(database)
    shop = "bad.myshopify.com"
    for id in ["bad", "fine", "Fine", "misfiled"]:
        await storage.store_session(Session(id, shop=shop))
    await pool.execute(f"""UPDATE {database.table} SET session = '{{"id":"bad","isOnline":"maybe"}}' WHERE id = 'bad'""")
    await pool.execute(
        f"""UPDATE {database.table} SET session = '{{"id":"misfiled","shop":"x"}}' WHERE id = 'misfiled'"""
    )
    with pytest.raises(InvalidSessionError, match="is_online"):
        await storage.load_session("bad")
    # One broken row must not block a shop's uninstall cleanup (find, then delete every id); the
    # order is by id in bytes, whatever the database's collation.
    assert [s.id for s in await storage.find_sessions_by_shop(shop)] == ["Fine", "fine"]
    await pool.execute(f"""UPDATE {database.table} SET session = '{{"id":"other"}}' WHERE id = 'bad'""")
    with pytest.raises(InvalidSessionError, match='id "other" for id "bad"'):
        await storage.load_session("bad")
    assert await storage.delete_sessions(["bad", "misfiled"]) is True
    assert await pool.fetchval(f"SELECT count(*) FROM {database.table}") == 2


async def test_a_dsn_storage_closes_its_pool_and_a_passed_pool_stays_open(database: Database) -> None:
    owned = postgres_session_storage(database.url, table=database.table)
    assert owned.pool is None, "nothing is opened before the first operation"
    try:
        assert await owned.store_session(Session("dsn", shop="dsn.myshopify.com")) is True
        opened = owned.pool
        assert opened is not None and not opened.is_closing()
    finally:
        await owned.close()
    assert opened.is_closing(), "close() closed the pool it opened"

    pool, storage = await _storage(database)
    assert await storage.load_session("dsn") == Session("dsn", shop="dsn.myshopify.com")
    await storage.close()
    assert storage.pool is pool and not pool.is_closing()
    assert await pool.fetchval("SELECT 1") == 1


async def test_sweep_removes_sessions_past_the_grace_period_only(database: Database) -> None:
    pool = await database.pool()
    storage = postgres_session_storage(pool, table=database.table, grace=timedelta(hours=2))
    now = datetime.now(timezone.utc)

    def at(**delta: float) -> datetime:
        return now + timedelta(**delta)

    shop = "sweep.myshopify.com"
    sessions = [
        Session("fresh", shop=shop, expires=at(hours=1)),
        Session("expired-in-grace", shop=shop, is_online=True, expires=at(hours=-1)),
        Session("past-grace", shop=shop, expires=at(hours=-3)),
        Session("refreshable", shop=shop, expires=at(hours=-3), refresh_token="r", refresh_token_expires=at(hours=1)),
        Session("forever", shop=shop),
    ]
    for s in sessions:
        assert await storage.store_session(s) is True
    expired = await storage.load_session("expired-in-grace")
    assert expired is not None and expired.is_expired() and expired.shop == shop
    assert await storage.sweep() == 1
    assert sorted(s.id for s in await storage.find_sessions_by_shop(shop)) == [
        "expired-in-grace",
        "forever",
        "fresh",
        "refreshable",
    ]
    assert await storage.sweep() == 0, "nothing left to sweep"
    strict = postgres_session_storage(pool, table=database.table, grace=0)
    assert await strict.sweep() == 1, "grace=0: expired sessions go at once"
    assert await storage.load_session("expired-in-grace") is None


async def test_sweep_of_an_unreachable_server_is_callback_failed(database: Database) -> None:
    storage = postgres_session_storage("postgresql://127.0.0.1:1/x", table=database.table, timeout=5)
    with pytest.raises(CallbackFailedError, match="^failed to sweep expired sessions: ") as raised:
        await storage.sweep()
    assert raised.value.__cause__ is not None
    await storage.close()
