"""Public tests for p05_join. Run them with `pytest` in this folder."""
from functools import lru_cache

from _kit.testing import run_exercise, worker

DURATIONS = [0.25, 0.25, 0.25]


@lru_cache(maxsize=None)      # the tests below judge different aspects of the same run
def run():
    r = run_exercise(__file__, "run_and_wait", worker("SleepTask"), DURATIONS, timeout=8)
    assert r.returned, r.explain()
    return r


def spans(r):
    starts = sorted(e["t"] for e in r.events if e["ev"] == "start")
    ends = sorted(e["t"] for e in r.events if e["ev"] == "end")
    return starts, ends


def test_every_task_runs_once():
    starts, ends = spans(run())
    assert len(starts) == len(ends) == 3, f"expected 3 tasks to start and end, saw {len(starts)} start and {len(ends)} end"


def test_tasks_run_at_the_same_time():
    r = run()
    starts, ends = spans(r)
    assert max(starts) < min(ends), (
        f"the three tasks ran one after another: {r.call_time:.2f} s instead of about "
        f"{max(DURATIONS):.2f} s — are you joining inside the loop? Start every process "
        f"first, then join them all.")


def test_waits_for_all_tasks():
    r = run()
    starts, ends = spans(r)
    assert ends and max(ends) <= r.call_end, "run_and_wait returned before every task had finished: join them all"
