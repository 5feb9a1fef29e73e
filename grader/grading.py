"""One submission → SubmissionResult: preflight each exercise, then run its hidden checks.

Preflight happens on the trusted side without running anything: a missing file or a syntax
error (found with `compile`, which does not execute) costs that exercise's checks with a clear
reason; the other exercises are graded as usual.
"""
from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from . import __version__
from .harness import CheckSession
from .intake import Workspace
from .late import assess
from .manifest import CHECKS_DIR, Course, Exercise
from .results import CheckResult, SubmissionResult
from .sandbox import Sandbox


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


def grade_workspace(course: Course, workspace: Workspace, sandbox: Sandbox, *,
                    exercises: list[str] | None = None, visible_only: bool = False,
                    log: list[str] | None = None, calibration: dict | None = None,
                    late: dict | None = None, fingerprint: str = "",
                    on_check=None) -> SubmissionResult:
    """Grade one workspace. `late` is what the intake knows ({"submitted_at": iso} or
    {"marked_late": True}); `calibration` is the batch's measure of this machine."""
    started = datetime.now(UTC)
    t0 = time.monotonic()
    chosen = [e for e in course.exercises if exercises is None or e.id in exercises]
    results: dict[tuple[str, str], CheckResult] = {}
    wanted: dict[str, tuple[str, ...]] = {}
    for ex in chosen:
        checks = [c for c in ex.checks if not visible_only or c.visibility == "visible"]
        reason = preflight(ex, workspace)
        if reason:
            for c in checks:
                results[(ex.id, c.id)] = CheckResult(
                    exercise=ex.id, check=c.id, kind=c.kind, status="failed", score=0.0,
                    max_score=c.points, description=c.description, visibility=c.visibility,
                    message=reason)
        elif checks:
            wanted[ex.id] = tuple(c.id for c in checks)
    if wanted:
        session = CheckSession(course, workspace, sandbox, wanted,
                               startup=float((calibration or {}).get("startup", 0.0)),
                               on_check=on_check)
        args = [str(CHECKS_DIR / f"{ex_id}.py") for ex_id in wanted]
        args += ["-c", str(CHECKS_DIR / "pytest.ini"), "--rootdir", str(CHECKS_DIR), "-q",
                 "--no-header", "-p", "no:randomly"]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer), \
                _no_plugin_autoload():
            pytest.main(args, plugins=[session])
        if log is not None:
            log.append(buffer.getvalue())
        results.update(session.results)
        for ex_id, check_ids in wanted.items():
            for cid in check_ids:
                if (ex_id, cid) not in results:
                    c = course.exercise(ex_id).check(cid)
                    results[(ex_id, cid)] = CheckResult(
                        exercise=ex_id, check=cid, kind=c.kind, status="error", score=0.0,
                        max_score=c.points, description=c.description, visibility=c.visibility,
                        message="the grader could not run this check (it was not collected; "
                                "see the grader log)")
    ordered = tuple(results[(ex.id, c.id)] for ex in chosen for c in ex.checks
                    if (ex.id, c.id) in results)
    return SubmissionResult(student=workspace.student, course=course.id, checks=ordered,
                            source=workspace.source, isolation=sandbox.isolation.to_dict(),
                            started=started.isoformat(timespec="seconds"),
                            execution_time=time.monotonic() - t0, grader_version=__version__,
                            problems=workspace.problems,
                            late=assess(course, (late or {}).get("submitted_at"),
                                        bool((late or {}).get("marked_late"))),
                            fingerprint=fingerprint, calibration=calibration or {})
