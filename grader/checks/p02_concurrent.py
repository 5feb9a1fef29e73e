"""Hidden checks for p02_concurrent: one process per task, all running at the same time."""
from __future__ import annotations

from grader import source
from grader.evidence import (
    all_overlap,
    best_of,
    child_pids,
    difference,
    intervals,
    not_done,
    not_launched,
    ran_serially,
)
from grader.harness import Student, fail, worker

# Other sizes than the public tests: five tasks, the last one the shortest (so that joining
# only the loop's last process returns while the others still run).
DURATIONS = [0.4, 0.6, 0.35, 0.5, 0.3]
LONGEST, TOTAL = max(DURATIONS), sum(DURATIONS)
# Half way between "all at once" (0.6 s) and "one after another" (2.15 s).
BOUND = LONGEST + (TOTAL - LONGEST) / 2
# Under spawn every child boots its own interpreter: long tasks, so that a slow boot on a
# loaded machine does not make them miss each other.
SPAWN_DURATIONS = [0.9, 0.7, 0.8]


def _children(run) -> set[int]:
    """Child pids by every witness: the fork hook, the process tree sampled from outside, and
    Process.start() watched from the parent's side (a short spawn child may escape sampling)."""
    return child_pids(run) | {e["child"] for e in run.events if e["ev"] == "started"}


def _run(student: Student, fresh: bool = False):
    call = student.call if fresh else student.shared_call
    run = call("run_all", worker("SleepTask"), list(DURATIONS), timeout=10,
               sample_processes=True, start_method="fork")
    student.require(run)
    return run


def _recorded(run, durations):
    ivs = intervals(run)
    if not ivs:
        fail(f"task(d) never ran for any of {durations}")
    return ivs


def _serial_hint(student: Student, ivs, run) -> str:
    if not ran_serially(ivs):
        return ""
    if all(i.pid == run.probe_pid for i in ivs):
        return (" They ran one after another in the calling process: calling task(d) runs it "
                "right here; start a Process(target=task, args=(d,)) for each instead.")
    return (" Each task started only after the previous one had ended: "
            + (source.join_in_start_loop(student.source)
               or "start every process first, and join them only after the loop that starts "
                  "them."))


def _in_children(run, ivs, how: str = "") -> None:
    pids = [i.pid for i in ivs]
    if run.probe_pid in pids:
        fail("the tasks ran in the calling process itself" + how + ", not in new processes: "
             "calling task(d) (or a Thread) runs it here; start a Process(target=task, "
             "args=(d,)) for each")
    if len(set(pids)) != len(pids):
        fail(f"{len(pids)} tasks ran in only {len(set(pids))} processes{how}: "
             f"each task needs a process of its own")
    unseen = set(pids) - _children(run)
    if unseen:
        fail(f"tasks reported pids {sorted(unseen)} that no process started by your code had")


def test_all_done(student: Student) -> None:
    run = _run(student)
    ivs = _recorded(run, DURATIONS)
    # First what returning early explains (a child still running when the call returned may
    # not have recorded its task yet: judged on the children still running, it is certain).
    unfinished = [i.arg for i in ivs if i.end is None or i.end > run.call_end]
    running = [p for p in run.children_after if p.state != "Z"]
    if unfinished or running:
        fail(f"run_all returned while {max(len(unfinished), len(running))} of the tasks were "
             f"still running: join every process (not only the last one the loop variable "
             f"points to) before returning")
    got = sorted(i.arg for i in ivs)
    if got != sorted(DURATIONS):
        fail(f"task(d) should run exactly once for each d in {DURATIONS}; it ran for {got}: "
             + difference(got, DURATIONS, ordered=False, noun="duration"))


def test_together(student: Student) -> None:
    run = _run(student)
    ivs = _recorded(run, DURATIONS)
    why = not_launched(run, ivs, DURATIONS, "task(d)")
    if why:
        fail(why + ", so whether the tasks ran at the same time cannot be judged")
    if not all_overlap(ivs):
        fail("the tasks did not all run at the same time: some task started only after "
             "another had already finished." + _serial_hint(student, ivs, run))


def test_wall_time(student: Student) -> None:
    def measure(run):
        # a run in which the tasks did not all run, and end, says nothing about their time
        if not_done(run, intervals(run), DURATIONS):
            return None, False
        return run.call_time, run.call_time is not None and run.call_time <= BOUND

    attempts = iter([False, True, True])    # the shared run first, then fresh ones
    elapsed, run = best_of(3, lambda: _run(student, fresh=next(attempts)), measure)
    if elapsed is None:
        fail(not_done(run, intervals(run), DURATIONS, "task(d)")
             + ", so the time run_all took says nothing about running the tasks together")
    if elapsed > BOUND:
        fail(f"{len(DURATIONS)} tasks of {', '.join(f'{d:g}' for d in DURATIONS)} s took "
             f"{elapsed:.2f} s; running together they take about {LONGEST:g} s (the "
             f"longest), one after another {TOTAL:g} s." + _serial_hint(student, intervals(run), run))


def test_own_processes(student: Student) -> None:
    run = _run(student)
    _in_children(run, _recorded(run, DURATIONS))


def test_spawn(student: Student) -> None:
    run = student.call("", worker("SleepTask"), list(SPAWN_DURATIONS), timeout=15,
                       sample_processes=True, start_method="spawn",
                       scenario="workers_p02_concurrent.settle")
    if not run.returned:
        fail("with the spawn start method (the default on macOS and Windows) " + run.explain()
             + "\nUnder spawn the target is pickled: it must be a function defined at the top "
               "of a module, not a lambda or a nested function.")
    ivs = _recorded(run, SPAWN_DURATIONS)
    got = sorted(i.arg for i in ivs)
    if got != sorted(SPAWN_DURATIONS):
        fail(f"with the spawn start method, task(d) should run once for each d in "
             f"{SPAWN_DURATIONS}; it ran for {got}")
    _in_children(run, ivs, " with the spawn start method")
    if not all_overlap(ivs):
        fail("with the spawn start method the tasks did not all run at the same time."
             + _serial_hint(student, ivs, run))
