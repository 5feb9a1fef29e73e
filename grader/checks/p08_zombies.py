"""Hidden checks for p08_zombies: wait for (reap) every child; exit codes.

A zombie is a child that has ended but that nobody has waited for. The probe holds still
after the student's function returns, so `run.children_after` — read from outside, through
/proc, before anything reaps — shows every child left behind, zombie (state Z) or running.
"""
from __future__ import annotations

import pytest

from _kit import procfs
from grader.evidence import child_pids, difference, intervals, no_children, not_launched
from grader.harness import Student, fail, worker

# Other sizes and codes than the public tests (3 children, task(1) fails).
N, FAILS = 5, 3                       # under fork: SleepTask, task(3) raises -> exit code 1
CODES = [4, 0, 2, 0]                  # under spawn: task(i) exits with CODES[i]


def _fork_run(student: Student):
    run = student.shared_call("run_and_reap", worker("SleepTask", seconds=0.15, fail_on=FAILS),
                              N, timeout=10, start_method="fork", sample_processes=True)
    student.require(run)
    return run


def _spawn_run(student: Student):
    run = student.shared_call("run_and_reap", worker("workers_p08_zombies.ExitTask",
                                                     codes=CODES, seconds=0.1),
                              len(CODES), timeout=20, start_method="spawn", sample_processes=True)
    student.require(run)
    return run


def _judge_codes(run, expected: list[int], what: str) -> None:
    value = run.value
    why = no_children(run, len(expected))
    if why:
        fail(f"{why}, so the exit codes {value!r} are no child's: an exit code is what a "
             f"process that has ended leaves for its parent to read (p.exitcode after join())")
    if isinstance(value, list) and None in value:
        fail(f"run_and_reap returned {value}: None is the exit code of a process that has not "
             f"finished yet. join() each child before reading its exitcode.")
    if value != expected:
        diff = difference(value, expected, noun="exit code")
        fail(f"{what}, the exit codes in the order of i should be {expected}; run_and_reap "
             f"returned {value!r}" + (f": {diff}" if diff else ""))


def test_exit_codes(student: Student) -> None:
    _judge_codes(_fork_run(student), [1 if i == FAILS else 0 for i in range(N)],
                 f"with {N} children of which task({FAILS}) raises an exception")


def test_exit_statuses(student: Student) -> None:
    _judge_codes(_spawn_run(student), CODES,
                 f"under spawn, with children that exit with the statuses {CODES}")


def test_own_processes(student: Student) -> None:
    # Judged on the tasks that ran (a submission that returns too early is judged by
    # exit_codes and no_zombies): each in a child process of its own, never in the caller.
    run = _fork_run(student)
    ivs = intervals(run)
    why = not_launched(run, ivs, list(range(N)), "task(i)")
    if why:
        fail(why + ", so where the tasks run cannot be judged")
    if not ivs and child_pids(run) and not run.children_after:
        # children were started and are all gone (waited for), yet none recorded a task:
        # they ran something else (a child cut off early is still there, and judged as before)
        fail("the child processes ended without running task(i), so where the tasks run "
             "cannot be judged: start each with Process(target=task, args=(i,))")
    args = [i.arg for i in ivs]
    twice = sorted({a for a in args if args.count(a) > 1})
    if twice:
        fail(f"task(i) should run once for each i; it ran more than once for {twice}")
    pids = [i.pid for i in ivs]
    if run.probe_pid in pids:
        fail("some tasks ran in the calling process itself: start a Process for each")
    if len(set(pids)) != len(pids):
        fail(f"expected one child process per task; {len(pids)} tasks ran in {len(set(pids))} "
             f"processes")
    unseen = set(pids) - child_pids(run)
    if unseen:
        fail(f"tasks reported pids {sorted(unseen)} that no process started by your code had")


def test_no_zombies(student: Student) -> None:
    if not procfs.available():
        pytest.skip("no /proc on this platform: zombies cannot be seen from outside")
    left = []
    for run, n, how in ((_fork_run(student), N, ""),
                        (_spawn_run(student), len(CODES), " under spawn")):
        why = no_children(run, n)
        if why:
            fail(f"{why}{how}, so there was no child to wait for")
        left += [f"pid {p.inner_pid} ({'a zombie: ended, never waited for' if p.state == 'Z' else 'still running'})"
                 for p in run.children_after]
    if left:
        fail("when run_and_reap returned, these children had not been waited for: "
             + ", ".join(left) + ". A child that ends stays a zombie until its parent waits "
             "for it: join() every child.")
    if not intervals(_fork_run(student)):
        fail("the children were waited for, but none of them ran task(i), so no child that "
             "did the work was put to the test: start each with Process(target=task, args=(i,))")
