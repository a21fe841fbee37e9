"""Fails when a code block in a README drifts from the example file the test suites execute.

A block preceded by `<!-- example: path/to/file -->` (a path from the repository root) must
equal that file byte for byte, so the code a reader copies is the code `make test` runs. The
package READMEs are checked too: they ship in the tarball and the wheel, where the example files
do not, so the README itself must hold the code.

`--write` copies each example file into its README blocks instead of checking them.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
READMES = ["README.md", "js/README.md", "python/README.md"]
PATTERN = re.compile(r"(<!-- example: (\S+) -->\s*```[a-z]*\n)(.*?)(```)", re.S)


def main(write: bool) -> int:
    problems, checked = [], 0
    for name in READMES:
        readme = ROOT / name
        text = readme.read_text(encoding="utf-8")

        def visit(match: re.Match[str]) -> str:
            nonlocal checked
            head, path, code, fence = match.groups()
            checked += 1
            file = ROOT / path
            if not file.exists():
                problems.append(f"{name}: {path} is named but missing")
                return match.group(0)
            wanted = file.read_text(encoding="utf-8")
            if write:
                return head + wanted + fence
            if wanted != code:
                problems.append(f"{name}: the block of {path} differs from the file (make readme)")
            return match.group(0)

        new = PATTERN.sub(visit, text)
        if write and new != text:
            readme.write_text(new, encoding="utf-8")
            print(f"rewrote the example blocks of {name}")
    for p in problems:
        print(f"README drift: {p}")
    print(f"README examples: {checked - len(problems)} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main("--write" in sys.argv[1:]))
