"""Flakiness run: grade the solutions and the stubs M times with every core kept busy by
other processes, and count the verdicts that differ from the expected ones (the goal is zero).

    python bench/flake.py [--m 20] [--copies K] [--jobs J] [-e EXERCISE ...]

With --copies K (default 1) each run grades K copies of the solutions and K of the stubs at once, with the
default --jobs (the batch admits workers as the CPU has room: grader/cpuload.py), so the
timing checks are tried with the machine as full as a class makes it. Every copy of the
solutions must give the verdicts of the first run's first copy, and every copy of the stubs
those of its first stub copy. --jobs J fixes the number of workers instead (with the cores
kept busy the admission stays at one per core; J above that is the harder test).
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import ROOT, busy_cores, grade, verdicts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--m", type=int, default=20)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=0, help="default: the batch's own admission")
    ap.add_argument("-e", "--exercise", action="append", default=[])
    args = ap.parse_args()
    extra = tuple(x for ex in args.exercise for x in ("-e", ex))
    first: dict | None = None
    differing: dict[tuple, int] = {}
    t0 = time.monotonic()
    with busy_cores(), tempfile.TemporaryDirectory(prefix="kit-flake-") as tmp:
        sources = []
        for kind, src in (("solutions", ROOT / "solutions"), ("stubs", ROOT / "exercises")):
            for k in range(args.copies):
                dest = Path(tmp) / "class" / f"{kind}{k:02d}"
                shutil.copytree(src, dest, ignore=shutil.ignore_patterns(
                    "__pycache__", "test_*.py", "conftest.py", "_kit", "*.md", "db.json"))
                sources.append(dest)
        for i in range(args.m):
            out = Path(tmp) / f"run{i}"
            wall = grade(sources, out, args.jobs or None, extra=extra)
            seen = {(_kind(s), ex, c, s): v for (s, ex, c), v in verdicts(out).items()}
            if first is None:
                first = {(kind, ex, c): v for (kind, ex, c, s), v in seen.items()
                         if s == f"{kind}00"}
            diff = [k for k, v in seen.items() if first.get(k[:3]) != v]
            for k in diff:
                differing[k] = differing.get(k, 0) + 1
            print(f"run {i + 1}/{args.m}: {len(seen)} verdicts ({len(sources)} submissions), "
                  f"{len(diff)} differ from the first ({wall:.0f} s)", flush=True)
    assert first is not None
    full = sum(1 for (kind, _, _), v in first.items() if kind == "solutions" and v == "passed")
    print(f"\n{args.m} runs with every core busy, {time.monotonic() - t0:.0f} s: "
          f"{sum(differing.values())} differing verdicts in total "
          f"(solutions: {full} checks passed in run 1)")
    for (_, ex, check, student), n in sorted(differing.items()):
        print(f"  {student} {ex}.{check}: differed in {n} run(s)")


def _kind(student: str) -> str:
    return "solutions" if student.startswith("solutions") else "stubs"


if __name__ == "__main__":
    main()
