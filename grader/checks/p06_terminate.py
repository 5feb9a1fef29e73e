"""Hidden checks for p06_terminate: terminate() is asynchronous; join() after it.

The task is `SlowToStop`: it takes `LINGER` seconds to act on SIGTERM, with SIGTERM held from
before the process was forked, so a submission that reads is_alive()/exitcode without join()
sees the process alive every time (not just usually), and its child is still there, running
or unreaped, when the function returns.
"""
from __future__ import annotations

import signal

from grader.evidence import best_of, no_children
from grader.harness import Student, fail, worker

SIGTERM = int(signal.SIGTERM)
LINGER = 0.3
# Other values than the public tests (0.3 s and 0.5 s, a 3 s task).
SECONDS = 0.45           # how long stop_after lets the task run
TASK = 4.0               # how long the task would run if nobody stopped it
SPAWN_SECONDS = 0.6      # under spawn the child needs longer to start
# Returning takes SECONDS + LINGER (+ starting and reaping a process); a submission that waits
# for the whole task takes TASK. The bound sits far from both.
BOUND = SECONDS + LINGER + (TASK - SECONDS - LINGER) / 2


def _task(seconds: float = TASK) -> dict:
    return worker("workers_p06_terminate.SlowToStop", seconds=seconds, linger=LINGER)


def _run(student: Student, fresh: bool = False):
    call = student.call if fresh else student.shared_call
    run = call("", _task(), SECONDS, timeout=10, start_method="fork",
               scenario="workers_p06_terminate.stop")
    student.require(run)
    return run


def _not_started(run) -> str:
    """Why no child process was started for the task, or "". (A child process, recorded as
    start() returns, not the task's own first event: under load a child may be stopped
    before it has recorded anything, and the verdict must not depend on that.)"""
    if any(e["ev"] == "start" and e["pid"] == run.probe_pid for e in run.events):
        return "the task ran in the calling process itself, not in a child process"
    why = no_children(run, 1)
    if not why and not any(e["ev"] == "task_process" and e.get("runs_task") for e in run.events):
        why = "no process was started to run the task given to stop_after"
    return why


def _stopped_hint(run) -> str:
    if any(e["ev"] == "end" for e in run.events):
        return (" The task ran to its end: was join() called before terminate()? join() "
                "without a timeout waits for the whole task.")
    return ""


def test_result(student: Student) -> None:
    run = _run(student)
    value = run.value
    got = tuple(value) if isinstance(value, (list, tuple)) else value
    expected = (False, -SIGTERM)
    why = _not_started(run)
    if why:
        fail(f"{why}, so stop_after's answer {value!r} was not read from a stopped process")
    if got == expected:
        if not any(e["ev"] == "term" for e in run.events):
            fail(f"stop_after returned {value!r}, but the task never received SIGTERM: that "
                 f"answer was not read from the process. terminate() it, join() it, then "
                 f"return p.is_alive() and p.exitcode.")
        return
    if isinstance(got, tuple) and len(got) == 2 and got[0] is True and got[1] is None:
        fail("stop_after returned (True, None): right after terminate() the process was still "
             "alive and had no exit code. terminate() only sends SIGTERM and returns at once; "
             "the process stops a moment later. Call join() after terminate(), then read "
             "is_alive() and exitcode.")
    if isinstance(got, tuple) and len(got) == 2 and got[1] == -int(signal.SIGKILL):
        fail(f"stop_after returned {value!r}: exit code -9 means the process was killed with "
             f"SIGKILL (kill()). Stop it with terminate(), which sends SIGTERM: the exit code "
             f"is then {-SIGTERM}.")
    if isinstance(got, tuple) and len(got) == 2 and got[1] == 0:
        fail(f"stop_after returned {value!r}: exit code 0 means the task finished normally "
             f"instead of being stopped." + _stopped_hint(run))
    fail(f"stop_after should return (is_alive, exitcode) after the process has stopped, that "
         f"is {expected}; it returned {value!r}")


def test_task_stopped(student: Student) -> None:
    # Under spawn: the process is a fresh interpreter, and the task must still be stopped.
    run = student.call("", _task(3.0), SPAWN_SECONDS, timeout=10, start_method="spawn",
                       scenario="workers_p06_terminate.stop")
    student.require(run)
    # The premise is a child started for the task (a task stopped before its first line was
    # still stopped before its end); a task run in the caller cannot be stopped at all.
    why = _not_started(run)
    if why:
        fail(f"with the spawn start method {why}, so there was nothing to stop")
    kinds = [e["ev"] for e in run.events]
    if "end" in kinds:
        fail(f"the task ran to its end (3 s) although stop_after was to stop it after "
             f"{SPAWN_SECONDS:g} s." + _stopped_hint(run))
    if run.call_time is not None and run.call_time < SPAWN_SECONDS - 0.02:
        fail(f"stop_after returned after {run.call_time:.2f} s, before the {SPAWN_SECONDS:g} s "
             f"the task was to run: sleep `seconds` between start() and terminate()")


def test_timing(student: Student) -> None:
    run = _run(student)
    why = _not_started(run)
    if why:
        fail(f"{why}, so how long it ran before it was stopped cannot be judged")
    term = [e["t"] for e in run.events if e["ev"] == "term"]
    started = run.call_start
    # The lower bound is exact evidence: "term" is recorded once SIGTERM has reached the task,
    # never before it was sent, so it is not before the student's code sent it.
    ran_for = (term[0] if term else run.call_end) - started
    if ran_for < SECONDS - 0.02:
        fail(f"the task was stopped {ran_for:.2f} s after stop_after began, before the "
             f"{SECONDS:g} s it was to run: start the process, sleep `seconds`, then "
             f"terminate() it")

    def measure(r):
        return r.call_time, r.call_time is not None and r.call_time <= BOUND

    attempts = iter([False, True, True])      # the shared run first, then fresh ones
    elapsed, slow = best_of(3, lambda: _run(student, fresh=next(attempts)), measure)
    if elapsed > BOUND:
        fail(f"stop_after({SECONDS:g} s) took {elapsed:.2f} s for a task that needs "
             f"{LINGER:g} s to stop: it should return about {SECONDS + LINGER:.2f} s after it "
             f"began, not after the whole {TASK:g} s task." + _stopped_hint(slow))


def test_reaped(student: Student) -> None:
    run = _run(student)
    why = _not_started(run)
    if why:
        fail(why + ", so there was no process to terminate and wait for")
    left = [f"pid {p.inner_pid} ({'a zombie: dead but not waited for' if p.state == 'Z' else 'still running'})"
            for p in run.children_after]
    if left:
        fail("when stop_after returned, the process it terminated was not gone: "
             + ", ".join(left) + ". terminate() does not wait; join() after it waits for the "
             "process to stop and reaps it.")
