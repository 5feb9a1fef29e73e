"""The one rule that decides whether a student may see a check's text yet.

Every channel that shows a check's message to a student (feedback.md/.html, LMS comments,
anything else) asks `shown(check, course)`; nothing decides visibility on its own.

* `visible`: always;
* `after_due_date`: once the course's due date has passed (never, when course.yaml has none);
* `after_published`: once course.yaml says the grades are published;
* `hidden`: never (the points still count; the text stays with the instructor).

A check the student may not see yet still counts; its text is withheld, never its points.
"""
from __future__ import annotations

from datetime import UTC, datetime

from .manifest import Course
from .results import CheckResult

# When a withheld check will become visible, in the student's words.
UNTIL = {"after_due_date": "the due date", "after_published": "grades are published",
         "hidden": "your instructor releases it"}


def may_show(visibility: str, *, due: datetime | None, published: bool,
             now: datetime | None = None) -> bool:
    """True when text of this visibility may be shown to the student at `now` (UTC)."""
    if visibility == "visible":
        return True
    if visibility == "after_due_date":
        if due is None:
            return False
        if due.tzinfo is None:
            due = due.replace(tzinfo=UTC)
        return (now or datetime.now(UTC)) >= due
    if visibility == "after_published":
        return bool(published)
    return False          # "hidden", and anything unknown: fail closed


def shown(check: CheckResult, course: Course, now: datetime | None = None) -> bool:
    return may_show(check.visibility, due=course.due, published=course.published, now=now)
