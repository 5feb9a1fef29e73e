"""The two test lanes, decided in one place.

* `make test` (`pytest -n 4 tests`) runs everything.
* `make check` (`pytest -n 4 -m "not slow" tests`) is the fast lane: every grader module and
  every exercise's checks, in about two minutes on two cores.

A test is slow when it carries `@pytest.mark.slow` itself (tests/test_hollow.py does), when it
is listed in SLOW below, or when it is a sandbox guarantee repeated at another isolation
level: the fast lane proves each guarantee at the first level it is written for (usually
`namespaces`) and leaves the other levels to `make test`. Seconds are measured on the 2-core
development machine with other work running (`--durations`).
"""
from __future__ import annotations

import pytest

SLOW: dict[str, str] = {
    # every fixture of every exercise keeps its verdict: ~180 gradings, 5-25 s each
    "test_exercises.py::test_fixture_fails_the_checks_its_bug_breaks": "180 gradings",
    "test_exercises.py::test_stub_fails_the_checks_its_bug_breaks": "24 gradings, 107 s",
    "test_exercises.py::test_public_tests_fail_on_the_stub": "24 pytest runs, 52 s",
    "test_release.py::test_pytest_in_a_fresh_venv_fails_on_the_stubs_as_expected":
        "builds a virtualenv, 40 s",
    "test_nbgrader.py::test_nbgrader_autograde_scores_like_grader_grade": "nbgrader autograde, 24 s",
    "test_nbgrader.py::test_export_carries_the_late_penalty_as_nbgrader_records_its_own": "6 s",
    "test_batch.py::test_grading_a_canvas_download_applies_the_late_policy": "19 s",
    "test_batch.py::test_shards_split_the_class_and_merge_joins_them": "14 s",
    "test_batch.py::test_resume_regrade_and_up_to_date": "10 s (test_student_id grades a batch)",
    "test_batch.py::test_a_batch_killed_with_sigkill_resumes_to_the_same_gradebook": "9 s",
    "test_slurm.py::test_a_task_killed_mid_way_is_recovered_by_running_the_command_again": "7 s",
    "test_cheating.py::test_misbehaving_at_import_scores_nothing_and_the_grader_finishes":
        "waits for timeouts, 8 s each",
    "test_cheating.py::test_a_deadlock_scores_nothing_and_says_where_it_waited": "a timeout, 8 s",
    "test_diagnosis.py::test_a_parent_joining_a_producer_blocked_on_a_full_queue":
        "8 s each; the other two diagnosis tests cover the same path",
    "test_gradescope.py::test_stubs_fail_as_under_grader_grade": "11 s; every exercise's stub",
    # a single parametrization: the fast lane keeps the other start method or attack
    "test_diagnosis.py::test_a_parent_joining_a_consumer_nobody_stops[namespaces-spawn]": "8 s",
    "test_diagnosis.py::test_a_child_that_cannot_exit_because_its_queue_was_never_drained"
    "[namespaces-spawn]": "8 s",
    "test_hostile.py::test_hostile[import_loop-best]": "waits for its timeout, 9 s",
    "test_hostile.py::test_hostile[fork_bomb-namespaces]": "7 s (thread_bomb stays)",
    "test_hostile.py::test_hostile[memory_spread-namespaces]": "7 s (memory_hog stays)",
    # nbgrader's own export at each moment: 13-35 s each under load; every other channel
    # stays in the fast lane, and test_nbgrader's export test covers the nbgrader exporter
    **{f"test_feedback.py::test_no_channel_shows_a_checks_text_before_its_time[export nbgrader-"
       f"{moment}]": "nbgrader export, 13-35 s"
       for moment in ("before the due date", "after the due date", "published")},
}
LEVELS = ("namespaces", "userns", "uid", "session")     # grader.sandbox.Isolation.level


def _key(item: pytest.Item) -> str:
    return f"{item.path.name}::{getattr(item, 'originalname', item.name)}"


def _level_split(item: pytest.Item) -> tuple[str, str] | None:
    """(the other parameters, the level) of a test parametrized by isolation level."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return None
    parts = callspec.id.split("-")
    levels = [p for p in parts if p in LEVELS]
    if len(levels) != 1:
        return None
    return "-".join(p for p in parts if p not in LEVELS), levels[0]


def mark_slow(items: list[pytest.Item]) -> None:
    first_level: dict[tuple[str, str], str] = {}
    for item in items:
        if _key(item) in SLOW or f"{item.path.name}::{item.name}" in SLOW:
            item.add_marker(pytest.mark.slow)
            continue
        split = _level_split(item)
        if split is None:
            continue
        rest, level = split
        if first_level.setdefault((_key(item), rest), level) != level:
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(tryfirst=True)        # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mark_slow(items)
