"""Public tests for t05_thread_lock. Run them with `pytest` in this folder.

`step` is a checker's worker: it records which thread called it and pauses, so that without a
lock another thread certainly reads x before this one writes it back.
"""
import functools

from _kit.testing import run_exercise, worker

START, THREADS = 10, 10


@functools.cache
def call():
    """One run of your code, shared by the tests below."""
    return run_exercise(__file__, "decrement", START, THREADS,
                        worker("workers_t05_thread_lock.GatedStep", threads=THREADS), timeout=15)


def run():
    r = call()
    assert r.returned, r.explain()
    return r


def test_every_decrement_counts():
    r = run()
    want = START - THREADS
    if r.value == START - 1:
        hint = (" Every thread read x = 10 before any of them wrote its result back, so all "
                "but one decrement were lost: hold one shared Lock from the read to the write.")
    else:
        hint = " Some decrements were lost: hold one shared Lock from the read to the write."
    assert r.value == want, (f"{THREADS} threads each took 1 from {START}: x should end at "
                             f"{want}, but decrement returned {r.value!r}.{hint}")


def test_one_thread_at_a_time_between_read_and_write():
    r = run()
    inside = peak = 0
    for e in r.events:
        if e["ev"] == "step":
            inside += 1
            peak = max(peak, inside)
        elif e["ev"] == "step_end":
            inside -= 1
    assert peak == 1, (f"{peak} threads were between reading x and writing it back at the "
                       f"same time: the read, step() and write must happen under the lock")


def test_threads_run_at_the_same_time():
    r = run()
    steps = [e for e in r.events if e["ev"] == "step"]
    names = {e["thread"] for e in steps}
    assert len(steps) == THREADS and len(names) == THREADS, (
        f"expected step() to be called once in each of {THREADS} threads; it was called "
        f"{len(steps)} times from {len(names)} threads")
    gate = next(e for e in r.events if e["ev"] == "gate")
    assert gate["alive"] >= THREADS, (
        f"only {gate['alive']} of the {THREADS} threads were running when the first one "
        f"reached step(): start them all first, then join them all (a lock makes them "
        f"take turns; joining each one right after starting it makes the lock pointless)")
