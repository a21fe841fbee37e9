"""Cross-language: sessions stored by Node load in Python with byte-identical canonical JSON,
and the reverse, through every storage both languages can open."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from typing import Callable, Iterator

import pytest

HERE = pathlib.Path(__file__).resolve().parent
VECTORS = json.loads((HERE.parent / "vectors" / "sessions.json").read_text(encoding="utf-8"))
CANONICAL = {json.loads(c["canonical"])["id"]: c["canonical"] for c in VECTORS["sessions"]}


def node(*args: str) -> dict[str, str | None]:
    out = subprocess.run(["node", str(HERE / "node_side.js"), *args], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def python(*args: str) -> dict[str, str | None]:
    out = subprocess.run([sys.executable, str(HERE / "python_side.py"), *args], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


Side = Callable[..., "dict[str, str | None]"]


@pytest.fixture(params=["file"])
def target(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[tuple[str, str]]:
    yield request.param, str(tmp_path / "sessions")


@pytest.mark.parametrize(("writer", "reader"), [(node, python), (python, node)], ids=["node-to-python", "python-to-node"])
def test_sessions_cross_languages_byte_for_byte(writer: Side, reader: Side, target: tuple[str, str]) -> None:
    kind, where = target
    written = writer("write", kind, where)
    assert written == CANONICAL, "the writer's own canonical JSON matches the shared vectors"
    read = reader("read", kind, where, json.dumps(sorted(written)))
    assert read == CANONICAL


def test_file_layout_is_one_format(tmp_path: pathlib.Path) -> None:
    where = str(tmp_path / "s")
    node("write", "file", where)
    first = {p.name: p.read_bytes() for p in (tmp_path / "s" / "sessions").iterdir()}
    python("write", "file", where)
    second = {p.name: p.read_bytes() for p in (tmp_path / "s" / "sessions").iterdir()}
    assert first == second, "Python rewrites Node's files with identical names and bytes"
    assert os.stat(tmp_path / "s").st_mode & 0o777 == 0o700
