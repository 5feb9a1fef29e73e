"""Hidden checks for p01_create: Process(target=..., args=(name,)) and a Process subclass.

start_workers returns Process objects, which cannot leave the sandbox as data: the scenarios in
_kit/workers_p01_create.py call the student's code, join what it started and report plain facts;
which process ran which task comes from the checker's NameTask events."""
from __future__ import annotations

from dataclasses import replace

from grader.evidence import child_pids, difference
from grader.harness import Student, fail, worker

NAMES = ["Guo Ji", "Li Ye", "Sea Dogs", "Alex", "Chang Xin"]
SOLO = "Guo Suhui"
SPAWN_NAMES = ["Zhang San", "Li Si"]
TASK = worker("workers_p01_create.NameTask")


def _children(run) -> set[int]:
    """Child pids by every witness: the fork hook, the process tree sampled from outside, and
    Process.start() watched from the parent's side (a short spawn child may escape sampling)."""
    return child_pids(run) | {e["child"] for e in run.events if e["ev"] == "started"}


def _function_run(student: Student):
    run = student.shared_call("", TASK, list(NAMES), timeout=10, sample_processes=True,
                              start_method="fork", scenario="workers_p01_create.start_and_join")
    return run, student.require(run)


def _subclass_run(student: Student):
    run = student.shared_call("", TASK, SOLO, timeout=10, sample_processes=True,
                              start_method="fork", scenario="workers_p01_create.named_worker")
    return run, student.require(run)


def _starts(run) -> list[dict]:
    return [e for e in run.events if e["ev"] == "start"]


def _names_once(run, names: list[str], how: str = "") -> None:
    got = [e["arg"] for e in _starts(run)]
    split = [a for a in got if isinstance(a, list)]
    if split:
        fail(f"task received {len(split[0])} arguments{how}, {split[0][:6]}..., instead of "
             f"one name: args=(name) is only name in brackets, and a string is unpacked "
             f"letter by letter. A one-element tuple needs a comma: args=(name,)")
    if sorted(map(str, got)) != sorted(names):
        fail(f"task(name) should run exactly once for each of {names}{how}; it ran for {got}"
             + (f": {difference(got, names, ordered=False, noun='name')}" if got else ""))


def _in_children(run, how: str = "") -> None:
    starts = _starts(run)
    if not starts:
        fail(f"task never ran{how}")
    if any(e["pid"] == run.probe_pid for e in starts):
        fail(f"task ran in the calling process{how}, not in a child: Process(target=task, "
             f"args=(name,)) and start() make a new process run it; calling task(name) or "
             f"p.run() yourself runs it here")
    unseen = {e["pid"] for e in starts} - _children(run)
    if unseen:
        fail(f"tasks reported pids {sorted(unseen)} that no process started by your code had")


def _subclass_ran(run, report: dict, how: str = "") -> None:
    if not report.get("is_process"):
        fail(f"NamedWorker should be a subclass of Process; it is a {report.get('type')}")
    starts = _starts(run)
    if not starts:
        fail(f"NamedWorker(name, task).start() never called task{how}: start() creates the "
             f"child and the child calls the method named run() -- is yours called run? "
             f"(exit code {report.get('exitcode')})")
    if len(starts) != 1:
        fail(f"NamedWorker(name, task).start() called task {len(starts)} times{how}; once is right")
    if starts[0]["pid"] == run.probe_pid or starts[0]["pid"] != report.get("pid"):
        fail(f"NamedWorker's task ran in pid {starts[0]['pid']}{how}, not in the worker's own "
             f"child process (pid {report.get('pid')}): let start() call run()")


def test_names_once(student: Student) -> None:
    run, _ = _function_run(student)
    _names_once(run, NAMES)


def test_in_children(student: Student) -> None:
    run, _ = _function_run(student)
    _in_children(run)


def test_returns_processes(student: Student) -> None:
    run, report = _function_run(student)
    items = report.get("items") if isinstance(report, dict) else None
    if items is None:
        fail(f"start_workers should return a list of the Process objects it started; it "
             f"returned a {report.get('type') if isinstance(report, dict) else '?'}")
    if len(items) != len(NAMES):
        fail(f"start_workers({NAMES}) returned {len(items)} objects; one Process per name")
    bad = [i for i in items if not i.get("is_process")]
    if bad:
        fail(f"start_workers returned a {bad[0].get('type')}, not a Process")
    unstarted = [i for i in items if not i.get("started")]
    if unstarted:
        fail(f"{len(unstarted)} of the returned processes were never started: call start() "
             f"(run() only calls the target in the current process)")
    ran = {e["pid"] for e in _starts(run)}
    if not ran & {i.get("pid") for i in items}:
        fail("none of the processes start_workers returned ran task(name), so they are not "
             "the workers it was to start: Process(target=task, args=(name,))")


def test_named_worker_runs(student: Student) -> None:
    run, report = _subclass_run(student)
    _subclass_ran(run, report)


def test_name_kept(student: Student) -> None:
    run, report = _subclass_run(student)
    for key in ("name_before", "name"):
        if report.get(key) != SOLO:
            fail(f"NamedWorker({SOLO!r}, task).name is {report.get(key)!r}: set self.name "
                 f"after calling super().__init__(), which gives every process a default "
                 f"name, or pass it on: super().__init__(name=name)")
    got = [e["arg"] for e in _starts(run)]
    if got and got != [SOLO]:
        fail(f"the worker's task received {got[0]!r}, not its name {SOLO!r}: run() should "
             f"call task(self.name)")


def test_spawn(student: Student) -> None:
    how = " with the spawn start method"
    run = student.call("", TASK, list(SPAWN_NAMES), SOLO, timeout=15, sample_processes=True,
                       start_method="spawn", scenario="workers_p01_create.both")
    if not run.returned:
        fail(run.explain() + how + ". Under spawn (macOS, Windows) the target is pickled: it "
             "must be a function defined at the top of a module, not a lambda.")
    report = run.value if isinstance(run.value, dict) else {}
    subclass = report.get("subclass") or {}
    # Split the evidence by process: the subclass's task ran in the worker's own pid.
    mine = [e for e in run.events if e["pid"] == subclass.get("pid")]
    others = [e for e in run.events if e["pid"] != subclass.get("pid")]
    function_run = replace(run, events=others)
    _names_once(function_run, SPAWN_NAMES, how)
    _in_children(function_run, how)
    _subclass_ran(replace(run, events=mine), subclass, how)
