"""Hidden checks for t07_semaphore: a Semaphore(capacity) bounds how many are inside.

The visitors are checker-supplied `SleepTask`s recording when each one enters and leaves the
room; occupancy is counted from those intervals, never from what the student's code reports.
Each stay is long (0.3 s) compared with starting a thread, so a correct solution fills the room
to capacity even on a loaded machine, and a Semaphore never lets one more in: the leaving
visitor records its exit before it releases the permit the next one takes.
"""
from __future__ import annotations

from collections import Counter

from grader.evidence import intervals, peak_concurrency
from grader.harness import Student, fail, worker

# Other sizes than the public tests (12 visitors, capacity 3).
CASES = [(23, 4), (17, 5)]
STAY = 0.3


def _run(student: Student, visitors: int, capacity: int):
    run = student.shared_call("", "visit_room", worker("SleepTask", seconds=STAY), visitors,
                              capacity, timeout=20, scenario="workers_t07_semaphore.calling")
    student.require(run)
    return run


def _runs(student: Student):
    return [(v, c, _run(student, v, c)) for v, c in CASES]


def _require_visits(run, visitors: int, capacity: int, what: str) -> list:
    """Fail closed: more visitors than the room holds must have been in and out (visit(i)
    called and finished) before `what` can be judged from the visits. One visitor missing is
    the business of the check that every visitor comes, not of this one."""
    ivs = intervals(run)
    came = {i.arg for i in ivs if i.end is not None} & set(range(visitors))
    if not ivs:
        fail(f"visit_room(visit, {visitors}, {capacity}) never called visit(): no visitor "
             f"entered the room, so {what} could not be seen. Start one thread per visitor "
             f"that calls visit(i) while holding the Semaphore.")
    if len(came) <= capacity:
        fail(f"only {len(came)} of the {visitors} visitors were in and out of the room, no "
             f"more than its capacity of {capacity}, so {what} could not be seen (see the "
             f"check that every visitor comes exactly once).")
    return ivs


def test_bounded(student: Student) -> None:
    for visitors, capacity, run in _runs(student):
        peak = peak_concurrency(_require_visits(run, visitors, capacity,
                                                "whether the room stays within its capacity"))
        if peak > capacity:
            fail(f"with {visitors} visitors and room for {capacity}, up to {peak} were inside "
                 f"at once. Every visitor must hold the same Semaphore({capacity}) for its "
                 f"whole visit (one made inside each thread, or released before visit() ends, "
                 f"lets everyone in).")


def test_full(student: Student) -> None:
    for visitors, capacity, run in _runs(student):
        peak = peak_concurrency(_require_visits(run, visitors, capacity,
                                                "whether the room fills up"))
        if peak < capacity:
            fail(f"with {visitors} visitors and room for {capacity}, never more than {peak} "
                 f"were inside at once: the room was never full. A Semaphore({capacity}) lets "
                 f"{capacity} in together (a Lock, or Semaphore(1), lets in only one).")


def test_every_visitor(student: Student) -> None:
    for visitors, capacity, run in _runs(student):
        ivs = intervals(run)
        counts = Counter(i.arg for i in ivs)
        missing = [i for i in range(visitors) if counts[i] == 0]
        twice = sorted(a for a, k in counts.items() if k > 1)
        strangers = sorted((a for a in counts if a not in range(visitors)), key=repr)
        if not ivs:
            fail(f"visit_room(visit, {visitors}, {capacity}) never called visit(): none of the "
                 f"{visitors} visitors came")
        if missing or twice or strangers:
            parts = [f"never came: {missing}" if missing else "",
                     f"came more than once: {twice}" if twice else "",
                     f"not visitors: {strangers}" if strangers else ""]
            fail(f"visit_room(visit, {visitors}, {capacity}) must call visit(i) once for each "
                 f"visitor i in 0..{visitors - 1}; " + "; ".join(p for p in parts if p))
        inside = [i.arg for i in ivs if i.end is None or i.end > run.call_end]
        if inside:
            fail(f"visit_room returned while visitors {sorted(inside)} were still in the room: "
                 f"join every visitor's thread before returning")


def test_own_threads(student: Student) -> None:
    for visitors, capacity, run in _runs(student):
        callers = {e["tid"] for e in run.events if e["ev"] == "caller"}
        ivs = _require_visits(run, visitors, capacity, "which threads the visitors ran in")
        if not callers or any(i.tid in callers for i in ivs):
            fail("some visits ran in the thread that called visit_room: each visitor is a "
                 "thread of its own")
        threads = {(i.thread, i.tid) for i in ivs}
        if len(threads) < len(ivs):
            fail(f"{len(ivs)} visits ran in only {len(threads)} threads: start one thread "
                 f"per visitor, as in the notes, and let the Semaphore decide who goes in "
                 f"(a pool of {capacity} workers bounds the room too, but it is not the "
                 f"lesson here)")
