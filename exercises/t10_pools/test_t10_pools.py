"""Public tests for t10_pools. Run them with `pytest` in this folder."""
import functools

import pytest

from _kit.launch import Opaque
from _kit.testing import run_exercise, together, worker

ITEMS = [0.15, 0.05, 0.1, 0.03, 0.08]    # seconds each job sleeps: they finish out of order
SALT = "public"


def job(**kwargs):
    return worker("workers_t10_pools.Job", salt=SALT, **kwargs)


@functools.lru_cache(maxsize=None)      # each distinct run once, judged by several tests
def pool_run(kind, fail_on=None):
    func = job(fail_on=fail_on) if fail_on is not None else job()
    return run_exercise(__file__, "map_with_pool", func, ITEMS, kind, 2, timeout=10)


@pytest.fixture(scope="module", autouse=True)
def _runs_at_once():
    """The three runs mostly wait for the jobs' sleeps: make them at the same time."""
    together(lambda: pool_run("thread"), lambda: pool_run("process"),
             lambda: pool_run("process", fail_on=0.1))


def futures_hint(value):
    if isinstance(value, list) and any(isinstance(v, Opaque) and "Future" in v.type_name
                                       for v in value):
        return (" You returned Future objects: a Future is a receipt, not the result. "
                "Call .result() on each one (or use pool.map).")
    return ""


def test_returns_the_results_in_order():
    r = pool_run("thread")
    assert r.returned, r.explain()
    expected = [f"{x}:{SALT}" for x in ITEMS]
    assert r.value == expected, (
        f"expected the results {expected}, in the order of the items; got {r.value!r}."
        + futures_hint(r.value))


def test_never_more_than_workers_at_once():
    r = pool_run("thread")
    assert r.returned, r.explain()
    running = peak = 0
    for e in r.events:
        running += {"start": 1, "end": -1}.get(e["ev"], 0)
        peak = max(peak, running)
    assert peak <= 2, f"a pool of 2 workers ran {peak} jobs at once: pass max_workers=workers"


def test_a_failing_job_raises_in_the_caller():
    r = pool_run("process", fail_on=0.1)
    assert r.status == "raised" and r.exc_type == "JobFailed", (
        "job 0.1 raised JobFailed, but map_with_pool "
        + ("returned normally: the exception was lost. It is stored in the job's Future "
           "and raised again by .result()" if r.returned else r.explain()))


def test_pool_is_shut_down():
    r = pool_run("process")
    assert r.returned, r.explain()
    assert not r.children_after, (
        f"when map_with_pool returned, {len(r.children_after)} worker processes of the pool "
        f"were still alive: shut the pool down (a `with` block does it for you)")
