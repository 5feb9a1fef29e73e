"""Hidden checks for t02_shared: threads share the caller's list; processes only a copy.

Judged from the checker's `work` (it records the pid and thread it ran in) and from the
values it returned, which carry a salt the student's code is not told.
"""
from __future__ import annotations

from collections import Counter

from grader.evidence import child_pids, difference
from grader.harness import Student, fail, worker

ITEMS = [11, 23, 5, 42, 8, 16, 4]         # other items and size than the public tests
SALT = "k7q"
EXPECTED = Counter(f"{i}-{SALT}" for i in ITEMS)


def _run(student: Student, function: str):
    run = student.shared_call(function, worker("workers_t02_shared.Work", salt=SALT),
                              list(ITEMS), timeout=10, sample_processes=True)
    value = student.require(run)
    callers = [e for e in run.events if e["ev"] == "caller"]
    if len(callers) != 1:
        fail("the checker could not record the calling thread")
    starts = [e for e in run.events if e["ev"] == "start"]
    return run, value, callers[0], starts


def _where(starts: list[dict], caller: dict) -> str:
    if any(e["pid"] != caller["pid"] for e in starts):
        return (" work(item) ran in other processes, and each child appended to its own copy "
                "of the list: use threading.Thread, which shares this process's memory.")
    return ""


def test_all_items(student: Student) -> None:
    run, value, caller, starts = _run(student, "collect_with_threads")
    if not isinstance(value, list):
        fail(f"collect_with_threads should return a list; it returned a "
             f"{type(value).__name__}: {value!r:.200}")
    got = Counter(value)
    if got == EXPECTED:
        return
    # A work(item) that started but had not ended when the function returned (its end came
    # later, or never, as the run is stopped right after the return).
    done = {e["arg"] for e in run.events if e["ev"] == "end" and e["t"] <= run.call_end}
    late = [e["arg"] for e in starts if e["arg"] not in done]
    if late and all(e["pid"] == caller["pid"] for e in starts):
        fail(f"collect_with_threads returned before work({late[0]}) had finished, so its "
             f"result was missing: join every thread before returning the list")
    fail(f"the list should hold work(item) once for each of the {len(ITEMS)} items; "
         f"{difference(value, sorted(EXPECTED.elements()), ordered=False, noun='result')}."
         + _where(starts, caller)
         + ("" if starts else " work() was never called: start one Thread per item that "
            "runs work(item) and appends the result."))


def test_same_process(student: Student) -> None:
    run, _, caller, starts = _run(student, "collect_with_threads")
    if sorted(e["arg"] for e in starts) != sorted(ITEMS):
        fail(f"work(item) should run once for each of {ITEMS}; it ran for "
             f"{sorted(e['arg'] for e in starts)}")
    others = sorted({e["pid"] for e in starts if e["pid"] != caller["pid"]})
    if others:
        fail(f"work(item) ran in {len(others)} other processes, not in threads of the caller's "
             f"process (pid {caller['pid']}): threads share memory, processes get a copy")
    in_caller = [e["arg"] for e in starts if e["tid"] == caller["tid"]]
    if in_caller:
        fail(f"work({in_caller[0]}) ran in the calling thread itself: start one Thread per "
             f"item, each running work(item)")


def test_contrast(student: Student) -> None:
    run, value, caller, starts = _run(student, "collect_with_processes")
    if sorted(e["arg"] for e in starts) != sorted(ITEMS):
        fail(f"collect_with_processes should run work(item) once for each of {ITEMS}; it ran "
             f"for {sorted(e['arg'] for e in starts)}")
    pids = {e["pid"] for e in starts}
    if caller["pid"] in pids or len(pids) != len(ITEMS):
        fail("collect_with_processes is the contrast: keep it with one Process per item; "
             f"work ran in {len(pids - {caller['pid']})} child processes and "
             f"{sum(e['pid'] == caller['pid'] for e in starts)} times in the calling process")
    unseen = pids - child_pids(run)
    if unseen:
        fail(f"work reported pids {sorted(unseen)} that no process started by your code had")
    if value != []:
        fail(f"collect_with_processes should show isolation and return the parent's list, "
             f"which the children never touched ([]); it returned {value!r}. Keep it as given: "
             f"it is the contrast to the thread version.")
