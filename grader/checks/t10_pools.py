"""Hidden checks for t10_pools: a pool's results, its bound, its errors and its shutdown."""
from __future__ import annotations

import secrets

from _kit.launch import Opaque, Run
from grader.evidence import intervals, peak_concurrency
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


def test_results_in_order(student: Student) -> None:
    for kind, run, items in (("thread", _thread_run(student), THREAD_ITEMS),
                             ("process", _process_run(student), PROCESS_ITEMS)):
        value = student.require(run)
        expected = [f"{x}:{SALT}" for x in items]
        if value != expected:
            fail(f"with a {kind} pool, map_with_pool should return the {len(items)} results "
                 f"in the order of the items; it returned {value!r:.300}." + _futures_hint(value))


def test_bounded(student: Student) -> None:
    for kind, run in (("thread", _thread_run(student)), ("process", _process_run(student))):
        student.require(run)
        peak = peak_concurrency(intervals(run))
        if peak > WORKERS:
            fail(f"a {kind} pool of {WORKERS} workers ran {peak} jobs at the same time: create "
                 f"the pool with max_workers=workers")


def test_uses_workers(student: Student) -> None:
    for kind, run in (("thread", _thread_run(student)), ("process", _process_run(student))):
        student.require(run)
        done = [i for i in intervals(run) if i.end is not None and i.end <= run.call_end]
        if len(done) < len(THREAD_ITEMS if kind == "thread" else PROCESS_ITEMS):
            fail(f"with a {kind} pool, map_with_pool returned after only {len(done)} of the jobs "
                 f"had finished: wait for every result before returning."
                 + _futures_hint(run.value))
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
        if run.returned:
            fail(f"with a {kind} pool, job {bad} raised JobFailed, but map_with_pool returned "
                 f"normally: the error was swallowed. A job's exception is kept in its Future "
                 f"and raised again by .result() -- let it reach the caller.")
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
    run = student.call("", _job(), [0.1, 0.2, 0.05, 0.15, 0.1], "thread", WORKERS, timeout=10,
                       scenario="workers_t10_pools.threads_left")
    left = student.require(run)
    if not isinstance(left, dict) or not isinstance(left.get("left"), list):
        fail(f"the check could not read what map_with_pool left behind: {left!r:.200}")
    if left["left"]:
        fail(f"when map_with_pool returned, {len(left['left'])} thread(s) of the thread pool were "
             f"still alive ({', '.join(map(str, left['left']))}): shut the pool down (leaving a "
             f"`with` block does it)")
