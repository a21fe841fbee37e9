"""Size limits (ARCHITECTURE.md, "Sizes"): bindings convert and decide nothing, so each stays a
small fraction of the core, and no file grows past what one reader can hold.

- Each binding's code is at most 0.35x the core's: non-blank, non-comment lines of the `.rs`
  files under `src/` that are not test files (`tests.rs`, `*_tests.rs`).
- No file in `core/`, `js/lib/` or `python/sessionkeeper/` is over 400 lines, none in
  `bindings/` over 300.

`make lint` runs it. The ratio is reported; it fails the check only with `--gate-ratio` (the
final gate of issue 8, reached once every binding file has shrunk).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_RATIO = 0.35
FILE_LIMITS = [
    ("core", 400, ("*.rs",)),
    ("js/lib", 400, ("*.js",)),
    ("python/sessionkeeper", 400, ("*.py", "*.pyi")),
    ("bindings", 300, ("*.rs",)),
]


def is_test_file(path: Path) -> bool:
    return path.name == "tests.rs" or path.name.endswith("_tests.rs")


def code_lines(directory: Path) -> int:
    """Non-blank lines that are not `//` comments, over the non-test `.rs` files."""
    total = 0
    for path in sorted(directory.rglob("*.rs")):
        if is_test_file(path):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            if text and not text.startswith("//"):
                total += 1
    return total


def too_long() -> list[str]:
    problems = []
    for folder, limit, patterns in FILE_LIMITS:
        for pattern in patterns:
            for path in sorted((ROOT / folder).rglob(pattern)):
                if "node_modules" in path.parts or "target" in path.parts:
                    continue
                lines = len(path.read_text(encoding="utf-8").splitlines())
                if lines > limit:
                    problems.append(f"{path.relative_to(ROOT)}: {lines} lines (limit {limit})")
    return problems


def main(argv: list[str]) -> int:
    gate_ratio = "--gate-ratio" in argv
    core = code_lines(ROOT / "core" / "src")
    failed = too_long()
    for problem in failed:
        print(problem)
    for name in ("node", "python"):
        lines = code_lines(ROOT / "bindings" / name / "src")
        ratio = lines / core
        verdict = "ok" if ratio <= MAX_RATIO else "over"
        print(f"bindings/{name}: {lines} lines of code, {ratio:.2f}x the core's {core} (limit {MAX_RATIO}x): {verdict}")
        if ratio > MAX_RATIO and gate_ratio:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
