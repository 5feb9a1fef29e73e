"""Reading a run's evidence: the intervals of checker-supplied workers, who ran them, and
what overlapped. Shared by the hidden checks; every function here is pure.

A check passes only on positive evidence that what it judges happened (design rule 4, issue
16). The premise helpers (`not_run`, `not_launched`, `no_children`) return "" when the
evidence is there, or the reason it is not, worded to be followed by ", so <what cannot be
judged>": `fail(why + ", so there was no child to join")`. Premises read what cannot flake:
a child counts as started when start() returned (recorded in the parent), not when it first
ran. `difference` words what a result got wrong (type, missing, extra, duplicate, count,
order), computed from the values, never guessed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from _kit.launch import Run


@dataclass(frozen=True)
class Interval:
    arg: Any                    # as the worker recorded it: decoded from the sandbox's JSON
    start: float
    end: float | None
    pid: int
    thread: str
    tid: int


def intervals(run: Run, start: str = "start", end: str = "end") -> list[Interval]:
    """One interval per `start` event, matched with the `end` of the same (pid, tid, arg)."""
    open_: dict[tuple, list[dict]] = {}
    out: list[Interval] = []
    for e in run.events:
        key = (e["pid"], e["tid"], repr(e.get("arg")))
        if e["ev"] == start:
            open_.setdefault(key, []).append(e)
        elif e["ev"] == end and open_.get(key):
            s = open_[key].pop(0)
            out.append(Interval(s.get("arg"), s["t"], e["t"], s["pid"], s["thread"], s["tid"]))
    for pending in open_.values():
        for s in pending:
            out.append(Interval(s.get("arg"), s["t"], None, s["pid"], s["thread"], s["tid"]))
    return sorted(out, key=lambda i: i.start)


def ran_serially(ivs: list[Interval]) -> bool:
    """Each interval started only after the previous one had ended."""
    ends = [(i.start, i.end) for i in ivs if i.end is not None]
    return len(ends) > 1 and all(b[0] >= a[1] for a, b in zip(ends, ends[1:]))


def all_overlap(ivs: list[Interval]) -> bool:
    """Every interval started before the first one ended: they all ran at the same time."""
    ends = [i.end for i in ivs if i.end is not None]
    return bool(ivs) and (not ends or max(i.start for i in ivs) < min(ends))


def peak_concurrency(ivs: list[Interval]) -> int:
    points = sorted([(i.start, 1) for i in ivs] +
                    [(i.end, -1) for i in ivs if i.end is not None])
    peak = now = 0
    for _, delta in points:
        now += delta
        peak = max(peak, now)
    return peak


def forked_pids(run: Run) -> set[int]:
    """Pids of processes forked during the run (recorded in the child as it starts)."""
    return {e["pid"] for e in run.events if e["ev"] == "forked"}


def child_pids(run: Run) -> set[int]:
    """Every process the run was seen to start, by any witness: the fork hook in the child,
    multiprocessing's start() returning in the parent (spawn and forkserver children), or the
    sampler watching the process tree from outside."""
    started = {e["child"] for e in run.events if e["ev"] == "started" and "child" in e}
    return (forked_pids(run) | started | run.seen_pids) - {run.probe_pid}


def best_of(attempts: int, make_run, measure):
    """Upper time bounds only: the smallest measurement of up to `attempts` runs, stopping
    early once one is good. `measure(run)` returns (value, good)."""
    best = None
    for _ in range(attempts):
        run = make_run()
        value, good = measure(run)
        if best is None or (value is not None and (best[0] is None or value < best[0])):
            best = (value, run)
        if good:
            break
    return best


# --- premises: a check passes only on positive evidence that what it judges happened --------

def not_run(ivs: list[Interval], expected: list, noun: str = "the task") -> str:
    """Why the workers a check observes did not all run, or "" when each expected argument
    started at least once. The reason is meant to be followed by ", so <what cannot be
    judged>"."""
    if not ivs:
        return f"{noun} never ran (no call of it was recorded)"
    seen = [i.arg for i in ivs]
    missing = [a for a in expected if a not in seen]
    if missing:
        return (f"{noun} ran for only {len(expected) - len(missing)} of the {len(expected)} "
                f"inputs ({', '.join(map(repr, missing))} never ran)")
    return ""


def not_done(run: Run, ivs: list[Interval], expected: list, noun: str = "the task") -> str:
    """Why the workers did not all run and end before the call returned, or "": the premise
    of a time bound on the call (a call that returns before its work is done is quick, and
    says nothing about how long the work takes)."""
    why = not_run(ivs, expected, noun)
    if why:
        return why
    end = run.call_end
    late = [i.arg for i in ivs if i.end is None or end is None or i.end > end]
    if late:
        return (f"the call returned while {noun} was still running for "
                f"{', '.join(map(repr, late))}")
    return ""


def not_launched(run: Run, ivs: list[Interval], expected: list,
                 noun: str = "the task") -> str:
    """Why the tasks a check observes were neither all seen running nor all launched in child
    processes, or "". A submission that returns before its children have run (no join) ends
    the run before they record anything, and how far they got then depends on the machine's
    load; that they were started is certain (recorded as start() returns), so a check judging
    the tasks that ran stands on it, and its verdict does not flake."""
    why = not_run(ivs, expected, noun)
    if why and len(child_pids(run)) >= len(expected):
        return ""
    return why


def no_children(run: Run, expected: int) -> str:
    """Why fewer than `expected` child processes were seen (by any witness), or ""."""
    seen = len(child_pids(run))
    if seen == 0:
        return "no child process was started"
    if seen < expected:
        return f"only {seen} of the {expected} child processes expected were started"
    return ""


# --- differences: what a result got wrong, computed, never guessed ---------------------------

def _type_name(value: object) -> str:
    return type(value).__name__


def difference(got: object, expected: list, *, ordered: bool = True,
               noun: str = "item") -> str:
    """The first real difference between `got` and the `expected` list, in words: its type,
    the type of its elements, missing / extra / duplicate elements, the count, then the
    order. "" when they are equal (or equal but for the order, with `ordered=False`)."""
    if got is None:
        return "it is None, not a list"
    if not isinstance(got, (list, tuple)):
        return f"it is a {_type_name(got)} ({got!r:.60}), not a list"
    got = list(got)
    want_types = {_type_name(e) for e in expected}
    odd = [e for e in got if _type_name(e) not in want_types]
    if odd and expected:
        e = odd[0]
        same = [x for x in expected if str(x) == str(e)]
        return (f"{len(odd)} of its {len(got)} {noun}s are {_type_name(e)}, not "
                f"{' or '.join(sorted(want_types))} (e.g. {e!r}"
                + (f" where {same[0]!r} was expected" if same else "") + ")")
    rest = list(expected)
    extra, dupes = [], []
    for e in got:
        if e in rest:
            rest.remove(e)
        elif e in expected:
            dupes.append(e)
        else:
            extra.append(e)
    parts = []
    if dupes:
        dupes = list(dict.fromkeys(dupes))      # each named once, in the order they came
        parts.append(f"{_list(dupes)} {'appears' if len(dupes) == 1 else 'appear'} "
                     f"more than once")
    if extra:
        parts.append(f"{_list(extra)} {'is' if len(extra) == 1 else 'are'} not expected")
    if rest:
        parts.append(f"{_list(rest)} {'is' if len(rest) == 1 else 'are'} missing")
    if parts:
        count = (f"{len(got)} {noun}s instead of {len(expected)}: "
                 if len(got) != len(expected) else "")
        return count + "; ".join(parts)
    if ordered and got != list(expected):
        k = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b)
        return (f"the same {noun}s in another order: position {k + 1} holds {got[k]!r} "
                f"where {expected[k]!r} belongs")
    return ""


def _list(values: list) -> str:
    shown = ", ".join(repr(v) for v in values[:5])
    return shown + (f" and {len(values) - 5} more" if len(values) > 5 else "")


def shape_difference(value: object, length: int, kind: type, noun: str = "item") -> str:
    """How `value` differs from a list of `length` values of type `kind`, or "": not a list,
    how many, and the first element of another type."""
    if value is None:
        return "it is None"
    if not isinstance(value, list):
        return f"it is a {_type_name(value)}, not a list"
    if len(value) != length:
        return f"it has {len(value)} {noun}{'' if len(value) == 1 else 's'}, not {length}"
    odd = [v for v in value if type(v) is not kind]
    if odd:
        return (f"{len(odd)} of its {noun}s {'is' if len(odd) == 1 else 'are'} not "
                f"{kind.__name__} (e.g. {odd[0]!r}, of type {_type_name(odd[0])})")
    return ""
