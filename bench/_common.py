"""Shared by the benchmark scripts: build classes of submissions, run the grader, read results."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader import manifest  # noqa: E402

COURSE = manifest.load(ROOT / "course.yaml")


def build_class(dest: Path, n: int, seed: int = 1) -> dict[str, str]:
    """n full submissions: a mix of correct ones, untouched stubs and the tests' buggy
    fixtures, exercise by exercise. Returns student -> kind."""
    rng = random.Random(seed)
    kinds = {}
    for i in range(n):
        student = f"student{i:03d}"
        kind = rng.choice(["correct", "correct", "stub", "mixed"])
        kinds[student] = kind
        for ex in COURSE.exercises:
            rel = ex.files[0]
            options = [ROOT / "solutions" / rel]
            if kind == "stub":
                options = [ROOT / "exercises" / rel]
            elif kind == "mixed":
                options += [ROOT / "exercises" / rel, *sorted((ROOT / "tests/fixtures" / ex.id).glob("*.py"))]
            target = dest / student / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(rng.choice(options), target)
    return kinds


def grade(submissions: list[Path], out: Path, jobs: int | None = None, extra: tuple = ()) -> float:
    cmd = [sys.executable, "-m", "grader", "--course", str(ROOT / "course.yaml"), "grade",
           *map(str, submissions), "--out", str(out), "--lines", *extra]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - t0


def verdicts(out: Path) -> dict[tuple[str, str, str], str]:
    found = {}
    for path in sorted(out.glob("*/results.json")):
        data = json.loads(path.read_text())
        for t in data["tests"]:
            x = t["extra_data"]
            found[(data["extra_data"]["student"], x["exercise"], x["check"])] = x["outcome"]
    return found


@contextmanager
def busy_cores(n: int = os.cpu_count() or 2):
    """Keep `n` cores busy with spinning processes for the duration."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for p in spinners:
            p.kill()
            p.wait()
