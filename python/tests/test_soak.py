"""The soak workload at 10,000 operations (the 1,000,000 of `make soak` in soak/run.py): every
outcome right against the model, errors and timeouts included, and no task left behind."""

from __future__ import annotations

import asyncio
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "soak"))
from workload import TIMEOUT, soak  # noqa: E402


@pytest.mark.parametrize("kind", ["memory", "custom"])
async def test_ten_thousand_mixed_operations_leave_no_task_behind(kind: str) -> None:
    before = asyncio.all_tasks()
    counts = await soak(kind, 10_000, seed=12)
    assert all(counts[op] > 0 for op in ("store", "load", "delete", "find", "invalid")), counts
    if kind == "custom":
        assert counts["throw"] > 0 and counts["hang"] > 0, counts
    # A timed-out callback's task must be cancelled and gone; give a stray one time to show.
    await asyncio.sleep(TIMEOUT * 4)
    assert asyncio.all_tasks() - before == set()
