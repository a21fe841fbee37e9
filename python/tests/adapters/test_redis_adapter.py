"""sessionkeeper.redis on the real server and on a 3-node cluster: the keys it writes are the
core's layout (the ones a Node app reads), TTLs follow usable_until, stale index entries are
skipped and removed, deletes keep the index exact, bad data is INVALID_SESSION, and a storage
closes only the client it created."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from adapters.servers import REDIS_URL, RedisServer, delete_keys
from sessionkeeper import InvalidSessionError, Session
from sessionkeeper.redis import RedisSessionStorage, redis_session_storage


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _soon(**delta: float) -> datetime:
    """A date ``delta`` from now, at whole milliseconds."""
    now = datetime.now(timezone.utc) + timedelta(**delta)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


async def _keys(client: Any, prefix: str) -> list[str]:
    return sorted([k.decode() async for k in client.scan_iter(match=prefix + "*")])


def _storage(server: RedisServer, **client_options: Any) -> tuple[Any, RedisSessionStorage]:
    client = server.client(**client_options)
    return client, redis_session_storage(client, key_prefix=server.prefix)


async def test_one_key_per_session_and_one_set_per_shop(redis_server: RedisServer) -> None:
    client, storage = _storage(redis_server)
    p = redis_server.prefix
    session = Session("offline_layout.myshopify.com", shop="layout.myshopify.com", access_token="t", data={"n": 1.0})
    assert await storage.store_session(session) is True
    assert await client.get(f"{p}session:{session.id}") == session.to_json().encode()
    assert await client.type(f"{p}shop:layout.myshopify.com") == b"set"
    assert await client.smembers(f"{p}shop:layout.myshopify.com") == {session.id.encode()}
    assert await _keys(client, p) == [f"{p}session:{session.id}", f"{p}shop:layout.myshopify.com"]
    assert (storage.key(session.id), storage.shop_key(session.shop)) == (
        f"{p}session:{session.id}",
        f"{p}shop:layout.myshopify.com",
    )
    # What another writer (a Node app) put there loads as-is.
    other = Session("online_1", shop="layout.myshopify.com", is_online=True, scope="read_orders")
    await client.set(f"{p}session:online_1", other.to_json())
    await client.sadd(f"{p}shop:layout.myshopify.com", "online_1")
    assert {s.id for s in await storage.find_sessions_by_shop("layout.myshopify.com")} == {session.id, "online_1"}


async def test_the_default_prefix(redis_server: RedisServer) -> None:
    client = redis_server.client()
    storage = redis_session_storage(client)
    id, shop = f"default-prefix-{uuid.uuid4().hex}", f"{uuid.uuid4().hex}.myshopify.com"
    try:
        await storage.store_session(Session(id, shop=shop))
        assert await client.exists(f"sessionkeeper:session:{id}", f"sessionkeeper:shop:{shop}") == 2
    finally:
        await client.delete(f"sessionkeeper:session:{id}")
        await client.delete(f"sessionkeeper:shop:{shop}")


async def test_keys_expire_a_grace_period_after_the_session_can_no_longer_be_used(redis_server: RedisServer) -> None:
    client, storage = _storage(redis_server)
    expires, refresh_expires = _soon(hours=1), _soon(days=30)
    week = 7 * 24 * 3600 * 1000

    async def expire_time(id: str) -> int:
        return int(await client.pexpiretime(storage.key(id)))

    await storage.store_session(Session("ttl_expires", shop="ttl.myshopify.com", expires=expires))
    assert await expire_time("ttl_expires") == _ms(expires) + week, "7 days of grace by default"
    refreshable = Session(
        "ttl_refresh", shop="ttl.myshopify.com", expires=expires, refresh_token="r", refresh_token_expires=refresh_expires
    )
    await storage.store_session(refreshable)
    assert await expire_time("ttl_refresh") == _ms(refresh_expires) + week, "the later of the two dates"
    for grace, extra in [(0, 0), (90.5, 90_500), (timedelta(hours=1), 3_600_000)]:
        graced = redis_session_storage(client, key_prefix=redis_server.prefix, grace=grace)
        await graced.store_session(Session("ttl_grace", shop="ttl.myshopify.com", expires=expires))
        assert await expire_time("ttl_grace") == _ms(expires) + extra, grace
    await storage.store_session(Session("ttl_refresh_forever", shop="ttl.myshopify.com", expires=expires, refresh_token="r"))
    assert await expire_time("ttl_refresh_forever") == -1, "a refresh token that never expires"
    await storage.store_session(Session("ttl_none", shop="ttl.myshopify.com"))
    assert await expire_time("ttl_none") == -1, "no expiry, no TTL"
    await storage.store_session(Session("ttl_expires", shop="ttl.myshopify.com"))
    assert await expire_time("ttl_expires") == -1, "storing again without expires clears the TTL"
    # The shop index never expires: it only loses members through SREM.
    assert await client.pttl(storage.shop_key("ttl.myshopify.com")) == -1


async def test_an_expired_session_stays_loadable_through_the_grace_period(redis_server: RedisServer) -> None:
    client, storage = _storage(redis_server)
    # An online session whose token expired a minute ago: a Shopify app reads its shop to send
    # the merchant back through OAuth.
    expired = Session(
        "ttl_past",
        shop="past.myshopify.com",
        is_online=True,
        access_token="tok",
        expires=_soon(minutes=-1),
        online_access_info={"associated_user": {"id": 1}},
    )
    assert await storage.store_session(expired) is True
    loaded = await storage.load_session("ttl_past")
    assert loaded == expired and loaded is not None and loaded.is_expired()
    assert [s.id for s in await storage.find_sessions_by_shop("past.myshopify.com")] == ["ttl_past"]
    strict = redis_session_storage(client, key_prefix=redis_server.prefix, grace=0)
    assert await strict.store_session(expired) is True
    assert await strict.load_session("ttl_past") is None, "grace=0: gone at expiry"
    assert await strict.find_sessions_by_shop("past.myshopify.com") == []
    assert await client.exists(storage.shop_key("past.myshopify.com")) == 0, "its index entry was cleaned"


async def test_stale_index_entries_are_skipped_and_removed(redis_server: RedisServer) -> None:
    client, storage = _storage(redis_server)
    shop, other = "stale.myshopify.com", "other.myshopify.com"
    for id in ["kept", "deleted_behind_our_back", "moved"]:
        await storage.store_session(Session(id, shop=shop))
    await client.delete(storage.key("deleted_behind_our_back"))  # an expired key does the same
    await client.sadd(storage.shop_key(shop), "crashed_before_set")  # SADD done, SET never sent
    await storage.store_session(Session("moved", shop=other))  # the old index keeps "moved"
    assert await client.smembers(storage.shop_key(shop)) == {b"kept", b"deleted_behind_our_back", b"moved", b"crashed_before_set"}

    assert [s.id for s in await storage.find_sessions_by_shop(shop)] == ["kept"]
    assert await client.smembers(storage.shop_key(shop)) == {b"kept"}, "stale members removed"
    assert [s.id for s in await storage.find_sessions_by_shop(other)] == ["moved"]


async def test_deletes_keep_the_index_exact(redis_server: RedisServer) -> None:
    client, storage = _storage(redis_server)
    for id, shop in [("a", "one.myshopify.com"), ("b", "one.myshopify.com"), ("c", "two.myshopify.com"), ("d", "")]:
        await storage.store_session(Session(id, shop=shop))
    assert await storage.delete_session("a") is True
    assert await client.smembers(storage.shop_key("one.myshopify.com")) == {b"b"}
    assert await client.exists(f"{redis_server.prefix}shop:") == 0, "a session without a shop has no index entry"
    assert await storage.delete_sessions(["b", "c", "d", "never-stored"]) is True
    assert await _keys(client, redis_server.prefix) == [], "no key and no index left"
    await client.set(storage.key("corrupt"), "{not json")
    assert await storage.delete_session("corrupt") is True
    assert await client.exists(storage.key("corrupt")) == 0, "a corrupt value is deleted all the same"


async def test_bad_data_in_redis_is_invalid_session_to_load_and_skipped_by_a_find(redis_server: RedisServer) -> None:
    client, storage = _storage(redis_server)
    await client.set(storage.key("bad"), '{"id":"bad","isOnline":"maybe"}')
    await client.set(storage.key("swapped"), Session("other", shop="bad.myshopify.com").to_json())
    await client.set(storage.key("binary"), b"\xff\xfe")
    with pytest.raises(InvalidSessionError, match="is_online"):
        await storage.load_session("bad")
    with pytest.raises(InvalidSessionError, match='id "other" for id "swapped"'):
        await storage.load_session("swapped")
    with pytest.raises(InvalidSessionError, match="UTF-8"):
        await storage.load_session("binary")
    await storage.store_session(Session("fine", shop="bad.myshopify.com"))
    await client.sadd(storage.shop_key("bad.myshopify.com"), "bad", "swapped", "binary")
    # One broken record must not block a shop's uninstall cleanup (find, then delete every id):
    # the find returns exactly what loading each id returns, and lists the broken ones still.
    assert [s.id for s in await storage.find_sessions_by_shop("bad.myshopify.com")] == ["fine"]
    assert await client.smembers(storage.shop_key("bad.myshopify.com")) == {b"bad", b"swapped", b"binary", b"fine"}


async def test_a_client_that_decodes_responses(redis_server: RedisServer) -> None:
    _, storage = _storage(redis_server, decode_responses=True)
    session = Session("decoded", shop="decoded.myshopify.com", scope="read_orders")
    assert await storage.store_session(session) is True
    assert await storage.load_session("decoded") == session
    assert await storage.find_sessions_by_shop("decoded.myshopify.com") == [session]
    assert await storage.delete_sessions(["decoded"]) is True
    assert await storage.find_sessions_by_shop("decoded.myshopify.com") == []


async def test_on_a_cluster_the_keys_spread_over_the_nodes(cluster_redis: RedisServer) -> None:
    redis_server = cluster_redis
    client, storage = _storage(redis_server)
    sessions = [Session(f"spread_{i}", shop=f"spread{i % 7}.myshopify.com") for i in range(40)]
    assert all(await asyncio.gather(*(storage.store_session(s) for s in sessions)))
    keys = [storage.key(s.id) for s in sessions] + [storage.shop_key(s.shop) for s in sessions]
    nodes = {client.get_node_from_key(k).name for k in keys}
    assert len(nodes) == 3, "every node holds some: no command may span slots"
    assert await storage.delete_sessions([s.id for s in sessions]) is True
    assert await _keys(client, redis_server.prefix) == []


async def _client_connections(client: Any, name: str) -> int:
    listed = await client.client_list()
    return sum(1 for c in listed if c.get("name") == name)


async def test_a_url_storage_closes_its_client_and_a_passed_client_stays_open(single_redis: RedisServer) -> None:
    redis_server = single_redis
    observer = redis_server.client()
    name = f"sk-{uuid.uuid4().hex[:12]}"
    owned = redis_session_storage(f"{REDIS_URL}?client_name={name}", key_prefix=redis_server.prefix)
    try:
        assert await owned.store_session(Session("url", shop="url.myshopify.com")) is True
        assert await _client_connections(observer, name) == 1
    finally:
        await owned.close()
    assert await _client_connections(observer, name) == 0, "close() closed the client it created"

    passed = redis_server.client(client_name=name)
    storage = redis_session_storage(passed, key_prefix=redis_server.prefix)
    assert await storage.load_session("url") is not None
    await storage.close()
    assert await passed.ping() is True and await _client_connections(observer, name) == 1
    assert storage.client is passed
    await delete_keys(observer, redis_server.prefix)


async def test_the_cache_option(redis_server: RedisServer) -> None:
    """Hits need no server; another process's write is seen only after max_staleness; own
    writes, a conflict included, drop the entry at once."""
    from sessionkeeper import ConflictError, InvalidArgumentError, SessionCache

    client = redis_server.client()
    p = redis_server.prefix
    cached = redis_session_storage(client, key_prefix=p, cache=SessionCache(max_staleness=60))
    other = redis_session_storage(client, key_prefix=p)
    await cached.store_session(Session("cached", shop="c.myshopify.com", state="one"))
    assert (await cached.load_session("cached")).state == "one"  # type: ignore[union-attr]
    await other.store_session(Session("cached", shop="c.myshopify.com", state="two"))
    assert (await cached.load_session("cached")).state == "one"  # type: ignore[union-attr]
    await cached.delete_session("cached")
    assert await cached.load_session("cached") is None
    await cached.store_session(Session("record", data={"n": 1}))
    assert (await cached.load_session("record")).data == {"n": 1}  # type: ignore[union-attr]
    await other.store_session(Session("record", data={"n": 2}))
    with pytest.raises(ConflictError):
        await cached.store_session_if_version(Session("record", data={"n": 3}), 7)
    assert (await cached.load_session("record")).data == {"n": 2}, "a conflict dropped the entry"  # type: ignore[union-attr]
    await cached.delete_sessions(["record"])
    with pytest.raises(InvalidArgumentError, match="max_entries"):
        redis_session_storage(client, key_prefix=p, cache=SessionCache(max_entries=0))
