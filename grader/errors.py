"""One error hierarchy, one exit path: every error the CLI reports is a GraderError."""
from __future__ import annotations


class GraderError(Exception):
    """An error the user can fix; the message says what and where."""

    exit_code = 2


class ManifestError(GraderError):
    """course.yaml is malformed; `problems` lists every one, each with file, key path and line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class SubmissionError(GraderError):
    """A submission could not be taken in (not a zip, unsafe paths, duplicate student id)."""


class StudentFailure(AssertionError):
    """A check failed because of the student's code. The message is shown to the student."""


class TamperError(GraderError):
    """A file that decides grades (course.yaml, the grader, hidden checks, solutions) changed
    while a batch was grading; no result is written from it."""


class WeakSandboxError(GraderError):
    """No strong sandbox on this machine, and the instructor did not opt in to a weak one."""
