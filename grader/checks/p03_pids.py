"""Hidden checks for p03_pids: the (pid, ppid) a child sees, sent back to its parent.

The truth comes from outside the student's code: `run.probe_pid` is the caller's pid, and
`_children(run)` the processes seen starting during the run (the fork hook inside, the
process tree sampled from outside, Process.start() watched from the parent's side)."""
from __future__ import annotations

from grader.evidence import child_pids, no_children
from grader.harness import Student, fail


def _children(run) -> set[int]:
    """Child pids by every witness: the fork hook, the process tree sampled from outside, and
    Process.start() watched from the parent's side (a short spawn child may escape sampling)."""
    return child_pids(run) | {e["child"] for e in run.events if e["ev"] == "started"}


def _ids(student: Student, start_method: str = "fork"):
    run = student.shared_call("", timeout=10, sample_processes=True,
                              start_method=start_method, scenario="workers_p03_pids.ids")
    where = "" if start_method == "fork" else f" with the {start_method} start method"
    if not run.returned:
        hint = ("\nUnder spawn the child's function is pickled: define it at the top of the "
                "module, not inside child_ids." if start_method != "fork" else "")
        fail(run.explain() + where + hint)
    value = run.value
    if not (isinstance(value, (tuple, list)) and len(value) == 2
            and all(type(v) is int for v in value)):
        fail(f"child_ids() should return a tuple (pid, ppid) of two ints{where}; it returned "
             f"{value!r}. What the child computes stays in the child's memory: send it back "
             f"to the parent through a Queue or a Pipe.")
    return run, value[0], value[1], where


def _swapped(run, pid: int, ppid: int, where: str) -> None:
    if pid == run.probe_pid and ppid in _children(run):
        fail(f"the pair{where} is the wrong way round: ({pid}, {ppid}) is (ppid, pid); "
             f"child_ids() returns (pid, ppid), the child's own pid first")


def _check_ppid(run, pid: int, ppid: int, where: str) -> None:
    if ppid == run.probe_pid:
        why = no_children(run, 1)
        if why:
            fail(f"{why}{where}, so the ppid {ppid} was not seen by a child: it is only the "
                 f"caller's own pid. Start a child, and let it send back what os.getppid() "
                 f"says there")
        return
    _swapped(run, pid, ppid, where)
    if pid == run.probe_pid:
        fail(f"the pair{where} was ({pid}, {ppid}): the caller's own pid and its parent's. "
             f"os.getpid() and os.getppid() ran in the parent; call them in the child")
    fail(f"ppid{where} should be the pid of the process that called child_ids(), "
         f"{run.probe_pid}; got {ppid}")


def _check_pid(run, pid: int, ppid: int, where: str) -> None:
    _swapped(run, pid, ppid, where)
    if pid == run.probe_pid:
        fail(f"the pid you returned{where}, {pid}, is the caller's own pid: os.getpid() ran "
             f"in the parent (or the target ran there: start(), not run()). Call it in the "
             f"child and send the result back")
    if pid not in _children(run):
        fail(f"the pid you returned{where}, {pid}, is not the pid of any child process your "
             f"code started")


def test_ppid_is_caller(student: Student) -> None:
    run, pid, ppid, where = _ids(student)
    _check_ppid(run, pid, ppid, where)


def test_pid_is_child(student: Student) -> None:
    run, pid, ppid, where = _ids(student)
    _check_pid(run, pid, ppid, where)


def test_spawn(student: Student) -> None:
    run, pid, ppid, where = _ids(student, "spawn")
    _check_pid(run, pid, ppid, where)
    _check_ppid(run, pid, ppid, where)
