"""Public tests for p07_daemon. Run them with `pytest` in this folder.

The second and third tests run a small program that uses your start_daemon, in a Python of
its own, and watch from outside what is left of it once that program has ended.
"""
from functools import lru_cache

from _kit.testing import run_exercise

# The program's ordinary child (the sibling) runs 0.3 s, so a right program ends about then:
# it is given PATIENCE s after its main code is done (a daemon-less one never ends: its task
# runs 30 s), and LIMIT s in all (a start_daemon that waits for its task never returns).
SIBLING, PATIENCE, START_LIMIT, LIMIT = 0.3, 2.5, 5.0, 10.0


def inspect():
    return run_exercise(__file__, "", mode="scenario", scenario="workers_p07_daemon.inspect",
                        timeout=15)


@lru_cache(maxsize=None)
def program():
    r = run_exercise(__file__, "", None, PATIENCE, SIBLING, START_LIMIT, LIMIT, mode="scenario",
                     scenario="workers_p07_daemon.program", timeout=LIMIT + 3)
    assert r.returned, r.explain()
    return r


def test_returns_a_started_daemon():
    r = inspect()
    if r.status == "raised" and "already started" in r.message:
        raise AssertionError(
            "start_daemon raised AssertionError: process has already started. `daemon` can "
            "only be set before start(): set p.daemon = True first, then call p.start().")
    assert r.returned, r.explain()
    facts = r.value
    assert facts["is_process"], f"start_daemon should return a multiprocessing Process, not a {facts['type']}"
    assert facts["daemon"], "the process start_daemon returned is not a daemon (its daemon flag is False)"
    assert facts["alive"], "the process start_daemon returned was not running: start() it"
    starts = [e for e in r.events if e["ev"] == "start"]
    assert starts and starts[0]["pid"] == facts["pid"], "the task did not run in the process start_daemon returned"


def test_daemon_ends_with_its_program():
    r = program()
    facts = r.value
    raised = [e for e in r.events if e["ev"] == "program_raised"]
    assert facts["exited"], (
        "the program that called start_daemon did not end when its main code was done: Python "
        "waits for every child process that is not a daemon, and this one runs for 30 s."
        + (f" (start_daemon raised {raised[0]['exc_type']}: {raised[0]['message']})" if raised else ""))
    assert facts["daemon_pid"] is not None, "the task given to start_daemon never started"
    assert not facts["daemon_alive_after"], (
        f"the daemon's process (pid {facts['daemon_pid']}) was still running after the program "
        f"that started it had ended")


def test_other_children_may_finish():
    r = program()
    ends = [e for e in r.events if e["ev"] == "end" and e.get("arg") == "sibling"]
    assert ends, ("an ordinary (non-daemon) process started by the same program was stopped "
                  "before its end: only daemons end with the program")
