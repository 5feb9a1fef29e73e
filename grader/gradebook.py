"""DIR/gradebook.csv: one row per student, one column per exercise, from the results on disk.

The gradebook is always rebuilt from every DIR/<student>/results.json and written atomically,
so it can never disagree with the per-student results, whatever was interrupted.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from . import results
from .manifest import Course
from .results import SubmissionResult


def collect(out_dir: Path) -> list[SubmissionResult]:
    found = []
    for path in sorted(out_dir.glob("*/results.json")):
        found.append(results.load(path))
    return found


def render(course: Course, graded: list[SubmissionResult]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", *(e.id for e in course.exercises),
                     "late_penalty", "grader_errors", "problems"])
    for r in sorted(graded, key=lambda r: r.student):
        per = r.exercise_scores()
        writer.writerow([r.student, f"{r.score:g}", f"{r.max_score:g}",
                         *(f"{per[e.id][0]:g}" if e.id in per else "" for e in course.exercises),
                         f"{float(r.late.get('penalty', 0)):g}", len(r.grader_errors),
                         " | ".join(r.problems)])
    return buf.getvalue()


def write(course: Course, out_dir: Path) -> Path:
    path = out_dir / "gradebook.csv"
    results.write_atomic(path, render(course, collect(out_dir)))
    return path
