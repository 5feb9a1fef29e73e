"""The hidden checks' side of the sandbox: a pytest plugin and the `student` fixture.

Hidden checks are ordinary pytest tests in `grader/checks/<exercise id>.py`, one function
`test_<check id>` per check in course.yaml. They run in the trusted grader; each asks the
`student` fixture to run the student's code in the sandbox and judges what comes back:

    def test_overlap(student):
        run = student.call("run_and_wait", worker("SleepTask"), [0.3, 0.2])
        student.require(run)                 # fails the check with the run's explanation
        starts = [e["t"] for e in run.events if e["ev"] == "start"]
        ...

A failed `assert` or a `StudentFailure` fails the check (the student's code is wrong); any
other exception is the grader's own error and is reported as such, never as the student's.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import pytest

from _kit.contract import RunOptions
from _kit.launch import Run, diagnosis_time, worker  # noqa: F401 - re-exported for the checks

from .errors import StudentFailure
from .intake import Workspace
from .manifest import Check, Course, Exercise
from .results import CheckResult, Status
from .sandbox import Sandbox

__all__ = ["Student", "StudentFailure", "worker", "fail", "CheckSession"]


def fail(message: str) -> NoReturn:
    raise StudentFailure(message)


class Student:
    """The student's module for one check, reachable only through the sandbox."""

    def __init__(self, exercise: Exercise, check: Check, workspace: Workspace,
                 sandbox: Sandbox, shared: dict | None = None) -> None:
        self.exercise, self.check = exercise, check
        self.module_dir = workspace.root / exercise.module_dir
        self.sandbox = sandbox
        self._shared = {} if shared is None else shared
        # Seconds this machine takes to start a sandboxed run (measured at the start of a
        # batch); time bounds may add a multiple of it as a margin. 0 when not calibrated.
        self.startup = 0.0
        self._deadline = time.monotonic() + check.timeout
        self.runs: list[Run] = []

    @property
    def source(self) -> Path:
        """The student's module file, as intake took it (to read, never to run here)."""
        return self.module_dir / f"{self.exercise.module}.py"

    def remaining(self) -> float:
        return self._deadline - time.monotonic()

    def call(self, function: str, *args: object, timeout: float | None = None,
             trace_locks: bool = False, sample_processes: bool = False,
             start_method: str | None = None, scenario: str | None = None,
             **kwargs: object) -> Run:
        """Run `function(*args, **kwargs)` from the student's module in a fresh sandbox.

        `start_method` ("fork", "spawn", "forkserver") is set as multiprocessing's default
        before the module is imported. With `scenario="workers_x.func"`, `function` is
        ignored and the checker's scenario drives the module from inside the sandbox."""
        budget = self.remaining()
        if budget <= 0.5:
            fail(f"the check ran out of its {self.check.timeout:g} s before it could finish")
        limit = min(timeout, budget) if timeout is not None else budget
        options = RunOptions(timeout=limit, mode="scenario" if scenario else "call",
                             trace_locks=trace_locks, diagnose_after=diagnosis_time(limit),
                             sample_processes=sample_processes, start_method=start_method,
                             scenario=scenario)
        run = self.sandbox.run(self.module_dir, self.exercise.module, function, list(args),
                               kwargs, options=options)
        self.runs.append(run)
        return run

    def shared_call(self, function: str, *args: object, **options: Any) -> Run:
        """Like `call`, but several checks of this submission that ask for the very same call
        share one run (each judges a different aspect of it). Never use it to retry."""
        key = (self.exercise.id, function, repr(args), repr(sorted(options.items())))
        if key not in self._shared:
            self._shared[key] = self.call(function, *args, **options)
        run = self._shared[key]
        self.runs.append(run)
        return run

    def run_main(self, timeout: float | None = None, start_method: str | None = None) -> Run:
        """Run the student's module as a program (`python module.py`); read `run.stdout`."""
        budget = self.remaining()
        limit = min(timeout, budget) if timeout is not None else budget
        run = self.sandbox.run(self.module_dir, self.exercise.module, options=RunOptions(
            timeout=limit, mode="main", sample_processes=True, start_method=start_method))
        self.runs.append(run)
        return run

    @staticmethod
    def require(run: Run) -> Any:
        """The value the function returned (decoded from the sandbox: untrusted, so the check
        tests its shape before using it); fails the check with the reason if it did not."""
        if not run.returned:
            fail(run.explain())
        return run.value


@dataclass
class CheckSession:
    """pytest plugin: runs the hidden checks of `exercises` against one workspace."""

    course: Course
    workspace: Workspace
    sandbox: Sandbox
    wanted: dict[str, tuple[str, ...]]          # exercise id -> check ids to run
    startup: float = 0.0                        # calibration: seconds to start a sandboxed run
    on_check: Callable[[CheckResult], None] | None = None   # progress: called per finished check
    results: dict[tuple[str, str], CheckResult] = field(default_factory=dict)
    _students: dict[str, Student] = field(default_factory=dict)
    _shared_runs: dict[tuple[str, ...], Run] = field(default_factory=dict)

    @staticmethod
    def ids(item: pytest.Item) -> tuple[str, str]:
        return Path(str(item.fspath)).stem, item.name.removeprefix("test_")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        keep: list[pytest.Item] = []
        drop: list[pytest.Item] = []
        for item in items:
            ex, check = self.ids(item)
            (keep if check in self.wanted.get(ex, ()) else drop).append(item)
        items[:] = keep
        if drop:
            config.hook.pytest_deselected(items=drop)

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> Student:
        ex_id, check_id = self.ids(request.node)
        exercise = self.course.exercise(ex_id)
        s = Student(exercise, exercise.check(check_id), self.workspace, self.sandbox,
                    self._shared_runs)
        s.startup = self.startup
        self._students[request.node.nodeid] = s
        return s

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Generator[None, Any, None]:
        outcome = yield
        report = outcome.get_result()
        ex_id, check_id = self.ids(item)
        if (ex_id, check_id) in self.results and self.results[(ex_id, check_id)].status != "passed":
            return
        if call.when == "call" or (call.when == "setup" and not report.passed):
            check = self.course.exercise(ex_id).check(check_id)
            status: Status = "passed"
            message = ""
            if report.skipped:
                status = "skipped"
                message = str(getattr(call.excinfo.value, "msg", "skipped")) if call.excinfo else "skipped"
            elif call.excinfo is not None:
                exc = call.excinfo.value
                if isinstance(exc, AssertionError):
                    status, message = "failed", _student_text(exc)
                else:
                    status = "error"
                    message = (f"the grader could not run this check: "
                               f"{type(exc).__name__}: {exc}")
            student = self._students.get(item.nodeid)
            self.results[(ex_id, check_id)] = CheckResult(
                exercise=ex_id, check=check_id, kind=check.kind, status=status,
                score=check.points if status == "passed" else 0.0, max_score=check.points,
                description=check.description, visibility=check.visibility, message=message,
                duration=call.duration, evidence=_evidence(student))
            if self.on_check is not None:
                self.on_check(self.results[(ex_id, check_id)])


def _student_text(exc: AssertionError) -> str:
    text = str(exc)
    return text.split("\nassert ")[0].strip() or "the check's condition did not hold"


def _evidence(student: Student | None) -> dict:
    if student is None or not student.runs:
        return {}
    last = student.runs[-1]
    return {"runs": len(student.runs), "status": last.status,
            "call_time": None if last.call_time is None else round(last.call_time, 3),
            "wall": round(last.wall, 3), "events": len(last.events),
            "rejected_events": last.rejected_events, "killed_after": last.killed,
            "survivors": last.survivors, "limit_hits": last.limit_hits,
            "observed_call_time": None if last.observed_call_time is None
            else round(last.observed_call_time, 3)}
