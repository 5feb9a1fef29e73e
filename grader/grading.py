"""The keyword form of `grader.pipeline.grade_submission`, for callers written before
`GradeRequest` (the tests grade fixtures with it). New code builds a `GradeRequest`."""
from __future__ import annotations

from .intake import Workspace
from .manifest import Course
from .pipeline import GradeRequest, grade_submission
from .results import SubmissionResult
from .sandbox import Sandbox


def grade_workspace(course: Course, workspace: Workspace, sandbox: Sandbox | None = None, *,
                    exercises: list[str] | None = None,
                    visible_only: bool = False) -> SubmissionResult:
    """Grade `exercises` (default: all) of one workspace, as every entry point does."""
    return grade_submission(GradeRequest(
        course, workspace, sandbox, exercises=None if exercises is None else tuple(exercises),
        visible_only=visible_only))
