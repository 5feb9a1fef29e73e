"""Reading a run's evidence: the intervals of checker-supplied workers, who ran them, and
what overlapped. Shared by the hidden checks; every function here is pure."""
from __future__ import annotations

from dataclasses import dataclass

from _kit.launch import Run


@dataclass(frozen=True)
class Interval:
    arg: object
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
    done = [i for i in ivs if i.end is not None]
    return len(done) > 1 and all(b.start >= a.end for a, b in zip(done, done[1:]))  # type: ignore[operator]


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


def best_of(attempts: int, make_run, measure):  # type: ignore[no-untyped-def]
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
