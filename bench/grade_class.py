"""Benchmark: grade a synthetic class end to end and print what it cost.

    python bench/grade_class.py [--n 100] [--compare-n 10]

Prints wall time, seconds per submission, submissions per minute, peak memory, and the
grader's overhead against the time the checks must wait anyway (the student code's own run
time: its sleeps, joins and timeouts); then how many exercise files that several students
handed in identically got different verdicts within the one run (a flake check for free: the
class holds many copies of each file); then grades a smaller class at --jobs 1 and at the
default and prints the speed-up.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import resource
import tempfile
from collections import defaultdict
from pathlib import Path

from _common import build_class, grade, verdicts
from sandbox_startup import METER

from grader.cpuload import Admission


def waited(out: Path) -> tuple[float, float]:
    """(seconds the sandboxed runs of student code took, seconds grading took), summed.
    Each check records its last run; a retried check's earlier runs are not counted, so the
    run time is a lower bound and the overhead ratio an upper bound."""
    run_time = grading = 0.0
    for path in out.glob("*/results.json"):
        data = json.loads(path.read_text())
        grading += float(data["execution_time"])
        seen = set()
        for t in data["tests"]:
            ev = t["extra_data"].get("evidence") or {}
            # checks that share one run report the same run: count it once
            key = (t["extra_data"]["exercise"], ev.get("wall"), ev.get("call_time"))
            if ev.get("wall") is not None and key not in seen:
                seen.add(key)
                run_time += float(ev["wall"])
    return run_time, grading


def same_file_differs(class_dir: Path, out: Path) -> tuple[int, int]:
    """(files handed in by 2+ students, of those the ones whose checks' verdicts differ between
    those students) -- an exercise file is its folder name and its bytes."""
    per_exercise: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for (student, exercise, check), outcome in verdicts(out).items():
        per_exercise[(student, exercise)].append((check, outcome))
    by_file: dict[tuple[str, str], set[tuple]] = defaultdict(set)
    copies: dict[tuple[str, str], int] = defaultdict(int)
    for student_dir in sorted(p for p in class_dir.iterdir() if p.is_dir()):
        for path in sorted(student_dir.rglob("*.py")):
            exercise = path.parent.name
            key = (exercise, hashlib.sha256(path.read_bytes()).hexdigest())
            by_file[key].add(tuple(sorted(per_exercise[(student_dir.name, exercise)])))
            copies[key] += 1
    shared = [k for k, n in copies.items() if n > 1]
    return len(shared), sum(1 for k in shared if len(by_file[k]) > 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--compare-n", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
        root = Path(tmp)
        kinds = build_class(root / "class", args.n)
        jobs = 0                      # the default: admitted as the CPU has room (grader.cpuload)
        cpu0 = METER.usage()
        wall = grade([root / "class"], root / "out", jobs)
        cpu1 = METER.usage()
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        run_time, grading = waited(root / "out")
        mix = {k: list(kinds.values()).count(k) for k in sorted(set(kinds.values()))}
        print(f"class: {args.n} full submissions ({mix}), default --jobs (one per core, up "
              f"to {Admission.measured().ceiling} as the CPU has room)")
        if cpu0 is not None and cpu1 is not None:
            print(f"CPU, all processes:     {cpu1 - cpu0:8.1f} s "
                  f"({(cpu1 - cpu0) / args.n:.2f} s per submission)")
        print(f"wall time:              {wall:8.1f} s")
        print(f"per submission:         {wall / args.n:8.2f} s")
        print(f"submissions per minute: {60 * args.n / wall:8.1f}")
        print(f"peak memory (largest process): {peak_mb:.0f} MB")
        print(f"student code ran (sandboxed runs, summed): {run_time:8.1f} s")
        print(f"grading took (per-submission, summed):     {grading:8.1f} s")
        print(f"overhead ratio (grading / runs):           {grading / max(run_time, 1e-9):8.2f}")
        shared, differ = same_file_differs(root / "class", root / "out")
        print(f"identical files handed in by 2+ students: {shared}; "
              f"of those with verdicts that differ between the students: {differ}")
        small = [root / "class" / s for s in sorted(kinds)[: args.compare_n]]
        one = grade(small, root / "one", 1)
        many = grade(small, root / "many", jobs)
        a, b = verdicts(root / "one"), verdicts(root / "many")
        differ = sum(1 for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        print(f"{args.compare_n} submissions: --jobs 1 {one:.1f} s, default {many:.1f} s, "
              f"speed-up {one / many:.2f}x; verdicts that differ between the two: {differ}")


if __name__ == "__main__":
    main()
