"""The hand-written stubs (`_native.pyi`) and annotations are checked, not trusted: mypy
--strict over the package and the typed example, stubtest against the compiled module, and
the typed example runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PYTHON_DIR = Path(__file__).resolve().parents[1]
EXAMPLES = PYTHON_DIR / "examples"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


def test_mypy_strict_over_the_examples_against_the_installed_wheel() -> None:
    # From examples/, mypy resolves `sessionkeeper` to the installed wheel (py.typed + .pyi).
    done = run("-m", "mypy", "--strict", "--no-incremental", "typed.py", "quickstart.py", "manager.py", cwd=EXAMPLES)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_over_the_web_apps_and_rejects_misuse(tmp_path: Path) -> None:
    # A FastAPI app as users write it: the examples, plus misuse mypy must reject.
    done = run("-m", "mypy", "--strict", "--no-incremental", "fastapi_app.py", "fastapi_quick.py", cwd=EXAMPLES)
    assert done.returncode == 0, done.stdout + done.stderr
    (tmp_path / "misuse.py").write_text(
        "from fastapi import FastAPI\n"
        "from sessionkeeper import MemorySessionStorage, SessionManager\n"
        "from sessionkeeper.fastapi import Session\n"
        "from sessionkeeper.starlette import SessionMiddleware\n"
        "app = FastAPI()\n"
        "app.add_middleware(SessionMiddleware, manager='not a manager')\n"
        "def view(session: Session) -> int:\n"
        "    return session.is_new + session.id\n"
        "SessionMiddleware(app, SessionManager(MemorySessionStorage(), secrets=['x' * 32]))\n",
        encoding="utf-8",
    )
    done = run("-m", "mypy", "--strict", "--no-incremental", "misuse.py", cwd=tmp_path)
    for line in (6, 8, 9):
        assert f"misuse.py:{line}:" in done.stdout, done.stdout


def test_mypy_strict_over_the_package_sources() -> None:
    done = run("-m", "mypy", "--strict", "--no-incremental", "sessionkeeper", cwd=PYTHON_DIR)
    assert done.returncode == 0, done.stdout + done.stderr


def test_stubtest_matches_the_compiled_module(tmp_path: Path) -> None:
    # Run outside python/ so the import is the installed package, compiled module included.
    done = run("-m", "mypy.stubtest", "sessionkeeper._native", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_typed_example_runs(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "typed.py")], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
