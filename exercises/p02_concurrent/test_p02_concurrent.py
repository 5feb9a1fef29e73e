"""Public tests for p02_concurrent. Run them with `pytest` in this folder."""
from functools import lru_cache

import pytest

from _kit.testing import run_exercise, together, worker

DURATIONS = [0.2, 0.3, 0.25]           # long enough to overlap on a busy machine
SPAWN_DURATIONS = [0.05, 0.1, 0.075]   # the spawn run only checks that every task ran


@lru_cache(maxsize=None)      # the tests below judge different aspects of the same run
def run(start_method=None):
    durations = SPAWN_DURATIONS if start_method == "spawn" else DURATIONS
    r = run_exercise(__file__, "run_all", worker("SleepTask"), durations, timeout=10,
                     start_method=start_method)
    assert r.returned, r.explain()
    return r


@pytest.fixture(scope="module", autouse=True)
def _runs_at_once():
    """The two runs mostly wait for the tasks' sleeps: make them at the same time."""
    together(run, lambda: run(start_method="spawn"))


def spans(r):
    starts = [e for e in r.events if e["ev"] == "start"]
    ends = [e for e in r.events if e["ev"] == "end"]
    return starts, ends


def test_every_task_runs_once_and_is_done_on_return():
    r = run()
    starts, ends = spans(r)
    assert sorted(e["arg"] for e in starts) == sorted(DURATIONS), (
        f"task(d) should run once for each d in {DURATIONS}; it ran for "
        f"{sorted(e['arg'] for e in starts)}")
    assert len(ends) == len(DURATIONS) and max(e["t"] for e in ends) <= r.call_end, (
        "run_all returned before every task had finished: join() every process before returning")


def test_each_task_runs_in_its_own_process():
    r = run()
    starts, _ = spans(r)
    pids = [e["pid"] for e in starts]
    assert r.probe_pid not in pids, (
        "the tasks ran in the calling process itself: calling task(d) directly runs it here; "
        "create a Process(target=task, args=(d,)) and start() it")
    assert len(set(pids)) == len(DURATIONS), (
        f"expected {len(DURATIONS)} different processes, one per task; saw {len(set(pids))}")


def test_tasks_run_at_the_same_time():
    r = run()
    starts, ends = spans(r)
    assert starts and ends and max(e["t"] for e in starts) < min(e["t"] for e in ends), (
        f"the tasks ran one after another: {r.call_time:.2f} s instead of about "
        f"{max(DURATIONS):.2f} s (the longest). Start every process first, then join them all.")


def test_works_with_spawn():
    # macOS and Windows start processes with "spawn": the target must be picklable
    # (a function defined at the top of a module, not a lambda).
    r = run(start_method="spawn")
    starts, _ = spans(r)
    assert sorted(e["arg"] for e in starts) == sorted(SPAWN_DURATIONS), (
        "with the spawn start method (macOS, Windows) the tasks did not all run")
