"""Fails when a code block in README.md drifts from the example file the test suites execute.

A block preceded by `<!-- example: path/to/file -->` must equal that file byte for byte, so the
quickstart a reader copies is the one `make test` runs.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PATTERN = re.compile(r"<!-- example: (\S+) -->\s*```[a-z]*\n(.*?)```", re.S)


def main() -> int:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = PATTERN.findall(readme)
    problems = []
    for path, code in blocks:
        file = ROOT / path
        if not file.exists():
            problems.append(f"{path}: named in README.md but missing")
        elif file.read_text(encoding="utf-8") != code:
            problems.append(f"{path}: README.md block differs from the file (copy the file into README.md)")
    for p in problems:
        print(f"README drift: {p}")
    print(f"README examples: {len(blocks) - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
