"""Hidden checks for t05_thread_lock: a Lock protects read-step-write.

Every run passes a `GatedStep` (see _kit/workers_t05_thread_lock.py) as `step`: the first
caller waits until all the threads are running, and every call pauses between the read and
the write, so an unprotected update is lost every time, not now and then. The runs go through
the `switching` scenario, which makes the thread switch interval tiny.
"""
from __future__ import annotations

from grader import races, source
from grader.evidence import intervals, peak_concurrency
from grader.harness import Student, fail, worker

# Other sizes than the public tests (10 threads from 10).
CASES = [(100, 7), (53, 13)]


def _run(student: Student, start: int, threads: int):
    run = student.shared_call("", "decrement", start, threads,
                              worker("workers_t05_thread_lock.GatedStep", threads=threads),
                              timeout=15, scenario="workers_t05_thread_lock.switching")
    student.require(run)
    return run


def _runs(student: Student):
    return [(start, threads, _run(student, start, threads)) for start, threads in CASES]


def _steps(run) -> list[dict]:
    return [e for e in run.events if e["ev"] == "step" and e["t"] <= run.call_end]


def _lost_where(student: Student, run) -> str:
    """' They overwrote each other between the read on line 21 (...) and the write on ...'"""
    window = races.find(student.source, races.global_read, races.global_write,
                        near=races.step_line(run))
    return f" The updates overwrote each other {window.between()}." if window else ""


def _premise(run, threads: int, what: str) -> list[dict]:
    """Fail closed: the steps of the run, if every thread reached step(); else why not."""
    steps = _steps(run)
    if not steps:
        fail(f"step() was never called: no thread read x and wrote it back, so {what}")
    return steps


def _why_wrong(value: object, start: int, threads: int) -> str:
    """What differs between `value` and start - threads, computed, not guessed."""
    want = start - threads
    if isinstance(value, bool) or not isinstance(value, int):
        return (f"it should be the int x, but it is {type(value).__name__} {value!r:.80}"
                + (" (did decrement() return x?)" if value is None else ""))
    if value == start - 1 and threads > 1:
        return (f"every thread read x = {start} before any of them wrote its result back, "
                f"so {threads - 1} of the {threads} decrements were lost")
    if want < value < start:
        return f"{value - want} of the {threads} decrements were lost"
    if value == start:
        return f"x was never decremented: all {threads} decrements are missing"
    if value < want:
        return f"x was decremented {start - value} times, {want - value} more than the {threads} threads"
    return f"x ended {value - start} above where it started"


def test_result(student: Student) -> None:
    for start, threads, run in _runs(student):
        want = start - threads
        _premise(run, threads, f"decrement({start}, {threads}, step) returning {run.value!r:.80} "
                               f"was not the threads' work")
        if run.value == want and not isinstance(run.value, bool):
            continue
        fail(f"decrement({start}, {threads}, step) returned {run.value!r:.80}; {threads} "
             f"threads each taking 1 from {start} leave {want}: "
             f"{_why_wrong(run.value, start, threads)}.{_lost_where(student, run)} "
             f"Hold one Lock, shared by all the threads, from reading x to writing it back.")


def test_exclusive(student: Student) -> None:
    for _start, threads, run in _runs(student):
        _premise(run, threads, "there was no read-step-write for a lock to protect")
        peak = peak_concurrency(intervals(run, "step", "step_end"))
        if peak > 1:
            fail(f"with {threads} threads, up to {peak} of them were between reading x and "
                 f"writing it back at the same time.{_lost_where(student, run)} "
                 f"The read, step() and the write must all "
                 f"happen while holding the same Lock (a Lock made inside each thread, or held "
                 f"only around the write, protects nothing).")


def test_own_threads(student: Student) -> None:
    for start, threads, run in _runs(student):
        steps = _steps(run)
        names = {e["thread"] for e in steps}
        callers = {e["tid"] for e in run.events if e["ev"] == "caller"}
        if not callers or any(e["tid"] in callers for e in steps):
            fail("some decrements ran in the calling thread itself, not in a new Thread: "
                 "each thread reads x, calls step() and writes x - 1")
        if len(steps) != threads or len(names) != threads:
            fail(f"decrement({start}, {threads}, step) should start {threads} threads that "
                 f"each read x, call step() once and write x - 1 before it returns; step() was "
                 f"called {len(steps)} times from {len(names)} different threads")


def test_contend(student: Student) -> None:
    for _start, threads, run in _runs(student):
        gates = [e for e in run.events if e["ev"] == "gate"]
        if not gates:
            fail("step() was never called, so no thread read and wrote x")
        alive = gates[0]["alive"]
        if alive < threads:
            fail(f"only {alive} of the {threads} threads were running when the first one "
                 f"reached step(): the threads must run at the same time and take turns at "
                 f"the lock. Start them all first, then join them all; starting and joining "
                 f"them one by one makes them run one after another, lock or no lock."
                 + source.where_joined_in_start_loop(student.source))
