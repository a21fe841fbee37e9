"""What the packed native modules need from the system, read from the artifacts `make dist` wrote.

Both must load on glibc 2.17 (Ubuntu 20.04, Debian 11, RHEL 8 and Amazon Linux 2 all have more),
so no dynamic symbol may carry a newer GLIBC_ version; the wheel's manylinux tag must say the same
by auditwheel's own reading; and the files the suites load (the addon beside js/native.js, the
module installed in the venv) must be these very files, so the suites test what ships.

usage: check_dist.py DIST VERSION VENV
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

MAX_GLIBC = (2, 17)
ROOT = Path(__file__).resolve().parents[1]


def glibc_versions(binary: bytes) -> list[tuple[int, ...]]:
    """The GLIBC_ versions the dynamic symbols of an ELF file require (objdump -T)."""
    with tempfile.NamedTemporaryFile(suffix=".so") as f:
        f.write(binary)
        f.flush()
        dump = subprocess.run(["objdump", "-T", f.name], capture_output=True, text=True, check=True).stdout
    return sorted({tuple(int(p) for p in v.split(".")) for v in re.findall(r"GLIBC_([0-9.]+)", dump)})


def highest(binary: bytes) -> str:
    versions = glibc_versions(binary)
    if not versions:
        raise AssertionError("no GLIBC_ symbol versions at all: not a glibc-linked module?")
    top = versions[-1]
    shown = "GLIBC_" + ".".join(map(str, top))
    if top > MAX_GLIBC:
        raise AssertionError(f"needs {shown}, above GLIBC_{MAX_GLIBC[0]}.{MAX_GLIBC[1]}")
    return shown


def check_node(dist: Path, version: str) -> str:
    tgz = dist / f"sessionkeeper-linux-x64-gnu-{version}.tgz"
    with tarfile.open(tgz) as t:
        member = t.extractfile("package/sessionkeeper.linux-x64-gnu.node")
        assert member is not None
        addon = member.read()
    loaded = (ROOT / "js" / "sessionkeeper.linux-x64-gnu.node").read_bytes()
    assert loaded == addon, "js/sessionkeeper.linux-x64-gnu.node (what the suites load) differs from the packed one"
    return f"{tgz.name}: {highest(addon)}"


def check_wheel(dist: Path, version: str, venv: Path) -> str:
    wheels = sorted(dist.glob(f"sessionkeeper-{version}-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, found {wheels}"
    wheel = wheels[0]
    module = zipfile.ZipFile(wheel).read("sessionkeeper/_native.abi3.so")
    installed = list(venv.glob("lib/python3*/site-packages/sessionkeeper/_native.abi3.so"))
    assert installed and installed[0].read_bytes() == module, "the venv's module (what pytest imports) is not the wheel's"
    shown = subprocess.run(
        [str(venv / "bin" / "auditwheel"), "show", str(wheel)], capture_output=True, text=True, check=True
    ).stdout
    tag = re.search(r'consistent with the following platform tag:\s*"([^"]+)"', shown)
    assert tag is not None, shown
    assert tag.group(1) == "manylinux_2_17_x86_64", f"auditwheel: {tag.group(1)}\n{shown}"
    return f"{wheel.name}: {highest(module)}, auditwheel: {tag.group(1)}"


def main(argv: list[str]) -> int:
    dist, version, venv = Path(argv[1]), argv[2], Path(argv[3])
    passed = failed = 0
    for name, check in (("node addon", lambda: check_node(dist, version)), ("wheel", lambda: check_wheel(dist, version, venv))):
        try:
            print(f"ok   {name}: {check()}")
            passed += 1
        except (AssertionError, OSError, KeyError, subprocess.CalledProcessError) as e:
            print(f"FAIL {name}: {e}")
            failed += 1
    print(f"check_dist: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
