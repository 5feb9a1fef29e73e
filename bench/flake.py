"""Flakiness run: grade the solutions and the stubs M times with every core kept busy by
other processes, and count the verdicts that differ from the first run (the goal is zero).

    python bench/flake.py [--m 20] [-e EXERCISE ...]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import ROOT, busy_cores, grade, verdicts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--m", type=int, default=20)
    ap.add_argument("-e", "--exercise", action="append", default=[])
    args = ap.parse_args()
    extra = tuple(x for ex in args.exercise for x in ("-e", ex))
    first: dict | None = None
    differing: dict[tuple, int] = {}
    t0 = time.monotonic()
    with busy_cores(), tempfile.TemporaryDirectory(prefix="kit-flake-") as tmp:
        for i in range(args.m):
            out = Path(tmp) / f"run{i}"
            wall = grade([ROOT / "solutions", ROOT / "exercises"], out, extra=extra)
            seen = verdicts(out)
            if first is None:
                first = seen
            diff = [k for k in first.keys() | seen.keys() if first.get(k) != seen.get(k)]
            for k in diff:
                differing[k] = differing.get(k, 0) + 1
            print(f"run {i + 1}/{args.m}: {len(seen)} verdicts, {len(diff)} differ from run 1"
                  f" ({wall:.0f} s)", flush=True)
    assert first is not None
    full = sum(1 for (s, _, _), v in first.items() if s == "solutions" and v == "passed")
    print(f"\n{args.m} runs with every core busy, {time.monotonic() - t0:.0f} s: "
          f"{sum(differing.values())} differing verdicts in total "
          f"(solutions: {full} checks passed in run 1)")
    for (student, ex, check), n in sorted(differing.items()):
        print(f"  {student} {ex}.{check}: differed in {n} run(s)")


if __name__ == "__main__":
    main()
