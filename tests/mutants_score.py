"""Scores a cargo-mutants run of the core: fails when fewer than MIN percent of the viable
mutants were caught (a timeout counts as caught: the tests did not pass). Reads every
`outcomes.json` under the output directory, so the shards of a sharded run score together.

    python tests/mutants_score.py target/mutants 90
"""
import json
import pathlib
import sys


def main(out_dir: str, minimum: float) -> int:
    runs = sorted(pathlib.Path(out_dir).rglob("outcomes.json"))
    if not runs:
        print(f"no outcomes.json under {out_dir}: did cargo mutants run?")
        return 1
    caught = missed = timeout = unviable = 0
    for path in runs:
        d = json.loads(path.read_text())
        baseline = d["outcomes"][0] if d["outcomes"] else None
        if baseline is None or baseline["scenario"] != "Baseline" or baseline["summary"] != "Success":
            print(f"{path}: the unmutated baseline did not pass; no score")
            return 1
        caught += d["caught"]
        missed += d["missed"]
        timeout += d["timeout"]
        unviable += d["unviable"]
        for outcome in d["outcomes"]:
            if outcome["summary"] == "MissedMutant":
                m = outcome["scenario"]["Mutant"]
                print(f"missed: {m['name']}")
    viable = caught + missed + timeout
    score = 100.0 * (caught + timeout) / viable if viable else 0.0
    print(f"mutants: {caught} caught, {timeout} timed out, {missed} missed, {unviable} unviable; "
          f"{score:.1f}% of viable mutants killed (minimum {minimum:g}%)")
    return 0 if score >= minimum else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 90.0))
