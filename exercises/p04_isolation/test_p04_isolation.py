"""Public tests for p04_isolation. Run them with `pytest` in this folder.

The numbers passed in record every addition and the process it happened in, so the tests see
where the sum was computed."""
from functools import lru_cache

from _kit.testing import run_exercise, worker

ITEMS = [3, 4, 5]


@lru_cache(maxsize=None)      # the tests below judge different aspects of the same run
def total_of(items, start_method=None):
    numbers = [worker("workers_p04_isolation.Num", value=v) for v in items]
    r = run_exercise(__file__, "child_total", numbers, timeout=10, start_method=start_method)
    assert r.returned, r.explain()
    return r


def test_total_reaches_the_parent():
    r = total_of(tuple(ITEMS))
    assert r.value == sum(ITEMS), (
        f"child_total({ITEMS}) returned {r.value!r}, not {sum(ITEMS)}. The child changed its "
        f"own copy of the module's memory; the parent's copy did not change. Send the sum "
        f"back through a Queue or a Pipe.")


def test_sum_computed_in_a_child():
    r = total_of(tuple(ITEMS))
    uses = [e for e in r.events if e["ev"] == "use"]
    assert uses, "the items were never added up"
    assert all(e["pid"] != r.probe_pid for e in uses), (
        "the sum was computed in the calling process; compute it in a child Process")


def test_works_with_spawn():
    r = total_of((10, 20, 12), "spawn")
    assert r.value == 42, (
        f"with the spawn start method (macOS, Windows) child_total([10, 20, 12]) returned "
        f"{r.value!r}, not 42: pass the Queue to the child as an argument")
