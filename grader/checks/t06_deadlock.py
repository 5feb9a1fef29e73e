"""Hidden checks for t06_deadlock: two locks in opposite orders deadlock; one RLock does not.

Every run passes a `GatedStep` (see _kit/workers_t06_deadlock.py) as `step`: it records who is
inside a critical section and pauses there while the lock is held, so two separate locks
taken A-then-B and B-then-A deadlock every time. The student's locks are traced
(`trace_locks=True`): a deadlock is caught within a second and reported as the wait-for cycle,
in the student's own names and lines. The runs go through the `switching` scenario, which
makes the thread switch interval tiny.
"""
from __future__ import annotations

import re
from collections import Counter

from grader import source
from grader.harness import Student, fail, worker

# Other sizes than the public tests (3 workers x 5 rounds): 3 to 8 workers, many rounds.
CASES = [(3, 20), (5, 12), (8, 8)]
PATTERN = ["A", "B", "B", "A"]          # one round: f1 takes A then B, f2 takes B then A
LINE = re.compile(r"(.+) got ([AB])")
FIX = ("The notes' fix (§2.7): one recursive lock under both names, lock_A = lock_B = RLock(). "
       "A thread that holds it may take it again, and there is no second lock left to wait for.")


def _call(student: Student, n: int, rounds: int):  # type: ignore[no-untyped-def]
    return student.shared_call("", "run_workers", n, rounds,
                               worker("workers_t06_deadlock.GatedStep", threads=n),
                               timeout=20, trace_locks=True,
                               scenario="workers_t06_deadlock.switching")


def _deadlock_text(run, n: int, rounds: int, done: int) -> str:  # type: ignore[no-untyped-def]
    cycle = run.deadlock.get("cycle") or []
    holds = {w["holder"]: (w["waits_for"], w["held_since"]) for w in cycle}
    lines = []
    for w in cycle:
        held, since = holds.get(w["thread"], ("?", "?"))
        again = " again" if held == w["waits_for"] else ""
        lines.append(f"  {w['thread']} holds {held} (taken at {since}) and waits for "
                     f"{w['waits_for']}{again} at {w['at']}")
    head = (f"with {n} workers x {rounds} rounds, run_workers deadlocked after {done} of "
            f"{n * rounds * 4} lock acquisitions:\n" + "\n".join(lines))
    if len(cycle) == 1:
        why = (f"\n{cycle[0]['thread']} waits for a lock it holds itself: a plain Lock cannot "
               f"be taken twice, not even by its owner, so lock_A = lock_B = Lock() blocks on "
               f"the second acquire. That is what a recursive lock (RLock) is for.")
    else:
        names = sorted({w["waits_for"] for w in cycle})
        why = (f"\nEach waits for a lock another one holds, so none of them can ever go on. "
               f"{' and '.join(names)} are {len(names)} different locks taken in opposite "
               f"orders (f1: A then B, f2: B then A); two RLocks would deadlock just the same. "
               + FIX)
    return head + run.deadlock_stacks() + why


def _require(student: Student, n: int, rounds: int, explain: bool):  # type: ignore[no-untyped-def]
    run = _call(student, n, rounds)
    if run.status == "deadlock" and run.deadlock:
        if explain:
            done = sum(1 for e in run.events if e["ev"] == "step")
            fail(_deadlock_text(run, n, rounds, done))
        fail(f"run_workers({n}, {rounds}, step) deadlocked, so this could not be checked "
             f"(the check that the workers never deadlock says who waits for which lock)")
    student.require(run)
    return run


def _runs(student: Student, explain: bool = False):  # type: ignore[no-untyped-def]
    return [(n, rounds, _require(student, n, rounds, explain)) for n, rounds in CASES]


def _steps(run) -> list[dict]:  # type: ignore[no-untyped-def]
    """Step events of the workers while run_workers was running."""
    callers = {e["tid"] for e in run.events if e["ev"] == "caller"}
    return [e for e in run.events
            if e["ev"] == "step" and e["t"] <= run.call_end and e["tid"] not in callers]


def _require_finished(run, n: int, rounds: int, what: str) -> list[dict]:  # type: ignore[no-untyped-def]
    """Fail closed: a run whose workers were still working when it returned proves nothing."""
    steps = _steps(run)
    if len(steps) < n * rounds * 4:
        fail(f"run_workers({n}, {rounds}, step) returned before its workers had finished "
             f"({len(steps)} of {n * rounds * 4} lock acquisitions), so {what} could not be "
             f"checked: join every worker before returning.")
    return steps


def test_no_deadlock(student: Student) -> None:
    _runs(student, explain=True)


def test_every_round(student: Student) -> None:
    for n, rounds, run in _runs(student):
        callers = {e["tid"] for e in run.events if e["ev"] == "caller"}
        if any(e["ev"] == "step" and e["tid"] in callers for e in run.events):
            fail("some critical sections ran in the thread that called run_workers, not in "
                 "the worker threads")
        per = Counter(e["thread"] for e in _steps(run))
        if len(per) != n:
            fail(f"run_workers({n}, {rounds}, step) should run {n} worker threads and return "
                 f"when all have finished; only {len(per)} of them took a lock before it "
                 f"returned. Start them all, then join them all.")
        want = rounds * 4
        short = {name: k for name, k in per.items() if k != want}
        if short:
            name, k = sorted(short.items())[0]
            fail(f"each worker runs f1 and f2 {rounds} times, taking a lock {want} times; when "
                 f"run_workers({n}, {rounds}, step) returned, {name} had taken one {k} times. "
                 f"Every worker must finish every round before run_workers returns "
                 f"(join them all).")


def test_log(student: Student) -> None:
    for n, rounds, run in _runs(student):
        log = run.value
        if not isinstance(log, list) or not all(isinstance(x, str) for x in log):
            fail(f"run_workers should return the log, a list of lines like 'Thread-1 got A'; "
                 f"it returned {log!r:.200}")
        bad = [x for x in log if not LINE.fullmatch(x)]
        if bad:
            fail(f"log lines must read '<worker name> got A' or '<worker name> got B'; "
                 f"found {bad[0]!r}")
        if len(log) != n * rounds * 4:
            fail(f"with {n} workers x {rounds} rounds the log should have {n * rounds * 4} "
                 f"lines (4 per round: got A, got B in f1, got B, got A in f2); it has {len(log)}")
        names = {e["thread"] for e in _steps(run)}
        logged = {LINE.fullmatch(x).group(1) for x in log}  # type: ignore[union-attr]
        if logged != names:
            fail(f"the log names the workers {sorted(logged)}, but the threads that took the "
                 f"locks were {sorted(names)}: log each worker's own name (self.name)")
        for name in sorted(names):
            mine = [x.rsplit(" ", 1)[1] for x in log if x.startswith(name + " got ")]
            if mine != PATTERN * rounds:
                fail(f"{name} logged {' '.join(mine[:12])}{' ...' if len(mine) > 12 else ''}; "
                     f"each round a worker gets A then B (f1), then B then A (f2)")


def test_exclusive(student: Student) -> None:
    for n, rounds, run in _runs(student):
        steps = _require_finished(run, n, rounds, "that one worker at a time was inside")
        for first, second in zip(steps[::2], steps[1::2]):
            if first["thread"] != second["thread"]:
                fail(f"with {n} workers, {second['thread']} took a lock while "
                     f"{first['thread']} was still inside f1 or f2 (it held one lock and was "
                     f"about to take the other): a worker must hold the lock from its first "
                     f"acquire to its last release, and no other worker may get in meanwhile.")


def test_together(student: Student) -> None:
    for n, rounds, run in _runs(student):
        _require_finished(run, n, rounds, "whether the workers ran together")
        gates = [e for e in run.events if e["ev"] == "gate"]
        alive = gates[0]["alive"] if gates else 0
        if alive < n:
            fail(f"only {alive} of the {n} workers were running when the first one took a "
                 f"lock: the workers must run at the same time and take turns at the lock. "
                 f"Start them all, then join them all; starting and joining them one by one "
                 f"avoids the deadlock only by giving up concurrency."
                 + source.where_joined_in_start_loop(student.source))
