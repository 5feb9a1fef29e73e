"""Hidden checks for t06_deadlock: two locks in opposite orders deadlock; one RLock does not.

Every run passes a `GatedStep` (see _kit/workers_t06_deadlock.py) as `step`: it records who is
inside a critical section and pauses there while the lock is held, so two separate locks
taken A-then-B and B-then-A deadlock every time. The student's locks are traced
(`trace_locks=True`): a deadlock is caught within a second and reported as the wait-for cycle,
in the student's own names and lines. The runs go through the `traced_switching` scenario,
which makes the thread switch interval tiny and records every acquire and release of the
student's locks (Lock, RLock, and the Conditions and Semaphores its module makes), so the
checks see who held a lock when, however often step() is called: once per critical section is
as correct as after every lock, as the reference does.

Every check needs positive evidence: the workers were seen taking locks or calling step() in
every round before run_workers returned. A program whose workers did nothing scores 0.
"""
from __future__ import annotations

import re
from collections import Counter

from grader import source
from grader.evidence import intervals
from grader.harness import Student, fail, worker

# Other sizes than the public tests (3 workers x 5 rounds): 3 to 8 workers, many rounds.
CASES = [(3, 20), (5, 12), (8, 8)]
PATTERN = ["A", "B", "B", "A"]          # one round: f1 takes A then B, f2 takes B then A
LINE = re.compile(r"(.+) got ([AB])")
FIX = ("The notes' fix (§2.7): one recursive lock under both names, lock_A = lock_B = RLock(). "
       "A thread that holds it may take it again, and there is no second lock left to wait for. "
       "(Taking A and B in one consistent order everywhere also cures it.)")


def _call(student: Student, n: int, rounds: int):
    return student.shared_call("", "run_workers", n, rounds,
                               worker("workers_t06_deadlock.GatedStep", threads=n),
                               timeout=20, trace_locks=True,
                               scenario="workers_t06_deadlock.traced_switching")


def _deadlock_text(run, n: int, rounds: int, done: int) -> str:
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


def _require(student: Student, n: int, rounds: int, explain: bool):
    run = _call(student, n, rounds)
    if run.status == "deadlock" and run.deadlock:
        if explain:
            taken = sum(1 for e in run.events if e["ev"] == "acquired")
            done = taken or sum(1 for e in run.events if e["ev"] == "step")
            fail(_deadlock_text(run, n, rounds, done))
        fail(f"run_workers({n}, {rounds}, step) deadlocked, so this could not be checked "
             f"(the check that the workers never deadlock says who waits for which lock)")
    student.require(run)
    return run


def _runs(student: Student, explain: bool = False):
    return [(n, rounds, _require(student, n, rounds, explain)) for n, rounds in CASES]


def _callers(run) -> set[int]:
    return {e["tid"] for e in run.events if e["ev"] == "caller"}


def _steps(run) -> list[dict]:
    """Step events of the workers while run_workers was running."""
    callers = _callers(run)
    return [e for e in run.events
            if e["ev"] == "step" and e["t"] <= run.call_end and e["tid"] not in callers]


def _work(run, before_return: bool = True) -> dict[str, Counter]:
    """Per worker thread: how many locks it took ("acquired") and step() calls ("step"),
    seen from the checker's side (before run_workers returned, unless told otherwise)."""
    callers = _callers(run)
    per: dict[str, Counter] = {}
    for e in run.events:
        if e["ev"] in ("acquired", "step") and e["tid"] not in callers and (
                not before_return or e["t"] <= run.call_end):
            per.setdefault(e["thread"], Counter())[e["ev"]] += 1
    return per


def _did(counts: Counter) -> str:
    return (f"taken a lock {counts['acquired']} times and called step() "
            f"{counts['step']} times")


def _require_finished(run, n: int, rounds: int, what: str,
                      per_round: int = 2) -> dict[str, Counter]:
    """Fail closed: every one of the n workers must have been seen doing all its rounds
    before run_workers returned: `per_round` lock acquisitions, or as many step() calls, per
    round (2: at least one in f1 and one in f2; the reference calls step() after every lock,
    4, but a program that calls it once per critical section is as correct)."""
    want = rounds * per_round
    per = _work(run)
    if not per:
        fail(f"no worker thread took a lock or called step() before run_workers({n}, {rounds}, "
             f"step) returned (it returned {run.value!r:.80}), so {what} could not be checked: "
             f"start {n} worker threads that each run f1 and f2 {rounds} times.")
    if len(per) < n:
        fail(f"run_workers({n}, {rounds}, step) should run {n} worker threads; only {len(per)} "
             f"of them took a lock or called step() before it returned, so {what} could not "
             f"be checked. Start them all, then join them all.")
    short = {name: c for name, c in per.items() if max(c["acquired"], c["step"]) < want}
    if short:
        name, counts = sorted(short.items())[0]
        later = _work(run, before_return=False).get(name, Counter())
        if later != counts:
            fail(f"run_workers({n}, {rounds}, step) returned before its workers had finished: "
                 f"{name} had {_did(counts)} ({rounds} rounds take a lock {rounds * 4} times: "
                 f"2 in f1, 2 in f2) and went on after the return, so {what} could not be "
                 f"checked: join every worker before returning.")
        fail(f"in run_workers({n}, {rounds}, step), {name} had {_did(counts)}: "
             + _short_by(counts, rounds, want) + f", so {what} could not be checked.")
    return per


def _short_by(counts: Counter, rounds: int, want: int) -> str:
    """What a worker's counts lack, compared with what `rounds` rounds of f1 and f2 do."""
    if counts["acquired"]:
        return (f"{rounds} rounds of f1 and f2 take your locks {rounds * 4} times (A and B in "
                f"each), {rounds * 4 - counts['acquired']} more than it took them; every "
                f"round must run f1 and f2 in full")
    return (f"none of its locks was one the checker can see (Lock, RLock, Condition and "
            f"Semaphore made in your module are), so its step() calls are the only evidence, "
            f"and {rounds} rounds need at least {want} of them (one inside f1 and one inside "
            f"f2 each round; step() right after each lock makes {rounds * 4}): it called "
            f"step() {want - counts['step']} times too few")


def test_no_deadlock(student: Student) -> None:
    for n, rounds, run in _runs(student, explain=True):
        seen = _work(run, before_return=False)
        if len(seen) < n:
            fail(f"run_workers({n}, {rounds}, step) returned {run.value!r:.80}, but only "
                 f"{len(seen)} of its {n} workers ever took a lock or called step(): no "
                 f"deadlock only counts when every worker really takes the locks. Start {n} "
                 f"worker threads that each run f1 and f2 {rounds} times, and join them all "
                 f"before returning.")


def test_every_round(student: Student) -> None:
    for n, rounds, run in _runs(student):
        callers = _callers(run)
        if any(e["ev"] in ("step", "acquired") and e["tid"] in callers for e in run.events):
            fail("some critical sections ran in the thread that called run_workers, not in "
                 "the worker threads")
        _require_finished(run, n, rounds, "that every worker ran every round")


def _pairs_differ(mine: list[str]) -> tuple[int, list[str]] | None:
    """The first f1/f2 call (a pair of lines) that does not log both locks, or None."""
    for i in range(0, len(mine), 2):
        pair = mine[i:i + 2]
        if sorted(pair) != ["A", "B"]:
            return i // 2, pair
    return None


def test_log(student: Student) -> None:
    for n, rounds, run in _runs(student):
        log = run.value
        if not isinstance(log, list):
            fail(f"run_workers should return the log, a list of lines like 'Thread-1 got A'; "
                 f"it returned {type(log).__name__} {log!r:.200}")
        not_str = [x for x in log if not isinstance(x, str)]
        if not_str:
            fail(f"the log's lines should be strings like 'Thread-1 got A'; {len(not_str)} of "
                 f"them are not, e.g. {type(not_str[0]).__name__} {not_str[0]!r:.80}")
        bad = [x for x in log if not LINE.fullmatch(x)]
        if bad:
            fail(f"log lines must read '<worker name> got A' or '<worker name> got B'; "
                 f"found {bad[0]!r}")
        per = _require_finished(run, n, rounds, "the log")
        want = rounds * 4
        logged = Counter(m.group(1) for x in log if (m := LINE.fullmatch(x)))   # all match: above
        if set(logged) != set(per):
            missing, extra = sorted(set(per) - set(logged)), sorted(set(logged) - set(per))
            fail(f"the log names the workers {sorted(logged)}, but the threads that took the "
                 f"locks were {sorted(per)}"
                 + (f" ({', '.join(missing)} missing from the log)" if missing else "")
                 + (f" ({', '.join(extra)} never took a lock)" if extra else "")
                 + ": log each worker's own name (self.name)")
        if len(log) != n * want:
            off = {name: k - want for name, k in sorted(logged.items()) if k != want}
            detail = ", ".join(f"{name} {abs(d)} {'too many' if d > 0 else 'missing'}"
                               for name, d in off.items())
            fail(f"with {n} workers x {rounds} rounds the log should have {n * want} lines "
                 f"(4 per round: both locks in f1, both in f2); it has {len(log)}"
                 + (f": {detail}" if detail else ""))
        for name in sorted(logged):
            mine = [x.rsplit(" ", 1)[1] for x in log if x.startswith(name + " got ")]
            wrong = _pairs_differ(mine)
            if wrong is not None:
                call, pair = wrong
                fail(f"{name}'s log, round {call // 2 + 1}, {'f1' if call % 2 == 0 else 'f2'}: "
                     f"{' '.join(pair) or 'nothing'}; each of f1 and f2 logs each of the two "
                     f"locks once, right after taking it (A B in f1 and B A in f2, or A B in "
                     f"both if you take the locks in one order)")


def _sections(run) -> list[tuple[str, float, float]]:
    """(thread, from, to): while a worker held at least one of the student's locks."""
    depth: dict[str, int] = {}
    since: dict[str, float] = {}
    out = []
    for e in run.events:
        if e["ev"] not in ("acquired", "released"):
            continue
        who = e["thread"]
        if e["ev"] == "acquired":
            if depth.get(who, 0) == 0:
                since[who] = e["t"]
            depth[who] = depth.get(who, 0) + 1
        elif depth.get(who, 0) > 0:
            depth[who] -= 1
            if depth[who] == 0:
                out.append((who, since[who], e["t"]))
    return sorted(out, key=lambda s: s[1])


def _overlap(spans: list[tuple[str, float, float]]) -> tuple[str, str] | None:
    """Two spans of different threads that overlap in time: (earlier, later), or None."""
    active: list[tuple[str, float, float]] = []
    for who, start, end in spans:
        active = [a for a in active if a[2] > start]
        other = next((a for a in active if a[0] != who), None)
        if other is not None:
            return other[0], who
        active.append((who, start, end))
    return None


def test_exclusive(student: Student) -> None:
    for n, rounds, run in _runs(student):
        per = _require_finished(run, n, rounds, "that one worker at a time was inside")
        held = _overlap(_sections(run))
        if held:
            fail(f"with {n} workers, {held[1]} took a lock while {held[0]} was still inside "
                 f"f1 or f2, holding one of yours: a worker must hold the lock from its first "
                 f"acquire to its last release, and no other worker may get in meanwhile.")
        steps = [(i.thread, i.start, i.end) for i in intervals(run, "step", "step_end")
                 if i.end is not None]
        both = _overlap(sorted(steps, key=lambda s: s[1]))
        if both:
            fail(f"with {n} workers, {both[1]} called step() while {both[0]} was still inside "
                 f"its own step(): two workers were inside f1 or f2 at once. Every critical "
                 f"section must hold the lock(s) that keep the other workers out.")
        ordered = _steps(run)
        if all(c["step"] == rounds * 4 for c in per.values()):
            for first, second in zip(ordered[::2], ordered[1::2]):
                if first["thread"] != second["thread"]:
                    fail(f"with {n} workers, {second['thread']} took a lock while "
                         f"{first['thread']} was still inside f1 or f2 (it held one lock and "
                         f"was about to take the other): a worker must hold the lock from its "
                         f"first acquire to its last release, and no other worker may get in "
                         f"meanwhile.")


def test_together(student: Student) -> None:
    for n, rounds, run in _runs(student):
        _require_finished(run, n, rounds, "whether the workers ran together")
        gates = [e for e in run.events if e["ev"] == "gate"]
        if not gates:
            fail(f"step() was never called in run_workers({n}, {rounds}, step), so whether the "
                 f"workers ran together could not be seen: call step() right after taking "
                 f"each lock.")
        alive = gates[0]["alive"]
        if alive < n:
            fail(f"only {alive} of the {n} workers were running when the first one took a "
                 f"lock: the workers must run at the same time and take turns at the lock. "
                 f"Start them all, then join them all; starting and joining them one by one "
                 f"avoids the deadlock only by giving up concurrency."
                 + source.where_joined_in_start_loop(student.source))
