"""nbgrader's own `autograde` against `grader grade`, side by side in one run, on the same
exercises and the same students' code: seconds per exercise-submission for each, and the ratio.

A small class of correct submissions (`--students`, the reference solutions) is laid out twice:

* for nbgrader: the kit's notebooks (grader/notebooks.py: the module in a `%%writefile` solution
  cell, one cell that grades it with the kit's checks, one autograded test cell per check),
  `nbgrader generate_assignment` per exercise, each student's notebook in
  `submitted/<student>/<exercise>/`, then one `nbgrader autograde` per exercise (as an
  instructor runs it);
* for the kit: `<student>/<exercise>/<module>.py`, then one `grader grade` of the class with its
  default settings (one job per core).

`--floor` also runs nbgrader on the same notebooks with the kit's grading cell replaced by a
stand-in that passes every check: what nbgrader's machinery alone costs (a kernel per notebook,
executing and saving it, the gradebook), whatever the checks.

Run it from a frozen copy of the tree (other engineers' edits would trip the tamper guard):

    python bench/nbgrader_compare.py [--students 5] [-e p05_join ...] [--floor] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import COURSE, ROOT

from grader import notebooks

BIN = Path(sys.executable).parent
STAND_IN = ("class _Passes:\n"
            "    def require(self, check):\n"
            "        pass\n\n"
            "    def summary(self):\n"
            "        return 'stand-in: no checks run'\n\n"
            "kit_result = _Passes()\n"
            "print(kit_result.summary())")


def env() -> dict[str, str]:
    """The kernel and the grader import this tree's `grader` and `_kit`, not an installed one."""
    e = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
         "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "exercises")])}
    e.pop("PYTHONWARNINGS", None)
    return e


class LoadWatch(threading.Thread):
    """The 1-minute load average, sampled every 5 s while a stage runs."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            self.samples.append(os.getloadavg()[0])
            self.halt.wait(5)

    def stop(self) -> str:
        self.halt.set()
        self.join()
        s = self.samples or [os.getloadavg()[0]]
        return f"{min(s):.1f}–{max(s):.1f} (mean {sum(s) / len(s):.1f})"


def timed(cmds: list[list[str]], cwd: Path) -> dict:
    """Run the commands one after another: wall, CPU of them and everything they started and
    reaped (user + system), and the load average meanwhile."""
    watch = LoadWatch()
    watch.start()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    for cmd in cmds:
        run = subprocess.run(cmd, cwd=cwd, env=env(), capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{run.stdout[-3000:]}{run.stderr[-3000:]}")
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "load": watch.stop()}


def nbgrader_course(home: Path, exercises: list[str], students: list[str], stand_in: bool) -> None:
    """The kit's notebooks, released by nbgrader, submitted by every student with the solution."""
    notebooks.write_notebooks(COURSE, home, exercises)
    if stand_in:
        for ex in exercises:
            path = home / "source" / ex / f"{ex}.ipynb"
            nb = json.loads(path.read_text())
            cell = next(c for c in nb["cells"]
                        if c["metadata"].get("nbgrader", {}).get("grade_id") == f"{ex}_grade_here")
            cell["source"] = STAND_IN
            path.write_text(json.dumps(nb, indent=1))
    timed([[str(BIN / "nbgrader"), "generate_assignment", ex, "--force"] for ex in exercises], home)
    for ex in exercises:
        module = COURSE.exercise(ex).files[0]
        released = json.loads((home / "release" / ex / f"{ex}.ipynb").read_text())
        cell = next(c for c in released["cells"]
                    if c["metadata"].get("nbgrader", {}).get("solution"))
        cell["source"] = f"%%writefile {Path(module).name}\n{(ROOT / 'solutions' / module).read_text()}"
        for student in students:
            target = home / "submitted" / student / ex / f"{ex}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(released))


def nbgrader_scores(home: Path, exercises: list[str]) -> dict[str, float]:
    """student -> total score over the exercises, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    from grader.exporters.nbgrader_db import db_url, nbgrader_context
    out: dict[str, float] = {}
    with nbgrader_context(), Gradebook(db_url(home / "gradebook.db"), course_id=COURSE.id) as gb:
        for ex in exercises:
            for sub in gb.assignment_submissions(ex):
                out[sub.student.id] = out.get(sub.student.id, 0.0) + (sub.score or 0.0)
    return out


def kit_scores(graded: Path) -> dict[str, float]:
    out = {}
    for path in sorted(graded.glob("*/results.json")):
        data = json.loads(path.read_text())
        out[data["extra_data"]["student"]] = float(data["score"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=5)
    ap.add_argument("-e", "--exercise", action="append", default=[],
                    help="only this exercise (repeatable; default: all)")
    ap.add_argument("--floor", action="store_true",
                    help="also nbgrader with the kit's grading cell replaced by a stand-in")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    exercises = args.exercise or [e.id for e in COURSE.exercises]
    students = [f"student{i:02d}" for i in range(args.students)]
    n = len(exercises) * len(students)
    figures: dict = {"exercises": len(exercises), "students": len(students),
                     "exercise_submissions": n}
    with tempfile.TemporaryDirectory(prefix="kit-nbcompare-") as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "nbcourse"
        nbgrader_course(home, exercises, students, stand_in=False)
        subs = tmp / "submissions"
        for student in students:
            for ex in exercises:
                module = COURSE.exercise(ex).files[0]
                (subs / student / module).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(ROOT / "solutions" / module, subs / student / module)
        print(f"{len(students)} students x {len(exercises)} exercises = {n} exercise-submissions "
              f"(correct code)", flush=True)

        nb = timed([[str(BIN / "nbgrader"), "autograde", ex, "--force"] for ex in exercises], home)
        nb_scores = nbgrader_scores(home, exercises)
        figures["nbgrader"] = nb
        print(f"nbgrader autograde: {nb['wall']:.1f} s wall, {nb['cpu']:.1f} s CPU, "
              f"{nb['wall'] / n:.2f} s per exercise-submission; load {nb['load']}", flush=True)

        graded = tmp / "graded"
        kit = timed([[sys.executable, "-m", "grader", "--course", str(ROOT / "course.yaml"),
                      "grade", *(str(subs / s) for s in students), "--out", str(graded), "--lines",
                      *(x for ex in args.exercise for x in ("-e", ex))]], ROOT)
        k_scores = kit_scores(graded)
        figures["grader"] = kit
        print(f"grader grade:       {kit['wall']:.1f} s wall, {kit['cpu']:.1f} s CPU, "
              f"{kit['wall'] / n:.2f} s per exercise-submission; load {kit['load']}", flush=True)

        if args.floor:
            floor_home = tmp / "nbfloor"
            nbgrader_course(floor_home, exercises, students, stand_in=True)
            fl = timed([[str(BIN / "nbgrader"), "autograde", ex, "--force"] for ex in exercises],
                       floor_home)
            figures["nbgrader_floor"] = fl
            print(f"nbgrader, no checks: {fl['wall']:.1f} s wall, {fl['cpu']:.1f} s CPU, "
                  f"{fl['wall'] / n:.2f} s per exercise-submission; load {fl['load']}", flush=True)

    top = sum(COURSE.exercise(ex).max_points for ex in exercises)
    figures["scores"] = {"nbgrader": nb_scores, "grader": k_scores, "max": top}
    agree = nb_scores == k_scores and all(v == top for v in k_scores.values())
    print(f"scores (max {top:g}): nbgrader {sorted(set(nb_scores.values()))}, grader "
          f"{sorted(set(k_scores.values()))}: " + ("the same, full marks" if agree else "DIFFER"))
    print(f"ratio nbgrader / grader (wall per exercise-submission): {nb['wall'] / kit['wall']:.2f}"
          + (f"; nbgrader's machinery alone / grader: {figures['nbgrader_floor']['wall'] / kit['wall']:.2f}"
             if args.floor else ""))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
