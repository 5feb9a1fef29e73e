"""Hidden checks for p13_producer_consumer: a bounded queue between producers and consumers.

The checker supplies both sides: `produce(i)` (workers_p13_producer_consumer.Produce) records
each item as it hands it out, `consume(item)` (SleepTask) records the start and end of each
consumption. Items carry a tag chosen here, so the expected items are known only to the
trusted side. Every producer waits `first_pause` before its first item: a consumer that gives
up on an empty queue, or a sentinel sent before the producers are done, fails every time.
"""
from __future__ import annotations

import secrets
from collections import Counter

from grader.evidence import best_of, child_pids
from grader.harness import Student, fail, worker

# Run A, under spawn: several producers and consumers. Other sizes than the public tests.
MANY = {"producers": 3, "items": 4, "consumers": 2, "maxsize": 3, "pause": 0.02,
        "first_pause": 1.0, "eat": 0.05}
# Run B, under fork: one slow consumer behind a small queue, two fast producers.
ONE = {"producers": 2, "items": 8, "consumers": 1, "maxsize": 2, "pause": 0.0,
       "first_pause": 0.3, "eat": 0.08}
PROMPT = 1.0          # seconds from the last consumption to pipeline's return
SENTINEL_HINT = ("After the producers are done, put one sentinel (e.g. None) per consumer "
                 "into the queue and let each consumer stop when it takes one -- or use a "
                 "JoinableQueue.")
_TAGS: dict[str, str] = {}
# The reference's pipeline takes 1.7-2.2 s (2.14 s at most in 24 gradings with 6 submissions
# at once and every core busy, bench/flake.py, 2026-12-05); a stuck one is cut at ~3x that.
TIMEOUT = 6


def _tag(name: str) -> str:
    """One secret tag per case and grading session, so shared runs stay shared."""
    return _TAGS.setdefault(name, f"{name}{secrets.token_hex(3)}")


def _call(student: Student, case: dict, name: str, start_method: str, fresh: bool = False):
    call = student.call if fresh else student.shared_call
    produce = worker("workers_p13_producer_consumer.Produce", items=case["items"],
                     pause=case["pause"], first_pause=case["first_pause"], tag=_tag(name))
    return call("pipeline", produce, worker("SleepTask", seconds=case["eat"]),
                case["producers"], case["consumers"], case["maxsize"], timeout=TIMEOUT,
                start_method=start_method, sample_processes=True)


def _many(student: Student, fresh: bool = False):
    return _call(student, MANY, "many", "spawn", fresh)


def _one(student: Student):
    return _call(student, ONE, "one", "fork")


def _made(run) -> dict[str, dict]:
    return {e["item"]: e for e in run.events if e["ev"] == "made"}


def _consumed(run) -> list[dict]:
    return [e for e in run.events if e["ev"] == "start"]


def _no_consumers(run) -> str:
    """Why no consumer worked apart from the caller's own flow (a process or a thread of its
    own), or "": without one there is nothing to stop and no order of consumption to judge."""
    eaters = {(e["pid"], e.get("thread")) for e in _consumed(run)}
    if not eaters:
        return "no item was consumed"
    if eaters <= {(run.probe_pid, "MainThread")}:
        return "every item was consumed by the caller itself, with no consumer of its own"
    return ""


def _not_returned(run) -> str:
    return "" if run.returned else f" (and pipeline did not return: {run.explain()})"


def _all_consumed_once(run, case: dict) -> dict[str, dict]:
    made = _made(run)
    total = case["producers"] * case["items"]
    names = {e["producer"] for e in made.values()}
    counts = Counter(e["arg"] for e in _consumed(run))
    if len(made) != total or len(names) != case["producers"]:
        stuck = ""
        if len(made) < total and not run.returned:
            stuck = (" -- the producers were left waiting for room in the queue: did a "
                     "consumer stop before the producers were done? (An empty queue does not "
                     "mean they are done; a sentinel must come after every item.)")
        fail(f"{case['producers']} producers should each put all {case['items']} items of "
             f"produce(i) into the queue ({total} items); {len(names)} producers made "
             f"{len(made)}, and {sum(counts.values())} were consumed{stuck}{_not_returned(run)}")
    foreign = sorted(set(counts) - set(made))
    if foreign:
        fail(f"consume() was called with items no producer made: {foreign[:3]}")
    twice = sorted(i for i, n in counts.items() if n > 1)
    if twice:
        fail(f"{len(twice)} items were consumed more than once, e.g. {twice[0]!r}")
    missing = sorted(set(made) - set(counts))
    if missing:
        fail(f"{len(missing)} of {total} items were never consumed, e.g. {missing[0]!r}: "
             f"did a consumer stop before the producers were done? (An empty queue does not "
             f"mean they are done; a sentinel must come after every item.)"
             + _not_returned(run))
    return made


def test_every_item_once(student: Student) -> None:
    run = _many(student)
    _all_consumed_once(run, MANY)
    if run.returned:
        late = [e["arg"] for e in run.events if e["ev"] == "end" and e["t"] > run.call_end]
        unfinished = {e["arg"] for e in _consumed(run)} - {
            e["arg"] for e in run.events if e["ev"] == "end"}
        if late or unfinished:
            fail("pipeline returned while items were still being consumed: wait for the "
                 "consumers to finish before returning")


def test_terminates(student: Student) -> None:
    """Started with `spawn`: producer and consumer must be picklable top-level functions."""
    run = _many(student)
    total = MANY["producers"] * MANY["items"]
    if run.returned:
        why = _no_consumers(run)
        if why and why != "no item was consumed":
            fail(f"{why}, so there were no consumers that had to stop. Start the consumers as "
                 f"processes that take items from the queue. {SENTINEL_HINT}")
        made = len(_made(run))
        done = len({e["arg"] for e in run.events if e["ev"] == "end"} & set(_made(run)))
        if done < total:
            fail(f"pipeline returned, but only {done} of the {total} items were consumed"
                 + (" (no producer made any)" if made == 0 else f" ({made} were made)")
                 + ", so it did not return *once all was consumed*: start the producers and "
                   "consumers, and wait for them. " + SENTINEL_HINT)
        return
    if run.status != "timeout":
        fail(run.explain())
    done = len({e["arg"] for e in run.events if e["ev"] == "end"})
    killed = f" (the grader stopped {run.killed} processes it left running)" if run.killed else ""
    stuck = f"\n{run.where_stuck()}" if run.where_stuck() else ""
    if done == total:
        fail(f"all {total} items were consumed, but pipeline did not return within "
             f"{run.timeout:g} s{killed}: the consumers never stop -- a `while 1` loop that "
             f"nothing ends (its timeout swallowed by `except: pass`), or fewer sentinels than "
             f"consumers. {SENTINEL_HINT}{stuck}")
    fail(f"pipeline did not return within {run.timeout:g} s{killed}, and only {done} of "
         f"{total} items were consumed: something waits forever -- producers waiting for room "
         f"in a queue that nobody empties any more (did the consumers stop too early?), or "
         f"consumers that never stop. {SENTINEL_HINT}{stuck}")


def test_stops_promptly(student: Student) -> None:
    def measure(run):
        ends = [e["t"] for e in run.events if e["ev"] == "end"]
        if not run.returned or not ends:
            return None, True            # nothing to time: judged below, not retried
        lag = run.call_end - max(ends)
        return lag, lag <= PROMPT

    attempts = iter([False, True, True])    # the shared run first, then fresh ones
    lag, run = best_of(3, lambda: _many(student, fresh=next(attempts)), measure)
    why = _no_consumers(run)
    if why:
        fail(f"{why}, so there were no consumers to stop promptly. {SENTINEL_HINT}")
    if lag is None:
        fail("pipeline never returned after the last item was consumed, so it cannot stop "
             "promptly. " + SENTINEL_HINT)
    if lag > PROMPT:
        fail(f"pipeline returned {lag:.2f} s after the last item was consumed: the consumers "
             f"only stop after waiting for more (a get() timeout?). A timeout guesses when the "
             f"producers are done; a sentinel says so. {SENTINEL_HINT}")


def test_own_processes(student: Student) -> None:
    run = _many(student)
    makers = {e["pid"] for e in _made(run).values()}
    eaters = {e["pid"] for e in _consumed(run)}
    if not makers or not eaters:
        fail("no item was both made and consumed" + _not_returned(run))
    if run.probe_pid in makers | eaters:
        fail("items were made or consumed in the calling process: producers and consumers "
             "must be Processes of their own")
    if len(makers) != MANY["producers"]:
        fail(f"expected {MANY['producers']} producer processes; items were made in {len(makers)}")
    if len(eaters) > MANY["consumers"] or makers & eaters:
        fail(f"expected at most {MANY['consumers']} consumer processes, apart from the "
             f"producers; items were consumed in {len(eaters)}"
             + (", some of them producers" if makers & eaters else ""))
    unseen = (makers | eaters) - child_pids(run)
    if unseen:
        fail(f"workers reported pids {sorted(unseen)} that no process started by your code had")


def test_fifo_one_consumer(student: Student) -> None:
    run = _one(student)
    made = _all_consumed_once(run, ONE)
    why = _no_consumers(run)
    if why:
        fail(f"{why}, so there was no queue and no consumer whose order could be judged")
    order: dict[str, list[int]] = {}
    for e in _consumed(run):
        m = made[e["arg"]]
        order.setdefault(m["producer"], []).append(m["k"])
    for producer, ks in order.items():
        if ks != sorted(ks):
            fail(f"with one consumer, each producer's items must be consumed in the order they "
                 f"were made (a queue is first in, first out); producer {producer}'s were "
                 f"consumed as item numbers {ks}")


def test_bounded_buffer(student: Student) -> None:
    run = _one(student)
    bound = ONE["maxsize"] + ONE["producers"] + ONE["consumers"]
    makers = {e["pid"] for e in _made(run).values()} - {run.probe_pid}
    if not makers & child_pids(run):
        fail("no producer process made an item" + _not_returned(run) + ", so nothing shows "
             "that a full queue makes the producers wait")
    backlog = peak = 0
    for e in run.events:
        if e["ev"] == "made":
            backlog += 1
        elif e["ev"] == "start":
            backlog -= 1
        peak = max(peak, backlog)
    if peak > bound:
        fail(f"with Queue({ONE['maxsize']}) and one slow consumer, at most {bound} items can be "
             f"made but not yet consumed (in the queue, or in a producer's or consumer's hand); "
             f"{peak} were. Is the queue bounded by maxsize, does each producer put every item of "
             f"produce(i) as it gets it (not make them all first), and does each consumer take "
             f"an item only when it is ready to consume it?")
