"""Public tests for t06_deadlock. Run them with `pytest` in this folder.

`step` is a checker's worker: it records which thread is inside a critical section and pauses
there, so two locks taken in opposite orders deadlock every time, not once in a while. The
locks your module creates are traced (`trace_locks=True`): a deadlock is caught within a
second and reported as who holds which lock, taken where, and waits for which.
"""
import functools
import re

from _kit.testing import run_exercise, worker

N, ROUNDS = 3, 5


def explain(r):
    if r.status != "deadlock":
        return r.explain()
    lines = "\n".join(f"  {part}" for part in r.deadlock["text"].split("; "))
    return (f"the workers deadlocked:\n{lines}\nEach waits for a lock another one holds, so "
            f"none can ever go on. Read the notes §2.7: what do they write instead of two "
            f"separate Lock()s?")


@functools.cache
def call():
    """One run of your code, shared by the tests below."""
    return run_exercise(__file__, "run_workers", N, ROUNDS,
                        worker("workers_t06_deadlock.GatedStep", threads=N, pause=0.005),
                        timeout=15, trace_locks=True)


def run():
    r = call()
    assert r.returned, explain(r)
    return r


def test_workers_never_deadlock():
    run()


def test_every_worker_runs_f1_and_f2_every_round():
    r = run()
    log = r.value
    assert isinstance(log, list) and len(log) == N * ROUNDS * 4, (
        f"expected {N} workers x {ROUNDS} rounds x 4 lines = {N * ROUNDS * 4} lines, got "
        f"{len(log) if isinstance(log, list) else repr(log)}")
    for name in sorted({m.group(1) for m in map(re.compile(r"(.+) got [AB]$").match, log) if m}):
        mine = [line.rsplit(" ", 1)[1] for line in log if line.startswith(name + " got ")]
        calls = [sorted(mine[i:i + 2]) for i in range(0, len(mine), 2)]
        assert len(mine) == ROUNDS * 4 and all(c == ["A", "B"] for c in calls), (
            f"{name} logged {' '.join(mine)}; each round f1 and f2 each log both locks, in the "
            f"order they take them (A B then B A; or A B twice if you take them in one order)")


def test_one_worker_inside_at_a_time():
    r = run()
    inside = None              # the worker between its step() and the end of that step()
    for e in r.events:
        if e["ev"] == "step":
            assert inside in (None, e["thread"]), (
                f"{e['thread']} called step() while {inside} was still inside its own: two "
                f"workers were inside f1 or f2 at once")
            inside = e["thread"]
        elif e["ev"] == "step_end":
            inside = None
    steps = [e for e in r.events if e["ev"] == "step"]
    if len(steps) != N * ROUNDS * 4:       # step() not called after every lock: no pairs
        return
    for first, second in zip(steps[::2], steps[1::2]):
        assert first["thread"] == second["thread"], (
            f"{second['thread']} got a lock while {first['thread']} was still inside f1 or "
            f"f2: a worker must hold the lock from its first acquire to its last release")
