"""Grade one submission: the one function every entry point calls.

    preflight → sandbox → checks → score → results

`grade_submission(GradeRequest) -> SubmissionResult` is called by the batch worker
(`grader grade`), by `grader check` (the self-check), by the Gradescope run and by nbgrader's
`grade_here`; `write_outputs` writes what the batch keeps of one student. An entry point says
what differs in its `GradeRequest` (which exercises, only the visible checks, the late
evidence, progress callbacks) and never assembles the stages itself.

Preflight happens on the trusted side without running anything: a missing file or a syntax
error (found with `compile`, which does not execute) costs that exercise's checks with a clear
reason; the other exercises are graded as usual.

By default the hidden checks of every exercise run in one pytest session. With `hooks` (the
Gradescope run: a time budget, results written after each exercise) each exercise runs in its
own session, in course order: `hooks.before` may skip it or give it a course with other
timeouts, `hooks.after` sees its checks, and a grader error in one exercise becomes that
exercise's error results instead of ending the run.
"""
from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import pytest

from . import __version__, feedback, results
from .harness import CheckSession
from .intake import Workspace
from .late import assess
from .manifest import CHECKS_DIR, Course, Exercise
from .results import CheckResult, SubmissionResult
from .sandbox import Sandbox


@dataclass(frozen=True)
class ExercisePlan:
    """What `ExerciseHooks.before` decides for one exercise."""
    course: Course | None = None    # grade it with this course (e.g. its timeouts cut to a budget)
    skip: str = ""                  # do not run it: each check is a grader error with this text


class ExerciseHooks(Protocol):
    """Grade exercise by exercise, with a say before and after each (the Gradescope run)."""

    def start(self, runnable: tuple[Exercise, ...], partial: SubmissionResult) -> None:
        """After preflight: the exercises whose checks can run, and the result with only
        what preflight decided (the student, the sandbox, the late policy)."""

    def before(self, exercise: Exercise) -> ExercisePlan:
        """Before each chosen exercise, in course order (also one preflight stopped)."""
        ...

    def after(self, exercise: Exercise, checks: tuple[CheckResult, ...],
              error: Exception | None) -> tuple[CheckResult, ...]:
        """Its checks as graded, or, with `error`, as the grader could not grade them; what
        it returns is kept."""
        ...


@dataclass(frozen=True)
class GradeRequest:
    """One submission to grade, and what the entry point wants of it."""
    course: Course
    workspace: Workspace                            # from grader.intake: only declared files
    sandbox: Sandbox | None = None                  # default: Sandbox(course.limits, course.root)
    exercises: tuple[str, ...] | None = None        # default: every exercise of the course
    visible_only: bool = False                      # the self-check: only the visible checks
    submitted_at: str | None = None                 # ISO time, for the late policy
    marked_late: bool = False                       # the LMS says late, without a time
    fingerprint: str = ""                           # grader.fingerprint of what is graded
    calibration: Mapping[str, float] = field(default_factory=dict)   # grader.batch.calibrate
    on_check: Callable[[CheckResult], None] | None = None   # each check as it finishes
    on_log: Callable[[str], None] | None = None     # the checks' pytest output, per session
    hooks: ExerciseHooks | None = None              # one session per exercise, see the module

    def chosen(self) -> tuple[Exercise, ...]:
        return tuple(e for e in self.course.exercises
                     if self.exercises is None or e.id in self.exercises)

    def wanted(self, exercise: Exercise) -> tuple[str, ...]:
        return tuple(c.id for c in exercise.checks
                     if not self.visible_only or c.visibility == "visible")


def grade_submission(request: GradeRequest) -> SubmissionResult:
    """Grade one submission: the stages in order, whatever the entry point."""
    started, t0 = datetime.now(UTC), time.monotonic()
    chosen = request.chosen()
    # 1. preflight: what cannot run at all, found without running anything
    stopped = {ex.id: preflight(ex, request.workspace) for ex in chosen}
    graded: dict[str, tuple[CheckResult, ...]] = {
        ex.id: unrunnable(ex, request.wanted(ex), stopped[ex.id]) for ex in chosen
        if stopped[ex.id]}
    runnable = tuple(ex for ex in chosen if not stopped[ex.id] and request.wanted(ex))
    # 2. sandbox: where every run of the student's code happens
    sandbox = request.sandbox or Sandbox(request.course.limits, request.course.root)

    def so_far() -> SubmissionResult:
        # 4. score and 5. results: the checks in course order, the late policy, provenance
        return score(request, sandbox, graded, started, time.monotonic() - t0)

    # 3. checks: the hidden checks drive the student's code through the sandbox
    if request.hooks is None:
        graded.update(run_checks(request, request.course, sandbox, runnable))
    else:
        request.hooks.start(runnable, so_far())
        for ex in chosen:
            plan = request.hooks.before(ex)
            checks = graded.get(ex.id, ())
            error: Exception | None = None
            if plan.skip and ex in runnable:
                checks = tuple(errors(ex, request.wanted(ex), plan.skip))
            elif ex in runnable:
                try:
                    checks = run_checks(request, plan.course or request.course, sandbox,
                                        (ex,))[ex.id]
                except Exception as exc:  # noqa: BLE001 - this exercise's grader error only
                    checks, error = tuple(errors(ex, request.wanted(ex), (
                        f"the grader could not grade this exercise: {type(exc).__name__}: "
                        f"{exc}"))), exc
            graded[ex.id] = request.hooks.after(ex, checks, error)
    return so_far()


def write_outputs(result: SubmissionResult, course: Course, out: Path, log: str = "") -> None:
    """What a graded student leaves in their results folder, each file written atomically:
    results.json, feedback.md and feedback.html (through grader.visibility), grader.log."""
    results.save(result, out / "results.json")
    results.write_atomic(out / "feedback.md", feedback.render_markdown(result, course))
    results.write_atomic(out / "feedback.html", feedback.render_html(result, course))
    results.write_atomic(out / "grader.log", log)


# ------------------------------------------------------------------------------ the stages

def preflight(exercise: Exercise, workspace: Workspace) -> str:
    """Why this exercise cannot be run at all, or "" if it can."""
    if exercise.id in workspace.missing:
        return workspace.missing[exercise.id] + " — nothing to grade for this exercise"
    for rel in exercise.files:
        path = workspace.root / rel
        if path.suffix != ".py":
            continue
        source = path.read_bytes()
        try:
            compile(source, rel, "exec", dont_inherit=True)
        except SyntaxError as exc:
            return (f"syntax error in {rel}, line {exc.lineno}: {exc.msg}"
                    + (f"\n    {exc.text.rstrip()}" if exc.text else "")
                    + "\n(run `python " + rel + "` to see it)")
        except ValueError as exc:            # e.g. null bytes
            return f"{rel} cannot be compiled: {exc}"
    return ""


def unrunnable(exercise: Exercise, check_ids: tuple[str, ...], reason: str
               ) -> tuple[CheckResult, ...]:
    """The student's code cannot run (preflight): each check failed with the reason."""
    return tuple(_result(exercise, cid, "failed", reason) for cid in check_ids)


def errors(exercise: Exercise, check_ids: tuple[str, ...], reason: str
           ) -> tuple[CheckResult, ...]:
    """The grader could not grade these checks: each an error with the reason."""
    return tuple(_result(exercise, cid, "error", reason) for cid in check_ids)


def _result(exercise: Exercise, check_id: str, status: results.Status,
            message: str) -> CheckResult:
    c = exercise.check(check_id)
    return CheckResult(exercise=exercise.id, check=c.id, kind=c.kind, status=status, score=0.0,
                       max_score=c.points, description=c.description, visibility=c.visibility,
                       message=message)


def run_checks(request: GradeRequest, course: Course, sandbox: Sandbox,
               exercises: tuple[Exercise, ...]) -> dict[str, tuple[CheckResult, ...]]:
    """One pytest session of the hidden checks of `exercises` (with `course`'s timeouts):
    exercise id → its wanted checks' results, in course order; a check that did not report
    is a grader error."""
    wanted = {ex.id: request.wanted(ex) for ex in exercises}
    if not wanted:
        return {}
    session = CheckSession(course, request.workspace, sandbox, wanted,
                           startup=float(request.calibration.get("startup", 0.0)),
                           on_check=request.on_check)
    args = [str(CHECKS_DIR / f"{ex_id}.py") for ex_id in wanted]
    args += ["-c", str(CHECKS_DIR / "pytest.ini"), "--rootdir", str(CHECKS_DIR), "-q",
             "--no-header", "-p", "no:randomly"]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer), \
            _no_plugin_autoload():
        pytest.main(args, plugins=[session])
    if request.on_log is not None:
        request.on_log(buffer.getvalue())
    not_collected = ("the grader could not run this check (it was not collected; see the "
                     "grader log)")
    return {ex.id: tuple(session.results.get((ex.id, cid))
                         or _result(ex, cid, "error", not_collected) for cid in wanted[ex.id])
            for ex in exercises}


def score(request: GradeRequest, sandbox: Sandbox,
          graded: Mapping[str, tuple[CheckResult, ...]], started: datetime,
          elapsed: float) -> SubmissionResult:
    """The SubmissionResult of the exercises graded so far: checks in course order, the late
    policy's verdict, and what was graded where."""
    return SubmissionResult(
        student=request.workspace.student, course=request.course.id,
        checks=tuple(c for ex in request.chosen() for c in graded.get(ex.id, ())),
        source=request.workspace.source, isolation=sandbox.isolation.to_dict(),
        started=started.isoformat(timespec="seconds"), execution_time=elapsed,
        grader_version=__version__, problems=request.workspace.problems,
        late=assess(request.course, request.submitted_at, request.marked_late),
        fingerprint=request.fingerprint, calibration=dict(request.calibration))


@contextlib.contextmanager
def _no_plugin_autoload() -> Iterator[None]:
    """The hidden checks' pytest session loads no installed plugin (xdist, timeout, anyio and
    the like, which the kit does not use there): they cost about a second of start-up per
    submission, and nothing installed beside the kit should take part in grading."""
    old = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        yield
    finally:
        if old is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = old
