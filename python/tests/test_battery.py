"""The conformance battery (sessionkeeper.testing) on every storage the package ships and on
custom storages over each result shape a callback may hand back; then the kit itself: it carries
tests/vectors/battery.json unchanged, refuses unknown versions, and fails a storage that breaks
the promise a case is about."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from helpers import dict_storage, load_vectors
from redis_store import redis_session_storage
from sessionkeeper import FileSessionStorage, MemorySessionStorage, Session, SessionCache, SessionStorage, _native, testing
from sessionkeeper.testing import CASES, DATA_CASES, Case, battery, run_battery

ALL = battery()


def params(cases: dict[str, Case]) -> Any:
    return pytest.mark.parametrize("case", list(cases.values()), ids=list(cases))


@params(ALL)
async def test_memory(case: Case) -> None:
    await case(MemorySessionStorage())


@params(ALL)
async def test_file(case: Case, tmp_path: Path) -> None:
    await case(FileSessionStorage(tmp_path / "sessions"))


@pytest.mark.parametrize("shape", ["text", "bytes", "dict", "session"])
@pytest.mark.parametrize("sync", [False, True], ids=["async", "sync"])
@params(ALL)
async def test_custom(case: Case, shape: str, sync: bool) -> None:
    await case(dict_storage(shape, sync=sync))


@params(CASES)
async def test_custom_property_arrays(case: Case) -> None:
    # Property arrays carry Shopify's fields only, so the app-data cases do not apply.
    await case(dict_storage("properties"))


@params(ALL)
@pytest.mark.parametrize("shape", ["text", "session"])
async def test_custom_with_a_read_through_cache(case: Case, shape: str) -> None:
    await case(dict_storage(shape, cache=SessionCache(max_entries=4, max_staleness=60)))


@params(ALL)
async def test_custom_per_id_delete_fallback(case: Case) -> None:
    await case(dict_storage("text", delete_sessions=None))


@params(ALL)
async def test_redis(case: Case, redis_client: Any, redis_prefix: str) -> None:
    await case(redis_session_storage(redis_client, redis_prefix))


async def test_the_whole_battery_on_one_storage_that_is_never_cleared(tmp_path: Path) -> None:
    # As Shopify runs it (and the Node suite does): what earlier cases left must not disturb later ones.
    for storage in (MemorySessionStorage(), FileSessionStorage(tmp_path)):
        await run_battery(lambda: storage)
        await run_battery(lambda: storage)


def test_battery_lists_every_case_once_in_the_data_order() -> None:
    names = [c["name"] for c in load_vectors("battery.json")["cases"]]
    assert list(CASES) + list(DATA_CASES) == names
    assert list(ALL) == names and len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in names)
    assert list(DATA_CASES) == ["keeps-app-data-exactly", "stores-copies-of-app-data"]
    assert list(battery(app_data=False)) == list(CASES)


def test_the_native_module_carries_the_vector_files_unchanged() -> None:
    assert json.loads(_native.BATTERY_VECTORS) == {
        "battery": load_vectors("battery.json"),
        "sessions": load_vectors("sessions.json"),
        "invalid": load_vectors("invalid.json"),
    }


@pytest.mark.parametrize("file", ["battery", "sessions", "invalid"])
def test_a_version_the_kit_does_not_know_is_refused(file: str) -> None:
    assert testing._read_vectors(_native.BATTERY_VECTORS)["battery"]["cases"]
    changed = json.loads(_native.BATTERY_VECTORS)
    changed[file]["version"] = 2
    with pytest.raises(ValueError, match=f"{file} has version 2"):
        testing._read_vectors(json.dumps(changed))


async def test_a_step_the_kit_does_not_know_fails_the_case() -> None:
    case = {"name": "made-up", "sessions": {}, "steps": [{"op": "rename", "id": "x", "expect": True}]}
    with pytest.raises(AssertionError, match=r"made-up, step 1 \(rename\): unknown step op"):
        await testing._run_case(case, MemorySessionStorage())


class Flawed:
    """A storage doing what ``inner`` does through its public methods, but for the overrides."""

    def __init__(self, inner: SessionStorage, **overrides: Callable[..., Awaitable[Any]]) -> None:
        self.inner = inner
        self.overrides = overrides

    def __getattr__(self, name: str) -> Any:
        return self.overrides.get(name, getattr(self.inner, name))


def altered(inner: SessionStorage, **fields: Callable[[Session], Any]) -> Flawed:
    """A storage that changes some fields of each session before storing it."""

    async def store(s: Session | dict[str, Any]) -> bool:
        session = Session.from_dict(s) if isinstance(s, dict) else s
        return await inner.store_session({**session.to_dict(), **{k: f(session) for k, f in fields.items()}})

    return Flawed(inner, store_session=store)


def sharing(inner: SessionStorage) -> Flawed:
    kept: dict[str, Any] = {}  # the objects the app handed over, not copies

    async def store(s: Any) -> bool:
        kept[s.id] = s
        return True

    async def load(id: str) -> Any:
        return kept.get(id)

    return Flawed(inner, store_session=store, load_session=load)


def finding_everything(inner: SessionStorage) -> Flawed:
    ids: set[str] = set()  # every session ever stored, whatever its shop

    async def store(s: Session) -> bool:
        ids.add(s.id)
        return await inner.store_session(s)

    async def find(shop: str) -> list[Session]:
        return [s for id in ids if (s := await inner.load_session(id)) is not None]

    return Flawed(inner, store_session=store, find_sessions_by_shop=find)


def overriding(
    method: str, replace: Callable[[SessionStorage, Any], Awaitable[Any]]
) -> Callable[[SessionStorage], Flawed]:
    """A storage whose ``method`` is ``replace`` (given the inner storage and the argument)."""

    def make(inner: SessionStorage) -> Flawed:
        async def call(argument: Any) -> Any:
            return await replace(inner, argument)

        return Flawed(inner, **{method: call})

    return make


async def _unless_expired(inner: SessionStorage, id: str) -> Session | None:
    s = await inner.load_session(id)
    return None if s is not None and s.is_expired() else s


async def _empty_id_is_missing(inner: SessionStorage, id: str) -> Session | None:
    return None if id == "" else await inner.load_session(id)


async def _old_shop_kept(inner: SessionStorage, shop: str) -> list[Session]:
    if shop == "one.myshopify.com":
        return [Session("battery_upsert", shop=shop)]
    return await inner.find_sessions_by_shop(shop)


async def _nothing_deleted(inner: SessionStorage, ids: Sequence[str]) -> bool:
    return True


#: Each storage breaks the promise one case is about; the battery must notice, in that case.
FLAWS: dict[str, Callable[[SessionStorage], Flawed]] = {
    "stores-copies": sharing,
    "stores-copies-of-app-data": sharing,
    "can-find-all-the-sessions-for-a-given-shop": finding_everything,
    "can-delete-the-sessions-for-a-given-array-of-ids": overriding("delete_sessions", _nothing_deleted),
    "can-store-sessions-with-scope-longer-than-255-chars": lambda inner: altered(
        inner, scope=lambda s: s.scope and s.scope[:255]
    ),
    "keeps-dates-to-the-millisecond": lambda inner: altered(
        inner, expires=lambda s: s.expires and s.expires.replace(microsecond=0)
    ),
    "keeps-app-data-exactly": lambda inner: altered(inner, data=lambda s: None),
    "keeps-expired-sessions-loadable": overriding("load_session", _unless_expired),
    "rejects-bad-arguments": overriding("load_session", _empty_id_is_missing),
    "upserts-also-across-shops": overriding("find_sessions_by_shop", _old_shop_kept),
}


@pytest.mark.parametrize("name", list(FLAWS))
async def test_a_storage_that_breaks_a_promise_fails_the_case_about_it(name: str) -> None:
    inner = MemorySessionStorage()
    await ALL[name](inner)
    with pytest.raises(AssertionError, match=rf"^{name}, step \d+ \(\w+\): ") as raised:
        await ALL[name](FLAWS[name](inner))
    assert isinstance(raised.value.__cause__, AssertionError), "an assertion of the case failed"


def test_the_kit_still_checks_under_python_dash_o(tmp_path: Path) -> None:
    # `assert` statements vanish under -O; a conformance kit must not pass by being optimised away.
    script = (
        "import asyncio\n"
        "from sessionkeeper import MemorySessionStorage\n"
        "from sessionkeeper.testing import _run_case\n"
        "case = {'name': 'x', 'sessions': {}, 'steps': [{'op': 'load', 'id': 'missing', 'expect': True}]}\n"
        "try:\n"
        "    asyncio.run(_run_case(case, MemorySessionStorage()))\n"
        "except AssertionError as error:\n"
        "    print('failed:', error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-O", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.startswith("failed: x, step 1 (load): load_session returns True"), done.stdout + done.stderr


def test_every_storage_is_a_session_storage(tmp_path: Path) -> None:
    for storage in (MemorySessionStorage(), FileSessionStorage(tmp_path), dict_storage()):
        assert isinstance(storage, SessionStorage)
