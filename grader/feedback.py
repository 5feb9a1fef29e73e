"""Per-student feedback in Markdown, written for the student.

A check's details are shown only when its visibility allows it for students: `visible`
always, `after_due_date` once the due date has passed, `after_published` once the course is
published, `hidden` never (its points still count, its text stays with the instructor).
"""
from __future__ import annotations

from datetime import datetime, timezone

from .manifest import Course
from .results import CheckResult, SubmissionResult

MARK = {"passed": "✅", "failed": "❌", "error": "⚠️", "skipped": "➖"}


def shown_to_student(check: CheckResult, course: Course, now: datetime | None = None) -> bool:
    now = now or datetime.now(timezone.utc)
    if check.visibility == "visible":
        return True
    if check.visibility == "after_due_date":
        due = course.due
        if due is not None and due.tzinfo is None:
            due = due.replace(tzinfo=timezone.utc)
        return due is not None and now >= due
    if check.visibility == "after_published":
        return course.published
    return False


def render_markdown(result: SubmissionResult, course: Course, now: datetime | None = None) -> str:
    lines = [f"# {course.title}: feedback for {result.student}", ""]
    shown = [c for c in result.checks if shown_to_student(c, course, now)]
    withheld = [c for c in result.checks if c not in shown]
    lines.append(f"**Score: {result.score:g} / {result.max_score:g}**")
    if result.late:
        lines.append(f"(late by {result.late.get('days_late')} day(s): "
                     f"{100 * float(result.late.get('penalty', 0)):g}% deducted)")
    lines.append("")
    for problem in result.problems:
        lines.append(f"> {problem}")
    if result.problems:
        lines.append("")
    titles = {e.id: e.title for e in course.exercises}
    for ex_id, (got, top) in result.exercise_scores().items():
        lines += [f"## {ex_id} — {titles.get(ex_id, '')}: {got:g} / {top:g}", ""]
        for c in result.checks:
            if c.exercise != ex_id:
                continue
            if c in withheld:
                lines.append(f"- 🔒 {c.description} ({c.max_score:g} pts): hidden until "
                             f"{_when(c.visibility)}")
                continue
            lines.append(f"- {MARK[c.status]} {c.description} ({c.score:g}/{c.max_score:g})")
            if c.status != "passed" and c.message:
                lines += ["", "  ```text", *("  " + m for m in c.message.splitlines()),
                          "  ```", ""]
        lines.append("")
    errors = result.grader_errors
    if errors:
        lines += ["---", f"⚠️ {len(errors)} check(s) could not be run by the grader; this is "
                  "not your fault and your instructor has been told.", ""]
    return "\n".join(lines).rstrip() + "\n"


def _when(visibility: str) -> str:
    return {"after_due_date": "the due date", "after_published": "grades are published",
            "hidden": "your instructor releases it"}.get(visibility, "later")
