"""Public tests for p06_terminate. Run them with `pytest` in this folder.

The task they pass in takes 0.25 s to act on SIGTERM (like a process that closes its files
first), so reading is_alive() or exitcode without waiting shows the process still alive.
"""
import signal
from functools import lru_cache

from _kit.testing import run_exercise, worker

SECONDS = 0.3


@lru_cache(maxsize=None)      # the tests below judge different aspects of the same run
def run(seconds=SECONDS, task_seconds=3.0):
    task = worker("workers_p06_terminate.SlowToStop", seconds=task_seconds, linger=0.25)
    r = run_exercise(__file__, "stop_after", task, seconds, timeout=10)
    assert r.returned, r.explain()
    return r


def test_returns_not_alive_and_sigterm():
    r = run()
    got = tuple(r.value) if isinstance(r.value, (list, tuple)) else r.value
    expected = (False, -signal.SIGTERM)
    if got == (True, None):
        raise AssertionError(
            "stop_after returned (True, None): right after terminate() the process was still "
            "alive and had no exit code yet. terminate() only sends SIGTERM and returns at "
            "once; call join() after it, then read is_alive() and exitcode.")
    assert got == expected, f"stop_after should return {expected}, it returned {r.value!r}"


def test_task_is_stopped_before_its_end():
    r = run()
    kinds = [e["ev"] for e in r.events]
    assert "start" in kinds, "the task never started: start a Process with target=task"
    assert "end" not in kinds, (
        "the task ran to its end: terminate it after `seconds` (and do not join() before "
        "terminate(), that waits for the whole task)")


def test_stops_after_the_given_seconds():
    r = run()
    # when the task saw SIGTERM, or (if the run ended before it could say so) when
    # terminate() was called
    term = [e["t"] for e in r.events if e["ev"] == "term"] or \
        [e["t"] for e in r.events if e["ev"] == "terminated"]
    assert term, "the task was never sent SIGTERM: use terminate()"
    waited = term[0] - r.call_start
    assert waited >= SECONDS - 0.02, (
        f"the task was stopped {waited:.2f} s after the call began, before the {SECONDS} s it "
        f"was allowed to run: sleep `seconds` between start() and terminate()")
