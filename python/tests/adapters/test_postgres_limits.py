"""sessionkeeper.postgres at PostgreSQL's edges: reserved words as table names, a 63-byte table
name (its shop index must still exist), and what PostgreSQL cannot hold (U+0000, a shop over
2 KB, a date before 4714 BC), refused up front as INVALID_ARGUMENT naming the limit. Everything
lives in a schema of the test, dropped afterwards."""

from __future__ import annotations

import os
from typing import Any

import pytest

from adapters.servers import Database
from sessionkeeper import InvalidArgumentError, Session
from sessionkeeper.postgres import postgres_session_storage


@pytest.fixture
async def schema(database: Database) -> str:
    name = f"{database.table}_schema"

    async def drop(admin: Any) -> None:
        await admin.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")

    database.cleanup.append(drop)
    pool = await database.pool()
    await pool.execute(f"CREATE SCHEMA {name}")
    return name


async def test_reserved_words_work_as_table_names(database: Database, schema: str) -> None:
    pool = await database.pool()
    for name in ["user", "select", "order"]:
        storage = postgres_session_storage(pool, table=f"{schema}.{name}")
        session = Session(name, shop="reserved.myshopify.com")
        assert await storage.store_session(session) is True
        assert await storage.load_session(name) == session
        assert await storage.find_sessions_by_shop("reserved.myshopify.com") == [session]
        assert await storage.delete_sessions([name]) is True


async def test_a_63_byte_table_name_still_gets_its_shop_index(database: Database, schema: str) -> None:
    pool = await database.pool()
    name = "t" + "x" * 62
    storage = postgres_session_storage(pool, table=f"{schema}.{name}")
    await storage.store_session(Session("a", shop="long.myshopify.com"))
    rows = await pool.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2", schema, name
    )
    shop_index = [r for r in rows if "(shop)" in r["indexdef"]]
    assert len(shop_index) == 1, rows
    assert shop_index[0]["indexname"] != name


async def test_what_postgres_cannot_hold_is_invalid_argument(database: Database, schema: str) -> None:
    pool = await database.pool()
    storage = postgres_session_storage(pool, table=f"{schema}.limits")
    for call in [
        storage.store_session({"id": "a\0b"}),
        storage.load_session("a\0b"),
        storage.delete_session("a\0b"),
        storage.delete_sessions(["ok", "a\0b"]),
        storage.find_sessions_by_shop("a\0b.myshopify.com"),
    ]:
        with pytest.raises(InvalidArgumentError, match=r"U\+0000"):
            await call
    # Random bytes: a repetitive shop would be compressed below the btree limit.
    with pytest.raises(InvalidArgumentError, match="at most 2048 bytes"):
        await storage.store_session({"id": "big", "shop": os.urandom(1600).hex()})
    ancient = {"id": "old", "expires": "-005000-01-01T00:00:00.000Z"}
    with pytest.raises(InvalidArgumentError, match="4714-11-24 BC"):
        await storage.store_session(ancient)
    assert await storage.load_session("absent") is None, "the table is made on first use"
    assert await pool.fetchval(f"SELECT count(*) FROM {schema}.limits") == 0
