"""Hidden checks for t10_pools: a pool's results, its bound, its errors and its shutdown."""
from __future__ import annotations

import secrets

from _kit.launch import Opaque, Run
from grader.evidence import child_pids, difference, intervals, peak_concurrency
from grader.harness import Student, fail, worker

# Other sizes than the public tests; long jobs first, so that completion order != input order
# and every worker is busy at the start.
THREAD_ITEMS = [0.35, 0.3, 0.4, 0.1, 0.05, 0.2, 0.15, 0.12, 0.08, 0.25, 0.03]
PROCESS_ITEMS = [0.4, 0.35, 0.3, 0.1, 0.2, 0.05, 0.15, 0.25]
WORKERS = 3
SALT = secrets.token_hex(4)          # the answers depend on a value the student never saw


def _job(**kwargs: object) -> dict:
    return worker("workers_t10_pools.Job", salt=SALT, **kwargs)


def _thread_run(student: Student) -> Run:
    return student.shared_call("map_with_pool", _job(), list(THREAD_ITEMS), "thread", WORKERS,
                               timeout=10)


def _process_run(student: Student) -> Run:
    return student.shared_call("map_with_pool", _job(), list(PROCESS_ITEMS), "process", WORKERS,
                               timeout=12, sample_processes=True)


def _futures_hint(value: object) -> str:
    if isinstance(value, list) and any(isinstance(v, Opaque) and "Future" in v.type_name
                                       for v in value):
        return (" It returned Future objects: a Future is a receipt for a result, not the "
                "result; call .result() on each (or use pool.map).")
    return ""


def _require_jobs(run: Run, kind: str, items: list, what: str, finished: bool = True) -> list:
    """Fail closed: the jobs must have run (seen by the checker's own job: every one of them,
    started and ended; with `finished=False`, at least one started) before `what` can be
    judged."""
    ivs = [i for i in intervals(run) if i.end is not None or not finished]
    if not ivs:
        fail(f"with a {kind} pool, no job ever {'ran' if finished else 'started'} (func was "
             f"never called{' to the end' if finished else ''}), so {what} could not be seen. "
             f"Hand every item to a pool of `workers` "
             f"{'processes' if kind == 'process' else 'threads'} and collect the results."
             + _futures_hint(run.value))
    ran = {i.arg for i in ivs}
    missing = [x for x in items if x not in ran]
    if finished and missing:
        fail(f"with a {kind} pool, only {len(items) - len(missing)} of the {len(items)} jobs ran "
             f"({', '.join(map(repr, missing[:5]))} never did), so {what} could not be judged."
             + _futures_hint(run.value))
    return ivs


def test_results_in_order(student: Student) -> None:
    for kind, run, items in (("thread", _thread_run(student), THREAD_ITEMS),
                             ("process", _process_run(student), PROCESS_ITEMS)):
        value = student.require(run)
        expected = [f"{x}:{SALT}" for x in items]
        if value != expected:
            why = (_futures_hint(value).strip()
                   or difference(value, expected, noun="result") + "."
                   if difference(value, expected, noun="result")
                   else f"it is a {type(value).__name__}, not a list.")
            fail(f"with a {kind} pool, map_with_pool should return the {len(items)} results "
                 f"in the order of the items; it returned {value!r:.300}: {why}")
        _require_jobs(run, kind, items, "that the results came from the jobs")


def test_bounded(student: Student) -> None:
    runs = (("thread", _thread_run(student)), ("process", _process_run(student)))
    for _, run in runs:
        student.require(run)
    # Positive evidence that a pool ran: jobs seen starting in either run, or the process
    # pool's worker processes seen starting (they start as the jobs are submitted, so a
    # program that returns before its jobs get going still shows them).
    if not any(intervals(run) for _, run in runs) and not child_pids(runs[1][1]):
        _require_jobs(runs[0][1], "thread", THREAD_ITEMS, "how many ran at a time",
                      finished=False)
    for kind, run in runs:
        peak = peak_concurrency(intervals(run))
        if peak > WORKERS:
            fail(f"a {kind} pool of {WORKERS} workers ran {peak} jobs at the same time: create "
                 f"the pool with max_workers=workers")


def test_uses_workers(student: Student) -> None:
    for kind, run in (("thread", _thread_run(student)), ("process", _process_run(student))):
        student.require(run)
        items = THREAD_ITEMS if kind == "thread" else PROCESS_ITEMS
        _require_jobs(run, kind, [], "whether the pool kept its workers busy", finished=False)
        ivs = intervals(run)
        # the call returned (require), so it has an end; without one nothing counts as done
        returned_at = run.call_end if run.call_end is not None else float("-inf")
        done = [i for i in ivs if i.end is not None and i.end <= returned_at]
        if len(done) < len(items):
            never = [x for x in items if x not in {i.arg for i in ivs}]
            late = [i.arg for i in ivs if i.end is None or i.end > returned_at]
            if late:      # it returned while jobs were running: the rest were queued
                why = (f"{len(late)} were still running and {len(never)} had not started: "
                       f"wait for every result before returning")
            else:         # every job it started had finished: the others were never given
                why = (f"{', '.join(map(repr, never[:5]))} never ran at all: run func(item) "
                       f"for every item")
            fail(f"with a {kind} pool, map_with_pool returned after only {len(done)} of the "
                 f"{len(items)} jobs had finished; {why}." + _futures_hint(run.value))
        peak = peak_concurrency(done)
        if peak < WORKERS:
            fail(f"a {kind} pool of {WORKERS} workers never ran more than {peak} job(s) at a "
                 f"time: hand all the jobs to one pool of `workers` workers, so they run "
                 f"side by side")


def test_exceptions(student: Student) -> None:
    bad = PROCESS_ITEMS[3]
    for kind in ("process", "thread"):
        run = student.call("map_with_pool", _job(fail_on=bad), list(PROCESS_ITEMS), kind,
                           WORKERS, timeout=10)
        if not any(i.arg == bad for i in intervals(run)):
            fail(f"with a {kind} pool, job {bad} never ran (it would have raised JobFailed), "
                 f"so whether its exception reaches the caller could not be seen"
                 + (f"; map_with_pool returned {run.value!r:.80}" if run.returned else
                    f"; map_with_pool {run.explain()}") + "." + _futures_hint(run.value))
        if run.returned:
            fail(f"with a {kind} pool, job {bad} raised JobFailed, but map_with_pool returned "
                 f"normally: the error was swallowed. A job's exception is kept in its Future "
                 f"and raised again by .result() -- let it reach the caller."
                 + _futures_hint(run.value))
        if run.status != "raised":
            fail(run.explain())
        if run.exc_type != "JobFailed" or SALT not in run.message:
            fail(f"with a {kind} pool, job {bad} raised JobFailed; the caller got "
                 f"{run.exc_type}: {run.message[:200]} instead. Let the job's own exception "
                 f"through (do not catch it and raise another)")


def test_no_leftover(student: Student) -> None:
    run = _process_run(student)
    student.require(run)
    if run.children_after:
        fail(f"when map_with_pool returned, {len(run.children_after)} worker process(es) of the "
             f"process pool were still alive: shut the pool down (leaving a `with` block "
             f"does it)")
    _require_jobs(run, "process", PROCESS_ITEMS, "whether the pool was shut down",
                  finished=False)
    if not {i.pid for i in intervals(run)} - {run.probe_pid}:
        fail("with kind 'process', every job ran in the calling process itself: there was no "
             "process pool whose shutdown could be checked. Use a ProcessPoolExecutor (or "
             "multiprocessing.Pool) of `workers` processes.")
    run = student.call("", _job(), [0.1, 0.2, 0.05, 0.15, 0.1], "thread", WORKERS, timeout=10,
                       scenario="workers_t10_pools.threads_left")
    left = student.require(run)
    if not isinstance(left, dict) or not isinstance(left.get("left"), list):
        fail(f"the check could not read what map_with_pool left behind: {left!r:.200}")
    if left["left"]:
        fail(f"when map_with_pool returned, {len(left['left'])} thread(s) of the thread pool were "
             f"still alive ({', '.join(map(str, left['left']))}): shut the pool down (leaving a "
             f"`with` block does it)")
    # the call runs in the sandbox's main thread: a job there ran in no pool
    if not {i.thread for i in intervals(run) if i.thread != "MainThread"}:
        fail("with kind 'thread', no job ran in a thread of a pool (func was never called "
             "from a worker thread), so there was no thread pool whose shutdown could be "
             "checked.")
