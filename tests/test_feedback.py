"""Feedback for students respects visibility; the class report shows the instructor all."""
from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest

from grader import feedback, report, results
from grader.results import CheckResult, SubmissionResult

VISIBILITIES = ["visible", "after_due_date", "after_published", "hidden"]
CHECK_IDS = ["all_tasks_done", "overlap", "wall_time", "reaped"]      # p05_join's, in course.yaml


def make_result(student: str = "ana") -> SubmissionResult:
    checks = tuple(
        CheckResult(exercise="p05_join", check=cid, kind="timing", status="failed",
                    score=0.0, max_score=1.0, description=f"check {v}", visibility=v,
                    message=f"SECRET-{v}: took 1.2 s", evidence={"status": "timeout"})
        for cid, v in zip(CHECK_IDS, VISIBILITIES))
    return SubmissionResult(student=student, course="c", checks=checks, execution_time=3.0)


def course_at(course, due_delta: timedelta | None, published: bool):
    due = None if due_delta is None else datetime.now(UTC) + due_delta
    return dataclasses.replace(course, due=due, published=published)


@pytest.mark.parametrize("render", [feedback.render_markdown, feedback.render_html])
def test_before_the_due_date_only_visible_details_are_shown(course, render):
    text = render(make_result(), course_at(course, timedelta(days=3), published=False))
    assert "SECRET-visible" in text
    for v in ("after_due_date", "after_published", "hidden"):
        assert f"SECRET-{v}" not in text, f"{v} leaked before its time"
    assert text.count("🔒") == 3


@pytest.mark.parametrize("render", [feedback.render_markdown, feedback.render_html])
def test_after_the_due_date_and_publication(course, render):
    late = render(make_result(), course_at(course, timedelta(days=-1), published=False))
    assert "SECRET-after_due_date" in late and "SECRET-after_published" not in late
    published = render(make_result(), course_at(course, timedelta(days=-1), published=True))
    assert "SECRET-after_published" in published
    assert "SECRET-hidden" not in published, "hidden checks are never shown to students"


def test_no_due_date_means_after_due_date_stays_hidden(course):
    text = feedback.render_markdown(make_result(), course_at(course, None, published=False))
    assert "SECRET-after_due_date" not in text


def test_html_feedback_escapes_what_it_shows(course):
    result = dataclasses.replace(make_result("<script>x</script>"))
    text = feedback.render_html(result, course_at(course, None, published=False))
    assert "<script>x" not in text and "&lt;script&gt;" in text


def test_class_report_shows_the_instructor_everything(course, tmp_path):
    for student in ("ana", "ben"):
        results.save(make_result(student), tmp_path / student / "results.json")
    page = report.write(course, tmp_path).read_text()
    assert "SECRET-hidden" in page                     # most common failure, per check
    assert "href='ana/feedback.html'" in page and "<svg" in page
    assert "ana" in page and "timeout" in page        # the crashing submissions


# ------------------------------------------------ every channel a student reads, one rule
# (grader/visibility.py). The class report is the instructor's and shows all (above).

ROSTER = ("student,name,email,username,lms_id,sis_id,sis_login,section\n"
          "ana,Ana Lima,ana@example.org,alima,1001,S-1,ana.l,Mon\n")
BEFORE, AFTER_DUE, PUBLISHED = "before the due date", "after the due date", "published"
MOMENTS = {BEFORE: (timedelta(days=3), False), AFTER_DUE: (timedelta(days=-1), False),
           PUBLISHED: (timedelta(days=-1), True)}
ALLOWED = {BEFORE: {"visible"}, AFTER_DUE: {"visible", "after_due_date"},
           PUBLISHED: {"visible", "after_due_date", "after_published"}}


class _AsIs:
    """gradescope_text.StudentText's interface, cleaning nothing (not what is tested here)."""

    def clean(self, text: str, trusted: bool = False) -> str:
        return text


LMS_IDS = {fmt: {"p05_join": "501"} for fmt in ("canvas", "blackboard")}   # they need one


def _export(fmt: str):
    def channel(result, course, tmp_path) -> str:
        from grader import exporters
        from grader.exporters import ExportOptions
        from grader.roster import load_roster
        results.save(result, tmp_path / "graded" / result.student / "results.json")
        (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
        out = tmp_path / f"export-{fmt}"
        exporters.export(fmt, tmp_path / "graded", course, out,
                         load_roster(tmp_path / "roster.csv"),
                         ExportOptions(lms_ids=LMS_IDS.get(fmt, {}), drop_unmatched=True))
        data = out.read_bytes()
        for encoding in ("utf-8", "utf-16"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                pass
        return data.decode("latin-1")
    return channel


def _gradescope(result, course, tmp_path) -> str:
    """What Gradescope shows before a test's own visibility applies: everything but the tests
    (each carries its check's visibility, which Gradescope applies with the same meaning), and
    each test whose visibility lets the student see it at this moment."""
    from grader.gradescope import gradescope_results
    from grader.visibility import shown
    data = gradescope_results(result, course, _AsIs(), notes=[], extra={})
    tests = data.pop("tests")
    assert [t["visibility"] for t in tests] == [c.visibility for c in result.checks]
    return json.dumps(data) + json.dumps([t for t, c in zip(tests, result.checks)
                                          if shown(c, course)])


def _notebook(result, course, tmp_path) -> str:
    from grader.notebooks import NotebookResult
    said = []
    for c in result.checks:
        with pytest.raises((AssertionError, RuntimeError)) as exc:
            NotebookResult(result, course).require(c.check)
        said.append(str(exc.value))
    return "\n".join(said)


CHANNELS = {
    "feedback.md": lambda result, course, tmp: feedback.render_markdown(result, course),
    "feedback.html": lambda result, course, tmp: feedback.render_html(result, course),
    **{f"export {fmt}": _export(fmt) for fmt in
       ("canvas", "moodle", "blackboard", "brightspace", "csv", "nbgrader")},
    "gradescope results.json": _gradescope,
    "nbgrader test cells": _notebook,
}
# Channels that carry no check's text at all (a grade only): nothing to withhold.
NO_TEXT = {"export canvas", "export blackboard", "export brightspace", "export csv",
           "export nbgrader"}


@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize("channel", list(CHANNELS))
def test_no_channel_shows_a_checks_text_before_its_time(course, tmp_path, channel, moment):
    due, published = MOMENTS[moment]
    text = CHANNELS[channel](make_result(), course_at(course, due, published), tmp_path)
    found = {v for v in VISIBILITIES if f"SECRET-{v}" in text}
    assert found == (set() if channel in NO_TEXT else ALLOWED[moment]), (channel, moment)
