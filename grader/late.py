"""The manifest's late policy applied to one submission.

`policies.late` in course.yaml: `grace_minutes`, `penalty_per_day` (a fraction of the score per
started day after the due date and the grace), `max_days_late` (later than that scores 0).
Evidence of lateness comes from the intake: a submission time (roster or LMS metadata) compared
with `course.due`, or the LMS's own "late" mark when it gives no time (Canvas' `LATE` file-name
marker), which counts as one day late.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from .manifest import Course


def assess(course: Course, submitted_at: str | None = None, marked_late: bool = False) -> dict:
    """{} when on time, else {"days_late": n, "penalty": fraction, "why": text}."""
    policy = course.late
    days = 0
    why = ""
    if submitted_at and course.due is not None:
        when = datetime.fromisoformat(submitted_at)
        due = course.due
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if due.tzinfo is None:
            due = due.replace(tzinfo=UTC)
        over = when - due - timedelta(minutes=policy.grace_minutes)
        if over > timedelta(0):
            days = math.ceil(over / timedelta(days=1))
            why = f"submitted {when.isoformat()} after the due date {due.isoformat()}"
    elif marked_late:
        days = 1
        why = "marked late by the LMS (no submission time known: counted as one day)"
    if days == 0:
        return {}
    if policy.max_days_late is not None and days > policy.max_days_late:
        penalty = 1.0
    else:
        penalty = min(1.0, days * policy.penalty_per_day)
    return {"days_late": days, "penalty": round(penalty, 4), "why": why}
