"""Submissions that try to get points they did not earn, or that break, get nothing for what
they did not solve, and the grader finishes (issue 2's cheating samples; the full hostile corpus
is in test_hostile*.py)."""
from __future__ import annotations

import time

import pytest

from grader.grading import grade_workspace

from .conftest import ROOT, submission_with, workspace

STUB = ROOT / "exercises/p05_join/p05_join.py"


def grade_p05(course, sandbox, tmp_path, source):
    ws = workspace(course, source, tmp_path)
    return grade_workspace(course, ws, sandbox, exercises=["p05_join"])


def test_a_conftest_that_forces_passes_changes_nothing(course, sandbox, tmp_path):
    honest = grade_p05(course, sandbox, tmp_path / "a", submission_with(tmp_path / "a", {"p05_join/p05_join.py": STUB}))
    cheat = grade_p05(course, sandbox, tmp_path / "b", ROOT / "samples/cheat_conftest")
    assert [c.status for c in cheat.checks] == [c.status for c in honest.checks]
    assert cheat.score == honest.score < cheat.max_score


@pytest.mark.parametrize("body,words", [
    ("import os\n    os._exit(0)", "without reporting a result"),
    ("import sys\n    sys.exit(0)", "sys.exit(0)"),
])
def test_ending_the_process_inside_the_function_scores_nothing(course, sandbox, tmp_path, body, words):
    src = submission_with(tmp_path, {"p05_join/p05_join.py": f"def run_and_wait(task, durations):\n    {body}\n"})
    result = grade_p05(course, sandbox, tmp_path, src)
    assert result.score == 0
    assert all(words in c.message for c in result.checks if c.check != "reaped"), result.checks


@pytest.mark.parametrize("source,words", [
    ("import sys\nsys.exit(0)\n", "sys.exit(0)"),
    ("import os\nos._exit(0)\n", "without reporting a result"),
    ("while True:\n    pass\n", "did not finish within"),
])
def test_misbehaving_at_import_scores_nothing_and_the_grader_finishes(course, sandbox, tmp_path, source, words):
    src = submission_with(tmp_path, {"p05_join/p05_join.py": source})
    t0 = time.monotonic()
    result = grade_p05(course, sandbox, tmp_path, src)
    assert result.score == 0 and not result.grader_errors
    assert all(words in c.message for c in result.checks), [c.message for c in result.checks]
    assert time.monotonic() - t0 < 30


def test_a_deadlock_scores_nothing_and_says_where_it_waited(course, sandbox, tmp_path):
    code = ("import threading\nA, B = threading.Lock(), threading.Lock()\n"
            "def run_and_wait(task, durations):\n    A.acquire()\n    A.acquire()\n")
    result = grade_p05(course, sandbox, tmp_path, submission_with(tmp_path, {"p05_join/p05_join.py": code}))
    assert result.score == 0
    text = result.checks[0].message
    assert "did not finish within" in text and "p05_join.py:5" in text, text
