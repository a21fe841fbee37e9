"""The install tests: the wheel `make dist` wrote, installed into a fresh venv with nothing
else (offline, from the file), runs the README quickstart and the README's battery example (the
conformance battery, its data embedded in the compiled module); so does the sdist, built by pip
with the local Rust toolchain as on a platform we ship no wheel for."""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
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
    if sys.platform == "linux" and platform.machine() == "x86_64" and platform.libc_ver()[0] == "glibc":
        # What `make dist` builds: glibc 2.17 (tests/check_dist.py reads the symbols, asks auditwheel).
        assert wheel.name.endswith("-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"), wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("__init__.py", "_native.pyi", "py.typed", "testing.py", "errors.py", "starlette.py", "fastapi.py"):
        assert f"sessionkeeper/{part}" in names
    assert any(re.fullmatch(r"sessionkeeper/_native\.(abi3\.so|pyd)", n) for n in names)


def fresh_venv(tmp_path: Path) -> Path:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    return env_dir


def pip(python: Path, *args: str, env: dict[str, str] | None = None, timeout: int = 300) -> str:
    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def runs_the_quickstart_and_the_battery(env_dir: Path, tmp_path: Path) -> None:
    python = env_dir / "bin" / "python"
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


def test_a_fresh_venv_installs_the_wheel_and_runs_the_quickstart_and_the_battery(tmp_path: Path) -> None:
    env_dir = fresh_venv(tmp_path)
    pip(env_dir / "bin" / "python", "install", "--no-index", "--quiet", str(the_wheel()))
    runs_the_quickstart_and_the_battery(env_dir, tmp_path)


def the_sdist() -> Path:
    sdist = DIST / f"sessionkeeper-{version()}.tar.gz"
    if not sdist.exists():
        pytest.fail(f"no sdist {sdist}: run `make dist-python` (make test-python does)")
    return sdist


def test_the_sdist_carries_the_sources_the_build_needs() -> None:
    prefix = f"sessionkeeper-{version()}/"
    with tarfile.open(the_sdist()) as sdist:
        names = set(sdist.getnames())
    for part in ("pyproject.toml", "Cargo.toml", "Cargo.lock", "core/src/battery.rs", "bindings/python/src/lib.rs"):
        assert prefix + part in names, part
    # What core/src/battery.rs compiles in, at the path it names relative to core/src.
    battery_rs = (PYTHON_DIR.parent / "core" / "src" / "battery.rs").read_text("utf-8")
    included = re.findall(r'include_str!\("\.\./\.\./(tests/vectors/[^"]+)"\)', battery_rs)
    assert included, "battery.rs names its vector files"
    for path in included:
        assert prefix + path in names, path
    assert not any("/target/" in n or n.endswith(".so") for n in names), "no build output"


def test_pip_builds_the_sdist_in_a_fresh_venv_and_it_runs_the_quickstart_and_the_battery(tmp_path: Path) -> None:
    env_dir = fresh_venv(tmp_path)
    python = env_dir / "bin" / "python"
    # The build backend at the version the wheel is built with, then no index: the only source
    # of sessionkeeper pip may use is the sdist, and --no-binary forbids any wheel of it.
    maturin = next(
        line for line in (PYTHON_DIR / "requirements-dev.txt").read_text("utf-8").splitlines()
        if line.startswith("maturin==")
    )
    pip(python, "install", "--quiet", maturin)
    # As in an activated venv: maturin's build hook runs the `maturin` on PATH.
    env = {**os.environ, "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    # Reruns reuse the compiled crates.io dependencies; the package's own crates are compiled
    # from the unpacked sdist every time (their paths differ each run).
    if "CARGO_TARGET_DIR" in env:
        env["CARGO_TARGET_DIR"] = str(Path(env["CARGO_TARGET_DIR"]) / "sdist")
    out = pip(
        python, "install", "--no-index", "--no-build-isolation", "--no-binary", "sessionkeeper",
        str(the_sdist()), env=env, timeout=1200,
    )
    assert "Building wheel for sessionkeeper" in out, out
    runs_the_quickstart_and_the_battery(env_dir, tmp_path)
