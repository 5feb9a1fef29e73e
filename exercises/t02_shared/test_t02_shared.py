"""Public tests for t02_shared. Run them with `pytest` in this folder."""
from functools import lru_cache

from _kit.testing import run_exercise, worker

ITEMS = [1, 2, 3]


@lru_cache(maxsize=None)      # the first two tests judge different aspects of the same run
def run(function):
    r = run_exercise(__file__, function, worker("workers_t02_shared.Work", salt="s"), ITEMS,
                     timeout=8)
    assert r.returned, r.explain()
    caller = next(e for e in r.events if e["ev"] == "caller")
    starts = [e for e in r.events if e["ev"] == "start"]
    return r, caller, starts


def test_every_result_reaches_the_list():
    r, caller, starts = run("collect_with_threads")
    assert sorted(r.value) == sorted(f"{i}-s" for i in ITEMS), (
        f"collect_with_threads returned {r.value!r}: the list should hold work(item) for "
        f"every item. Did each worker append to a copy of the list in another process?")


def test_work_runs_in_threads_of_this_process():
    r, caller, starts = run("collect_with_threads")
    assert starts and all(e["pid"] == caller["pid"] for e in starts), (
        "work(item) ran in other processes: threads run inside this process and share its "
        "memory; use threading.Thread")
    assert all(e["tid"] != caller["tid"] for e in starts), (
        "work(item) ran in the calling thread: start one Thread per item")


def test_processes_keep_their_own_copy():
    r, caller, starts = run("collect_with_processes")
    assert len(starts) == len(ITEMS) and all(e["pid"] != caller["pid"] for e in starts), (
        "collect_with_processes should still run each work(item) in a child process")
    assert r.value == [], (
        f"collect_with_processes returned {r.value!r}: the contrast should show that the "
        f"children's appends never reach the parent's list")
