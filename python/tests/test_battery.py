"""The conformance battery (sessionkeeper.testing) on every storage the package ships and on
custom storages over each result shape a callback may hand back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from helpers import dict_storage
from redis_store import redis_session_storage
from sessionkeeper import FileSessionStorage, MemorySessionStorage, SessionStorage
from sessionkeeper.testing import CASES, DATA_CASES, Case, battery

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


def test_battery_lists_every_case() -> None:
    assert set(ALL) == set(CASES) | set(DATA_CASES)
    assert len(battery(app_data=False)) == len(CASES)


def test_every_storage_is_a_session_storage(tmp_path: Path) -> None:
    for storage in (MemorySessionStorage(), FileSessionStorage(tmp_path), dict_storage()):
        assert isinstance(storage, SessionStorage)
