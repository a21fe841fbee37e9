"""The install test: the wheel `make dist` wrote, installed into a fresh venv with nothing
else (offline, from the file), runs the README quickstart and the README's battery example (the
conformance battery, its data embedded in the compiled module)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

PYTHON_DIR = Path(__file__).resolve().parents[1]
DIST = Path(os.environ.get("SESSIONKEEPER_DIST", PYTHON_DIR.parent / "dist"))


def version() -> str:
    text = (PYTHON_DIR / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version = "([^"]+)"', text, re.M)
    assert match is not None
    return os.environ.get("SESSIONKEEPER_VERSION", match.group(1))


def the_wheel() -> Path:
    wheels = sorted(DIST.glob(f"sessionkeeper-{version()}-*.whl"))
    if not wheels:
        pytest.fail(f"no wheel in {DIST}: run `make dist-python` (make test-python does)")
    assert len(wheels) == 1, f"expected one wheel, found {wheels}"
    return wheels[0]


def test_the_wheel_is_abi3_and_complete() -> None:
    wheel = the_wheel()
    assert "-cp310-abi3-" in wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("__init__.py", "_native.pyi", "py.typed", "testing.py", "errors.py", "starlette.py", "fastapi.py"):
        assert f"sessionkeeper/{part}" in names
    assert any(re.fullmatch(r"sessionkeeper/_native\.abi3\.so", n) for n in names)


def test_a_fresh_venv_installs_the_wheel_and_runs_the_quickstart_and_the_battery(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--disable-pip-version-check", "--quiet", str(the_wheel())],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(PYTHON_DIR / "examples" / "quickstart.py", app / "quickstart.py")
    run = subprocess.run([str(python), "quickstart.py"], cwd=app, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    for line in ("stored: True", "equal: True", "active for read_products: True", "expires is aware: True"):
        assert line in out, out
    assert "rejected: INVALID_SESSION" in out and "is_online" in out
    assert "deleted: True" in out and "after delete: None" in out
    assert "shpat_example" not in out, "the token stays out of repr"
    shutil.copy(PYTHON_DIR / "examples" / "battery.py", app / "battery.py")
    battery = subprocess.run([str(python), "battery.py"], cwd=app, capture_output=True, text=True, timeout=120)
    assert battery.returncode == 0, battery.stdout + battery.stderr
    cases = len(json.loads((PYTHON_DIR.parent / "tests" / "vectors" / "battery.json").read_text("utf-8"))["cases"])
    assert battery.stdout == f"{cases} cases passed\n"
    where = subprocess.run(
        [str(python), "-c", "import sessionkeeper; print(sessionkeeper.__file__)"],
        cwd=app, capture_output=True, text=True, timeout=60,
    )
    assert str(env_dir) in where.stdout, "imported from the fresh venv"
    assert sys.prefix not in where.stdout
    # The ASGI middleware is pure ASGI: it imports in a venv without Starlette.
    glue = subprocess.run(
        [str(python), "-c", "import sessionkeeper.starlette as s; print(s.SessionMiddleware.__name__)"],
        cwd=app, capture_output=True, text=True, timeout=60,
    )
    assert glue.stdout == "SessionMiddleware\n", glue.stdout + glue.stderr
