"""nbgrader: grades exported into its gradebook, and the generated source notebooks run
through the real `nbgrader generate_assignment` and `nbgrader autograde`, scoring what
`grader grade` scores on the same code. nbgrader is the `nbgrader` extra, pulled in by `test`;
in CI (CI=true) a missing nbgrader is a failure, not a skip."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import exporters, manifest, notebooks, results
from grader.exporters.nbgrader_db import db_url, nbgrader_context
from grader.grading import grade_workspace
from grader.results import CheckResult, SubmissionResult
from grader.roster import RosterEntry

from .conftest import ROOT, submission_with, workspace

if not os.environ.get("CI"):
    pytest.importorskip("nbgrader")
from nbgrader.api import Gradebook  # noqa: E402

EXERCISE = "p05_join"      # the model exercise (docs/authoring.md)
BIN = str(Path(sys.executable).parent)


def scores(db: Path, course_id: str, assignment: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with nbgrader_context(), Gradebook(db_url(db), course_id=course_id) as gb:
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for g in nb.grades:
                    out.setdefault(sub.student.id, {})[g.name] = g.score
    return out


def test_export_writes_grades_nbgrader_reads(tmp_path):
    (tmp_path / "course.yaml").write_text(
        "course: {id: c101, title: C}\nexercises:\n  - id: ex_a\n    title: A\n    topic: threads\n"
        "    checks:\n      - {id: one, kind: state, points: 2, description: d1}\n"
        "      - {id: two, kind: state, points: 3, description: d2}\n", encoding="utf-8")
    course = manifest.load(tmp_path / "course.yaml")
    def check(cid, score, top):
        return CheckResult(exercise="ex_a", check=cid, kind="state",
                           status="passed" if score else "failed", score=score, max_score=top,
                           description=cid, visibility="visible")
    graded = tmp_path / "graded"
    results.save(SubmissionResult(student="ada", course="c101",
                                  checks=(check("one", 2, 2), check("two", 0, 3))),
                 graded / "ada" / "results.json")
    roster = [RosterEntry(student="ada", name="Lovelace, Ada", email="ada@x.org", lms_id="7")]
    db = tmp_path / "gradebook.db"
    for _ in range(2):      # exporting again updates the same rows
        exporters.export("nbgrader", graded, course, db, roster)
    assert scores(db, "c101", "ex_a") == {"ada": {"one": 2.0, "two": 0.0}}
    with nbgrader_context(), Gradebook(db_url(db), course_id="c101") as gb:
        student = gb.find_student("ada")
        assert (student.first_name, student.last_name, student.lms_user_id) == ("Ada", "Lovelace", "7")
        assert gb.find_submission("ex_a", "ada").max_score == 5.0
        assert not gb.find_submission("ex_a", "ada").needs_manual_grade
        assert gb.find_submission("ex_a", "ada").late_submission_penalty == 0


def test_export_carries_the_late_penalty_as_nbgrader_records_its_own(tmp_path):
    """A submission two days late at 10 % a day: 20 % of each notebook's points, in nbgrader's
    own late_submission_penalty (nbgrader export reports score and penalty side by side)."""
    (tmp_path / "course.yaml").write_text(
        "course: {id: c101, title: C}\nexercises:\n  - id: ex_a\n    title: A\n    topic: threads\n"
        "    checks:\n      - {id: one, kind: state, points: 4, description: d1}\n", encoding="utf-8")
    course = manifest.load(tmp_path / "course.yaml")
    graded = tmp_path / "graded"
    for student, late in [("ada", {"days_late": 2, "penalty": 0.2}), ("bob", {})]:
        results.save(SubmissionResult(
            student=student, course="c101", late=late,
            checks=(CheckResult(exercise="ex_a", check="one", kind="state", status="passed",
                                score=4, max_score=4, description="one", visibility="visible"),)),
            graded / student / "results.json")
    db = tmp_path / "gradebook.db"
    roster = [RosterEntry(student="ada", name="Ada"), RosterEntry(student="bob", name="Bob")]
    exporters.export("nbgrader", graded, course, db, roster)
    with nbgrader_context(), Gradebook(db_url(db), course_id="c101") as gb:
        assert gb.find_submission("ex_a", "ada").late_submission_penalty == pytest.approx(0.8)
        assert gb.find_submission("ex_a", "ada").score == 4.0          # nbgrader's raw score
        assert gb.find_submission("ex_a", "bob").late_submission_penalty == 0


def nbgrader(*args: str, cwd: Path) -> None:
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", "")}
    env.pop("PYTHONWARNINGS", None)
    run = subprocess.run([f"{BIN}/nbgrader", *args], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=590)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


@pytest.mark.timeout(900)      # two nbgrader commands, each starting Jupyter machinery
def test_nbgrader_autograde_scores_like_grader_grade(course, sandbox, tmp_path):
    ex = course.exercise(EXERCISE)
    home = tmp_path / "nbcourse"
    [source] = notebooks.write_notebooks(course, home, [EXERCISE])
    nbgrader("generate_assignment", EXERCISE, "--force", cwd=home)
    released = json.loads((home / "release" / EXERCISE / f"{EXERCISE}.ipynb").read_text())
    module_cell = next(c for c in released["cells"]
                       if c["metadata"].get("nbgrader", {}).get("solution"))
    assert "BEGIN SOLUTION" not in "".join(module_cell["source"])
    code = {"solution": ROOT / "solutions" / ex.files[0], "stub": ROOT / "exercises" / ex.files[0]}
    for student, path in code.items():
        module_cell["source"] = f"%%writefile {Path(ex.files[0]).name}\n{path.read_text()}"
        target = home / "submitted" / student / EXERCISE / f"{EXERCISE}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(released))
    nbgrader("autograde", EXERCISE, "--force", cwd=home)
    got = scores(home / "gradebook.db", course.id, EXERCISE)
    for student, path in code.items():
        src = submission_with(tmp_path / student, {ex.files[0]: path})
        kit = grade_workspace(course, workspace(course, src, tmp_path / student), sandbox,
                              exercises=[EXERCISE])
        assert got[student] == {c.check: c.score for c in kit.checks}, (student, got, kit)
    assert sum(got["solution"].values()) == ex.max_points
    assert sum(got["stub"].values()) < ex.max_points
    shutil.rmtree(home / "autograded", ignore_errors=True)
