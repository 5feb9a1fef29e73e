"""Feedback for students respects visibility; the class report shows the instructor all."""
from __future__ import annotations

import dataclasses
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
