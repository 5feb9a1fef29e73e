"""grader.pipeline: one function grades one submission, and every entry point calls it.

The checks stage (`pipeline.run_checks`, the pytest session that drives the sandbox) is
replaced here by a recording fake, so every other stage runs for real and fast; the verdicts
of real checks are tests/test_exercises.py's business."""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from grader import cli, gradescope, notebooks, pipeline, worker
from grader.intake import take_in
from grader.late import assess
from grader.manifest import Course, Exercise
from grader.pipeline import ExercisePlan, GradeRequest, grade_submission
from grader.results import CheckResult, SubmissionResult
from grader.sandbox import Sandbox

from .conftest import ROOT, submission_with
from .test_imports import import_graph

COURSE = ROOT / "course.yaml"
SOLUTION = ROOT / "solutions" / "p05_join" / "p05_join.py"


@dataclass
class FakeChecks:
    """Stands in for the pytest session: every wanted check passes, unless `fail` names its
    exercise (then the session raises). Records each session's exercises and course."""
    fail: set[str] = field(default_factory=set)
    sessions: list[tuple[tuple[str, ...], Course]] = field(default_factory=list)

    def __call__(self, request: GradeRequest, course: Course, sandbox: Sandbox,
                 exercises: tuple[Exercise, ...]) -> dict[str, tuple[CheckResult, ...]]:
        self.sessions.append((tuple(ex.id for ex in exercises), course))
        for ex in exercises:
            if ex.id in self.fail:
                raise RuntimeError(f"the session broke on {ex.id}")
        out = {}
        for ex in exercises:
            out[ex.id] = tuple(CheckResult(
                exercise=ex.id, check=cid, kind=ex.check(cid).kind, status="passed",
                score=ex.check(cid).points, max_score=ex.check(cid).points,
                description=ex.check(cid).description, visibility=ex.check(cid).visibility)
                for cid in request.wanted(ex))
            for c in out[ex.id]:
                if request.on_check is not None:
                    request.on_check(c)
        return out


@pytest.fixture
def fake(monkeypatch) -> FakeChecks:
    checks = FakeChecks()
    monkeypatch.setattr(pipeline, "run_checks", checks)
    return checks


@pytest.fixture
def calls(monkeypatch, fake) -> list[GradeRequest]:
    """Every GradeRequest given to the one function, which still runs."""
    seen: list[GradeRequest] = []
    real: Callable[[GradeRequest], SubmissionResult] = pipeline.grade_submission

    def spy(request: GradeRequest) -> SubmissionResult:
        seen.append(request)
        return real(request)
    monkeypatch.setattr(pipeline, "grade_submission", spy)
    return seen


def _p05_only(tmp: Path) -> Path:
    return submission_with(tmp, {"p05_join/p05_join.py": SOLUTION})


# ------------------------------------------------------------------ every entry point

def test_the_batch_worker_grades_through_it(calls, course, tmp_path):
    ws = take_in("ann", _p05_only(tmp_path), course, tmp_path / "ws")
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"student": "ann", "source": ws.source, "missing": ws.missing,
                                "problems": [], "fingerprint": "f1",
                                "late": {"submitted_at": "2026-01-01T00:00:00+00:00"}}))
    args = argparse.Namespace(workspace=str(ws.root), meta=str(meta), out=str(tmp_path / "out"),
                              calibration='{"startup": 0.25}', exercise=["p05_join"], guard="")
    assert worker._grade(args, course) == 0
    [request] = calls
    assert (request.exercises, request.fingerprint, request.calibration) == (
        ("p05_join",), "f1", {"startup": 0.25})
    assert request.submitted_at == "2026-01-01T00:00:00+00:00"
    assert not request.visible_only and request.hooks is None
    saved = json.loads((tmp_path / "out" / "results.json").read_text())
    assert saved["score"] == 12
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "feedback.html", "feedback.md", "grader.log", "results.json"]


def test_grader_check_grades_through_it(calls, tmp_path, capsys):
    assert cli.main(["--course", str(COURSE), "check", str(_p05_only(tmp_path)),
                     "-e", "p05_join"]) == 0
    [request] = calls
    assert request.visible_only and request.exercises == ("p05_join",)
    assert "total: " in capsys.readouterr().out


def test_gradescope_grades_through_it(calls, fake, course, tmp_path, capsys):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "p05_join.py").write_bytes(SOLUTION.read_bytes())
    assert gradescope.run(COURSE, submission, tmp_path / "results.json", budget=600) == 0
    [request] = calls
    assert request.hooks is not None and request.exercises is None
    assert fake.sessions == [(("p05_join",), course)]    # one session per exercise that can run
    data = json.loads((tmp_path / "results.json").read_text())
    got = {(t["extra_data"]["exercise"], t["extra_data"]["check"]): t for t in data["tests"]}
    assert set(got) == {(e.id, c.id) for e in course.exercises for c in e.checks}
    assert sum(t["score"] for t in data["tests"]) == 12
    assert data["extra_data"]["not_graded"] == []
    assert "autograder: p05_join: 12 / 12" in capsys.readouterr().out


def test_a_notebook_grades_through_it(calls, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p05_join.py").write_bytes(SOLUTION.read_bytes())
    got = notebooks.grade_here("p05_join", str(COURSE))
    [request] = calls
    assert request.exercises == ("p05_join",)
    assert got.summary() == "12 / 12 points"


def test_only_the_pipeline_runs_the_checks_session():
    """The hidden checks' session (grader.harness) is started from one place, and every entry
    point reaches it through grader.pipeline."""
    graph = import_graph()
    runners = {m for m, targets in graph.items() if "grader.harness" in targets
               and not m.startswith("grader.checks")}
    assert runners == {"grader.pipeline"}
    for entry in ("grader.worker", "grader.cli", "grader.gradescope", "grader.notebooks"):
        assert "grader.pipeline" in graph[entry], entry
    assert [m for m, targets in graph.items() if "grader.grading" in targets] == []


# ------------------------------------------------------------------ the stages

def test_preflight_costs_only_its_exercise_and_runs_nothing(fake, course, tmp_path):
    src = submission_with(tmp_path, {"p05_join/p05_join.py": SOLUTION,
                                     "p03_pids/p03_pids.py": "def child_facts(:\n    pass\n"})
    ws = take_in("bo", src, course, tmp_path / "ws")
    result = grade_submission(GradeRequest(course, ws, exercises=("p03_pids", "p05_join",
                                                                   "p01_create")))
    assert fake.sessions == [(("p05_join",), course)]     # one session, only what can run
    by_ex = result.exercise_scores()
    assert by_ex["p05_join"] == (12, 12) and by_ex["p03_pids"][0] == by_ex["p01_create"][0] == 0
    p03 = [c for c in result.checks if c.exercise == "p03_pids"]
    assert {c.status for c in p03} == {"failed"}
    assert p03[0].message.startswith("syntax error in p03_pids/p03_pids.py, line 1")
    assert [c.exercise for c in result.checks] == sorted(
        (c.exercise for c in result.checks),
        key=[e.id for e in course.exercises].index)         # course order, not request order


def test_visible_only_and_the_late_policy(fake, course, tmp_path):
    ws = take_in("cy", _p05_only(tmp_path), course, tmp_path / "ws")
    result = grade_submission(GradeRequest(course, ws, exercises=("p05_join",),
                                           visible_only=True, marked_late=True))
    visible = [c.id for c in course.exercise("p05_join").checks if c.visibility == "visible"]
    assert [c.check for c in result.checks] == visible
    assert result.late == assess(course, None, True)


@dataclass
class Recorder:
    """ExerciseHooks that skips `skip`, gives `slow` a course of its own, and logs."""
    course: Course
    skip: str = ""
    slow: str = ""
    log: list[str] = field(default_factory=list)
    runnable: tuple[str, ...] = ()

    def start(self, runnable: tuple[Exercise, ...], partial: SubmissionResult) -> None:
        self.runnable = tuple(ex.id for ex in runnable)
        self.log.append(f"start {len(partial.checks)}")

    def before(self, exercise: Exercise) -> ExercisePlan:
        self.log.append(f"before {exercise.id}")
        if exercise.id == self.skip:
            return ExercisePlan(skip="no time left")
        return ExercisePlan(course=self.course if exercise.id == self.slow else None)

    def after(self, exercise: Exercise, checks: tuple[CheckResult, ...],
              error: Exception | None) -> tuple[CheckResult, ...]:
        self.log.append(f"after {exercise.id} {type(error).__name__ if error else 'ok'} "
                        + ",".join(sorted({c.status for c in checks})))
        return checks


def test_hooks_grade_exercise_by_exercise(fake, course, tmp_path):
    src = submission_with(tmp_path, {f"{e}/{e}.py": ROOT / "solutions" / e / f"{e}.py"
                                     for e in ("p01_create", "p02_concurrent", "p05_join")})
    ws = take_in("di", src, course, tmp_path / "ws")
    other = replace(course, id="other")
    hooks = Recorder(other, skip="p02_concurrent", slow="p05_join")
    fake.fail = {"p01_create"}
    chosen = ("p01_create", "p02_concurrent", "p03_pids", "p05_join")
    result = grade_submission(GradeRequest(course, ws, exercises=chosen, hooks=hooks))
    assert hooks.runnable == ("p01_create", "p02_concurrent", "p05_join")
    p03 = len(course.exercise("p03_pids").checks)
    assert hooks.log == [f"start {p03}",
                         "before p01_create", "after p01_create RuntimeError error",
                         "before p02_concurrent", "after p02_concurrent ok error",
                         "before p03_pids", "after p03_pids ok failed",
                         "before p05_join", "after p05_join ok passed"]
    assert fake.sessions == [(("p01_create",), course), (("p05_join",), other)]
    msgs = {c.exercise: c.message for c in result.checks}
    assert msgs["p01_create"] == ("the grader could not grade this exercise: RuntimeError: "
                                  "the session broke on p01_create")
    assert msgs["p02_concurrent"] == "no time left"
    assert result.exercise_scores()["p05_join"] == (12, 12)
