"""Hidden checks for p05_join: start all, then join all."""
from __future__ import annotations

from grader import source
from grader.evidence import (
    all_overlap,
    best_of,
    child_pids,
    difference,
    intervals,
    no_children,
    not_done,
    not_launched,
    ran_serially,
)
from grader.harness import Student, fail, worker

# Other sizes than the public tests: four tasks of different lengths.
DURATIONS = [0.25, 0.4, 0.3, 0.35]
LONGEST, TOTAL = max(DURATIONS), sum(DURATIONS)
# Half way between "all at once" and "one after another": far from both on a loaded machine.
BOUND = LONGEST + (TOTAL - LONGEST) / 2


def _run(student: Student, fresh: bool = False):
    call = student.call if fresh else student.shared_call
    run = call("run_and_wait", worker("SleepTask"), list(DURATIONS), timeout=8,
                       sample_processes=True)
    student.require(run)
    return run


def _serial_hint(student: Student, run) -> str:
    if ran_serially(intervals(run)):
        where = source.join_in_start_loop(student.source)
        return (" Each task started only after the previous one had ended: "
                + (where or "is join() inside the loop that starts them?"))
    return ""


def test_all_tasks_done(student: Student) -> None:
    run = _run(student)
    ivs = intervals(run)
    # First what returning early explains: the run ends when the call returns, so a task whose
    # child was still running then may not have recorded anything yet (how far it got depends
    # on the machine's load); judged on the children still running, the verdict is certain.
    unfinished = [i.arg for i in ivs if i.end is None or i.end > run.call_end]
    # only processes started as tasks (Process.start()); any other child left running is the
    # `reaped` check's business
    started = {e["child"] for e in run.events if e["ev"] == "started" and "child" in e}
    running = [p for p in run.children_after if p.state != "Z" and p.inner_pid in started]
    if unfinished or running:
        fail(f"run_and_wait returned while {max(len(unfinished), len(running))} of the tasks "
             f"were still running: join every process before returning")
    got = sorted(i.arg for i in ivs)
    if got != sorted(DURATIONS):
        fail(f"task(d) should run once for each of {DURATIONS}; it ran for {got}: "
             + difference(got, DURATIONS, ordered=False, noun="duration"))


def test_overlap(student: Student) -> None:
    run = _run(student)
    ivs = intervals(run)
    why = not_launched(run, ivs, DURATIONS, "task(d)")
    if why:
        fail(why + ", so whether the tasks ran at the same time cannot be judged")
    if not all_overlap(ivs):
        fail("the tasks did not all run at the same time: some task started only after "
             "another had already finished." + _serial_hint(student, run))


def test_wall_time(student: Student) -> None:
    # A slow machine (the batch's calibration: seconds to start a sandboxed run) earns a margin
    # for starting four processes, but never more than half the way to "one after another".
    bound = BOUND + min(student.startup, (TOTAL - BOUND) / 2)
    def measure(run):
        # a run in which the tasks did not all run, and end, says nothing about their time
        if not_done(run, intervals(run), DURATIONS):
            return None, False
        return run.call_time, run.call_time is not None and run.call_time <= bound

    attempts = iter([False, True, True])    # the shared run first, then fresh ones
    elapsed, run = best_of(3, lambda: _run(student, fresh=next(attempts)), measure)
    if elapsed is None:
        fail(not_done(run, intervals(run), DURATIONS, "task(d)")
             + ", so the time run_and_wait took says nothing about running the tasks together")
    if elapsed > bound:
        fail(f"{len(DURATIONS)} tasks of {', '.join(f'{d:g}' for d in DURATIONS)} s took "
             f"{elapsed:.2f} s; running together they take about {LONGEST:g} s "
             f"(the longest), one after another {TOTAL:g} s." + _serial_hint(student, run))


def test_own_processes(student: Student) -> None:
    run = _run(student)
    ivs = intervals(run)
    if not ivs and child_pids(run) and not run.children_after:
        # the children are gone (joined), yet none recorded a task: they ran something else
        fail("the child processes ended without running task(d), so where the tasks run "
             "cannot be judged: start each with Process(target=task, args=(d,))")
    pids = [i.pid for i in ivs]
    if run.probe_pid in pids:
        fail("some tasks ran in the calling process itself, not in a new Process")
    if len(set(pids)) != len(pids):
        fail(f"expected {len(DURATIONS)} different processes, one per task; {len(pids)} tasks "
             f"ran in {len(set(pids))}")
    # fewer recorded than expected: certain only when fewer children were started (a child
    # still starting when an early return ended the run has not recorded its task yet)
    if len(pids) < len(DURATIONS) and not_launched(run, ivs, DURATIONS):
        fail(f"expected {len(DURATIONS)} different processes, one per task; the tasks ran in "
             f"{len(set(pids))}")
    unseen = set(pids) - child_pids(run)
    if unseen:
        fail(f"tasks reported pids {sorted(unseen)} that no process started by your code had")


def test_reaped(student: Student) -> None:
    run = _run(student)
    why = no_children(run, len(DURATIONS))
    if why:
        fail(why + ", so there was no child to join")
    left = [f"pid {p.inner_pid} ({'zombie' if p.state == 'Z' else 'still running'})"
            for p in run.children_after]
    if left:
        fail("when run_and_wait returned, these child processes were not joined: "
             + ", ".join(left))
    if not intervals(run):
        fail("the child processes were joined, but none of them ran task(d), so no child that "
             "did the work was put to the test: start each with Process(target=task, args=(d,))")
