"""Public tests for p08_zombies. Run them with `pytest` in this folder."""
from functools import lru_cache

import pytest

from _kit import procfs
from _kit.testing import run_exercise, worker

N = 3
FAILS = 1                      # task(1) raises: its process ends with exit code 1


@lru_cache(maxsize=None)
def run():
    r = run_exercise(__file__, "run_and_reap", worker("SleepTask", seconds=0.2, fail_on=FAILS),
                     N, timeout=10)
    assert r.returned, r.explain()
    return r


def test_exit_codes():
    r = run()
    expected = [1 if i == FAILS else 0 for i in range(N)]
    if isinstance(r.value, list) and None in r.value:
        raise AssertionError(
            f"run_and_reap returned {r.value}: None means that child had not finished when its "
            f"exitcode was read. Wait for each child with join() first.")
    assert r.value == expected, (
        f"task({FAILS}) raises, so its exit code is 1 and the others' 0: expected {expected}, "
        f"got {r.value!r}")


def test_each_task_in_its_own_process():
    r = run()
    pids = {e["pid"] for e in r.events if e["ev"] == "start"}
    assert r.probe_pid not in pids, "the tasks ran in the calling process: start a Process for each"
    started = {e["child"] for e in r.events if e["ev"] == "started"}
    unwaited = {p.inner_pid for p in r.children_after}
    if len(pids) < N and pids <= started and len(started) == N and started - pids <= unwaited:
        return     # N processes were started, but run_and_reap returned without waiting and the
        #            run ended before every task could record its start: test_no_zombie_left
        #            fails that (a child that was waited for and never ran the task is not excused)
    assert len(pids) == N, f"expected {N} child processes, one per task; the tasks ran in {len(pids)}"


def test_no_zombie_left():
    if not procfs.available():
        pytest.skip("this check reads Linux's /proc to see the children; there is none here")
    r = run()
    zombies = [p.inner_pid for p in r.children_after if p.state == "Z"]
    running = [p.inner_pid for p in r.children_after if p.state != "Z"]
    assert not r.children_after, (
        "when run_and_reap returned, children had not been waited for: "
        + (f"{len(zombies)} zombies (ended, never reaped) " if zombies else "")
        + (f"{len(running)} still running (they become zombies when they end) " if running else "")
        + "— join() each child: that waits for it and reaps it.")
