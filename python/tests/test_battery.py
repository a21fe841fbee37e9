"""The conformance battery (sessionkeeper.testing) on every storage the package ships and on
custom storages over each result shape a callback may hand back; then the kit itself: it carries
tests/vectors/battery.json unchanged, refuses unknown versions, and fails a storage that breaks
the promise a case is about."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from helpers import dict_storage, load_vectors
from redis_store import redis_session_storage
from sessionkeeper import FileSessionStorage, MemorySessionStorage, Session, SessionStorage, _native, testing
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

    def __init__(self, inner: SessionStorage, **overrides: Callable[..., Any]) -> None:
        self.inner = inner
        self.overrides = overrides

    def __getattr__(self, name: str) -> Any:
        return self.overrides.get(name, getattr(self.inner, name))


def _flaw(name: str, inner: MemorySessionStorage) -> Flawed:
    """A storage that breaks the promise case ``name`` is about."""
    if name == "stores-copies":
        kept: dict[str, Any] = {}

        async def keep(s: Any) -> bool:
            kept[s.id] = s
            return True

        async def give(id: str) -> Any:
            return kept.get(id)

        return Flawed(inner, store_session=keep, load_session=give)
    if name == "can-find-all-the-sessions-for-a-given-shop":
        ids: set[str] = set()  # every session ever stored, whatever its shop

        async def store(s: Session) -> bool:
            ids.add(s.id)
            return await inner.store_session(s)

        async def find(shop: str) -> list[Session]:
            return [s for id in ids if (s := await inner.load_session(id)) is not None]

        return Flawed(inner, store_session=store, find_sessions_by_shop=find)
    if name == "can-delete-the-sessions-for-a-given-array-of-ids":

        async def forget(ids: Sequence[str]) -> bool:
            return True

        return Flawed(inner, delete_sessions=forget)

    def altered(**fields: Callable[[Session], Any]) -> Callable[[Any], Any]:
        async def store(s: Any) -> bool:
            session = Session.from_dict(s) if isinstance(s, dict) else s
            return await inner.store_session(
                {**session.to_dict(), **{k: f(session) for k, f in fields.items()}}
            )

        return store

    if name == "can-store-sessions-with-scope-longer-than-255-chars":
        return Flawed(inner, store_session=altered(scope=lambda s: s.scope and s.scope[:255]))
    if name == "keeps-dates-to-the-millisecond":
        return Flawed(inner, store_session=altered(expires=lambda s: s.expires and s.expires.replace(microsecond=0)))
    if name == "keeps-app-data-exactly":
        return Flawed(inner, store_session=altered(data=lambda s: None))

    async def load(id: str) -> Session | None:
        s = await inner.load_session(id)
        return None if s is not None and s.is_expired() else s

    async def loose_load(id: str) -> Session | None:
        return None if id == "" else await inner.load_session(id)

    async def stale_find(shop: str) -> list[Session]:
        if shop == "one.myshopify.com":
            return [Session("battery_upsert", shop=shop)]
        return await inner.find_sessions_by_shop(shop)

    return {
        "keeps-expired-sessions-loadable": lambda: Flawed(inner, load_session=load),
        "rejects-bad-arguments": lambda: Flawed(inner, load_session=loose_load),
        "upserts-also-across-shops": lambda: Flawed(inner, find_sessions_by_shop=stale_find),
    }[name]()


@pytest.mark.parametrize(
    "name",
    [
        "stores-copies",
        "can-find-all-the-sessions-for-a-given-shop",
        "can-delete-the-sessions-for-a-given-array-of-ids",
        "can-store-sessions-with-scope-longer-than-255-chars",
        "keeps-dates-to-the-millisecond",
        "keeps-app-data-exactly",
        "keeps-expired-sessions-loadable",
        "rejects-bad-arguments",
        "upserts-also-across-shops",
    ],
)
async def test_a_storage_that_breaks_a_promise_fails_the_case_about_it(name: str) -> None:
    inner = MemorySessionStorage()
    await ALL[name](inner)
    with pytest.raises(AssertionError, match=rf"^{name}, step \d+ \(\w+\): ") as raised:
        await ALL[name](_flaw(name, inner))  # type: ignore[arg-type]
    assert isinstance(raised.value.__cause__, AssertionError), "an assertion of the case failed"


def test_every_storage_is_a_session_storage(tmp_path: Path) -> None:
    for storage in (MemorySessionStorage(), FileSessionStorage(tmp_path), dict_storage()):
        assert isinstance(storage, SessionStorage)
