"""Hidden checks for p04_isolation: a sum computed in a child and sent back to the parent.

Where the sum was computed is judged from checker-supplied numbers (`workers_p04_isolation.Num`)
that record the pid of every addition; the right answers are computed here, on the trusted
side, for inputs the public tests do not use."""
from __future__ import annotations

from grader.evidence import child_pids, no_children
from grader.harness import Student, fail, worker

ITEMS = [17, -4, 250, 3, 99, 1000003, -71, 8, 42, 5, 61, 0, 13]
FIRST, SECOND = [7, 11, 13], [100, -1, 900, 2]
SPAWN_ITEMS = [29, 31, -7, 64, 3]


def _children(run) -> set[int]:
    """Child pids by every witness: the fork hook, the process tree sampled from outside, and
    Process.start() watched from the parent's side (a short spawn child may escape sampling)."""
    return child_pids(run) | {e["child"] for e in run.events if e["ev"] == "started"}


def _nums(values: list[int]) -> list[dict]:
    return [worker("workers_p04_isolation.Num", value=v) for v in values]


def _where(run, values: list[int], how: str = "") -> None:
    uses = [e for e in run.events if e["ev"] == "use"]
    unused = sorted(set(values) - {e["arg"] for e in uses})
    if unused:
        fail(f"the items {unused} were never added up{how}: compute sum(items) in the child")
    in_parent = [e for e in uses if e["pid"] == run.probe_pid]
    if in_parent:
        fail(f"the sum was computed (at least partly) in the calling process{how}: "
             f"{len(in_parent)} of {len(uses)} additions ran there. Compute it in the child "
             f"and send only the result back")
    unseen = {e["pid"] for e in uses} - _children(run)
    if unseen:
        fail(f"the items were added up in pids {sorted(unseen)} that no process started by "
             f"your code had")


def _wrong_total(value: object, items: list[int], how: str = "") -> str:
    hint = ""
    if value == 0:
        hint = (" The child changed only its own copy of the module's memory (a global, a "
                "module-level list); the parent's copy is unchanged. Send the sum back "
                "through a Queue or a Pipe.")
    return f"child_total({items}) returned {value!r}{how}, not {sum(items)}.{hint}"


def test_total(student: Student) -> None:
    run = student.call("child_total", list(ITEMS), timeout=10, start_method="fork")
    value = student.require(run)
    if type(value) is not int or value != sum(ITEMS):
        fail(_wrong_total(value, ITEMS))
    why = no_children(run, 1)
    if why:
        fail(f"child_total returned the right total, but {why}, so it is not a child's sum "
             f"that reached the parent: compute it in a child and send it back")
    counted = _counted(student)
    added_in_child = {e["pid"] for e in counted.events if e["ev"] == "use"} & (
        _children(counted) - {counted.probe_pid})
    if not added_in_child:
        fail("child_total returned the right total, but no child process added up the items "
             "(the grader's own numbers record where they are added), so it is not a child's "
             "sum that reached the parent: compute it in a child and send it back")


def _counted(student: Student):  # the run of child_total on the grader's recording numbers
    return student.shared_call("", _nums(ITEMS), timeout=10, sample_processes=True,
                               start_method="fork", scenario="workers_p04_isolation.total")


def test_in_child(student: Student) -> None:
    run = _counted(student)
    student.require(run)
    _where(run, ITEMS)


def test_parent_state(student: Student) -> None:
    run = student.call("", _nums(FIRST), _nums(SECOND), timeout=12, sample_processes=True,
                       start_method="fork", scenario="workers_p04_isolation.two_calls")
    report = student.require(run)
    if not isinstance(report, dict):
        fail("the grader's scenario did not report back")   # fail closed
    why = no_children(run, 1)
    if why:
        fail(f"{why} in two calls of child_total, so nothing shows that the caller's own "
             f"state stays apart from a child's")
    added = {e["pid"] for e in run.events if e["ev"] == "use"} & _children(run)
    if not added:
        fail(f"in two calls of child_total ({FIRST}, then {SECOND}) no child process added up "
             f"the items (the grader's own numbers record where they are added), so nothing "
             f"shows that the caller's own state stays apart from a child's: compute each sum "
             f"in a child and send it back")
    totals, expected = report.get("totals"), [sum(FIRST), sum(SECOND)]
    changed = report.get("changed") or {}
    if changed:
        name, (before, after) = next(iter(changed.items()))
        fail(f"calling child_total({FIRST}) and then child_total({SECOND}) changed the "
             f"calling process's module-level `{name}` from {before} to {after} (and returned "
             f"{totals}, expected {expected}). The parent should only receive "
             f"the child's answer, not keep results in module-level state.")
    if isinstance(totals, list) and totals[:1] == expected[:1] and totals != expected:
        # the first answer right, the second not: something of the first call lingered
        # (a wrong first answer is the total check's business)
        fail(f"called twice, child_total returned {totals}, expected {expected}: the first "
             f"answer was right and the second is not. Does something of the first call "
             f"linger: a Queue's leftover item, a value kept from before?")


def test_spawn(student: Student) -> None:
    how = " with the spawn start method"
    run = student.call("", _nums(SPAWN_ITEMS), timeout=8, sample_processes=True,
                       start_method="spawn", scenario="workers_p04_isolation.total")
    if not run.returned:
        fail(run.explain() + how + ". Under spawn the child imports your module afresh: a "
             "module-level Queue is a different queue there. Create the Queue in child_total "
             "and pass it to the child as an argument; define the child's function at the "
             "top of the module.")
    if type(run.value) is not int or run.value != sum(SPAWN_ITEMS):
        fail(_wrong_total(run.value, SPAWN_ITEMS, how))
    _where(run, SPAWN_ITEMS, how)
