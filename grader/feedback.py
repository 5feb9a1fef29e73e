"""Per-student feedback, written for the student, as Markdown and as HTML.

A check's details are shown only when grader/visibility.py (the one rule every channel uses)
allows it: `visible` always, `after_due_date` once the due date has passed,
`after_published` once the course is published, `hidden` never (its points still count, its
text stays with the instructor, in results.json). Both formats render one view, so they
cannot disagree about what is shown.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime

from . import visibility
from .manifest import Course
from .results import CheckResult, SubmissionResult

MARK = {"passed": "✅", "failed": "❌", "error": "⚠️", "skipped": "➖"}


def shown_to_student(check: CheckResult, course: Course, now: datetime | None = None) -> bool:
    """The one visibility rule (grader/visibility.py)."""
    return visibility.shown(check, course, now)


@dataclass(frozen=True)
class Line:
    status: str
    description: str
    score: float
    max_score: float
    message: str = ""          # empty when passed or withheld
    withheld_until: str = ""   # set when the student may not see this check yet


@dataclass(frozen=True)
class Section:
    exercise: str
    title: str
    score: float
    max_score: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class StudentView:
    course: str
    student: str
    score: float
    max_score: float
    late: str
    problems: tuple[str, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)
    grader_errors: int = 0


def student_view(result: SubmissionResult, course: Course, now: datetime | None = None) -> StudentView:
    titles = {e.id: e.title for e in course.exercises}
    sections = []
    for ex_id, (got, top) in result.exercise_scores().items():
        lines = []
        for c in (c for c in result.checks if c.exercise == ex_id):
            if not shown_to_student(c, course, now):
                lines.append(Line("withheld", c.description, 0.0, c.max_score,
                                  withheld_until=visibility.UNTIL.get(c.visibility, "later")))
            else:
                lines.append(Line(c.status, c.description, c.score, c.max_score,
                                  message=c.message if c.status != "passed" else ""))
        sections.append(Section(ex_id, titles.get(ex_id, ""), got, top, tuple(lines)))
    late = ""
    if result.late:
        late = (f"late by {result.late.get('days_late')} day(s): "
                f"{100 * float(result.late.get('penalty', 0)):g}% deducted")
    return StudentView(course=course.title, student=result.student, score=result.score,
                       max_score=result.max_score, late=late, problems=result.problems,
                       sections=tuple(sections), grader_errors=len(result.grader_errors))


GRADER_ERROR_NOTE = ("{n} check(s) could not be run by the grader; this is not your fault and "
                     "your instructor has been told.")


def render_markdown(result: SubmissionResult, course: Course, now: datetime | None = None) -> str:
    v = student_view(result, course, now)
    lines = [f"# {v.course}: feedback for {v.student}", "",
             f"**Score: {v.score:g} / {v.max_score:g}**"]
    if v.late:
        lines.append(f"({v.late})")
    lines.append("")
    lines += [f"> {p}" for p in v.problems] + ([""] if v.problems else [])
    for s in v.sections:
        lines += [f"## {s.exercise} — {s.title}: {s.score:g} / {s.max_score:g}", ""]
        for ln in s.lines:
            if ln.withheld_until:
                lines.append(f"- 🔒 {ln.description} ({ln.max_score:g} pts): hidden until "
                             f"{ln.withheld_until}")
                continue
            lines.append(f"- {MARK[ln.status]} {ln.description} ({ln.score:g}/{ln.max_score:g})")
            if ln.message:
                lines += ["", "  ```text", *("  " + m for m in ln.message.splitlines()), "  ```", ""]
        lines.append("")
    if v.grader_errors:
        lines += ["---", "⚠️ " + GRADER_ERROR_NOTE.format(n=v.grader_errors), ""]
    return "\n".join(lines).rstrip() + "\n"


def render_html(result: SubmissionResult, course: Course, now: datetime | None = None) -> str:
    v = student_view(result, course, now)
    e = html.escape
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{e(v.course)}: {e(v.student)}</title><style>{CSS}</style></head><body>",
             f"<h1>{e(v.course)}: feedback for {e(v.student)}</h1>",
             f"<p class='score'>Score: <b>{v.score:g} / {v.max_score:g}</b>"
             + (f" <span class='late'>({e(v.late)})</span>" if v.late else "") + "</p>"]
    parts += [f"<p class='problem'>{e(p)}</p>" for p in v.problems]
    for s in v.sections:
        parts.append(f"<section><h2>{e(s.exercise)} — {e(s.title)} "
                     f"<span class='pts'>{s.score:g} / {s.max_score:g}</span></h2><ul>")
        for ln in s.lines:
            if ln.withheld_until:
                parts.append(f"<li class='withheld'>🔒 {e(ln.description)} ({ln.max_score:g} pts):"
                             f" hidden until {e(ln.withheld_until)}</li>")
                continue
            parts.append(f"<li class='{ln.status}'>{MARK[ln.status]} {e(ln.description)} "
                         f"({ln.score:g}/{ln.max_score:g})"
                         + (f"<pre>{e(ln.message)}</pre>" if ln.message else "") + "</li>")
        parts.append("</ul></section>")
    if v.grader_errors:
        parts.append(f"<p class='error'>⚠️ {e(GRADER_ERROR_NOTE.format(n=v.grader_errors))}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


CSS = """body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;border-bottom:1px solid #ddd;padding-bottom:.2rem}
.pts{float:right;color:#555}ul{list-style:none;padding-left:0}li{margin:.35rem 0}
pre{background:#f6f6f6;border-left:3px solid #c33;padding:.5rem .75rem;white-space:pre-wrap}
.withheld{color:#777}.late,.problem,.error{color:#a40}.score{font-size:1.1rem}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:.25rem .6rem;text-align:left}
th{background:#fafafa}.bar{fill:#4a7bd0}.axis{font-size:11px;fill:#555}"""
