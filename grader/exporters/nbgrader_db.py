"""nbgrader: grades written into an nbgrader gradebook through `nbgrader.api.Gradebook`.

The layout matches `grader notebooks`: one nbgrader assignment per exercise (named by its id),
holding one notebook of the same name with one autograded cell per check (named by the check
id, worth the manifest's points). Each graded student becomes an nbgrader student (names and
email from the roster) with a submission whose cells carry the kit's scores as `auto_score`, so
`nbgrader export` and formgrader show them. Re-exporting updates the same rows. `-o` is the
gradebook file (`gradebook.db`) or an SQLAlchemy URL (`sqlite:///…`, `postgresql://…`).
The kit's late penalty goes where nbgrader keeps its own: each submitted notebook's
`late_submission_penalty` (points), which `nbgrader export` reports beside the score.
"""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from ._model import ExportError, ExportOptions, Table
from ._registry import register


def db_url(out: Path | str) -> str:
    text = str(out)
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


@contextlib.contextmanager
def nbgrader_context() -> Iterator[None]:
    """nbgrader runs the `alembic` command to check the database schema; it is installed
    beside this interpreter, which need not be on PATH (e.g. `.venv/bin/grader`)."""
    import warnings

    from sqlalchemy.exc import SAWarning
    old = os.environ.get("PATH", "")
    here = str(Path(sys.executable).parent)
    os.environ["PATH"] = here + os.pathsep + old if old else here
    try:
        with warnings.catch_warnings():
            # nbgrader's own add_submission trips SQLAlchemy's autoflush warning (nbgrader
            # 0.9 with SQLAlchemy 2); harmless, and not ours to fix.
            warnings.filterwarnings("ignore", message=r"Object of type <Submitted",
                                    category=SAWarning)
            yield
    finally:
        os.environ["PATH"] = old


def _split(name: str) -> tuple[str, str]:
    if "," in name:
        last, first = name.split(",", 1)
        return first.strip(), last.strip()
    first, _, last = name.strip().rpartition(" ")
    return (first, last) if first else (name, "")


@register("nbgrader")
class NbgraderGradebook:
    suffix = ".db"
    description = "nbgrader gradebook (nbgrader.api.Gradebook), one assignment per exercise"

    def write(self, table: Table, options: ExportOptions, out: Path) -> None:
        try:
            from nbgrader.api import Gradebook
        except ImportError:
            raise ExportError("--format nbgrader needs nbgrader: pip install "
                              "'concurrency-kit[nbgrader]'") from None
        course = table.course
        exercises = {c.exercise for row in table.rows if row.result for c in row.result.checks}
        with nbgrader_context(), Gradebook(db_url(out), course_id=course.id) as gb:
            for ex in course.exercises:
                if ex.id not in exercises:
                    continue
                gb.update_or_create_assignment(ex.id)
                gb.update_or_create_notebook(ex.id, ex.id)
                for check in ex.checks:
                    gb.update_or_create_grade_cell(check.id, ex.id, ex.id,
                                                   max_score=check.points, cell_type="code")
            for row in table.matched():
                first, last = _split(row.entry.name) if row.entry and row.entry.name else ("", "")
                e = row.entry
                gb.update_or_create_student(row.student, first_name=first or None,
                                            last_name=last or None,
                                            email=(e.email or None) if e else None,
                                            lms_user_id=(e.lms_id or None) if e else None)
                if row.result is None:
                    continue
                for ex_id in sorted({c.exercise for c in row.result.checks}):
                    gb.update_or_create_submission(ex_id, row.student)
                for c in row.result.checks:
                    grade = gb.find_grade(c.check, c.exercise, c.exercise, row.student)
                    grade.auto_score = c.score
                    grade.needs_manual_grade = False
                # The kit's late penalty, as nbgrader records its own: points taken off each
                # notebook (nbgrader reports score and late_submission_penalty side by side).
                factor = float(row.result.late.get("penalty", 0.0))
                for ex_id in sorted({c.exercise for c in row.result.checks}):
                    notebook = gb.find_submission_notebook(ex_id, ex_id, row.student)
                    raw = sum(c.score for c in row.result.checks if c.exercise == ex_id)
                    notebook.late_submission_penalty = round(raw * factor, 4) if factor else None
                gb.db.commit()
