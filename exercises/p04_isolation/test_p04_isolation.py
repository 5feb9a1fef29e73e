"""Public tests for p04_isolation. Run them with `pytest` in this folder."""
from _kit.testing import run_exercise, worker

ITEMS = [3, 4, 5]


def total_of(items, **options):
    r = run_exercise(__file__, "child_total", items, timeout=10, sample_processes=True, **options)
    assert r.returned, r.explain()
    return r


def test_total_reaches_the_parent():
    r = total_of(ITEMS)
    assert r.value == sum(ITEMS), (
        f"child_total({ITEMS}) returned {r.value!r}, not {sum(ITEMS)}. The child changed its "
        f"own copy of the module's memory; the parent's copy did not change. Send the sum "
        f"back through a Queue or a Pipe.")


def test_sum_computed_in_a_child():
    items = [worker("workers_p04_isolation.Num", value=v) for v in ITEMS]
    r = total_of(items)
    uses = [e for e in r.events if e["ev"] == "use"]
    assert uses, "the items were never added up"
    assert all(e["pid"] != r.probe_pid for e in uses), (
        "the sum was computed in the calling process; compute it in a child Process")


def test_works_with_spawn():
    r = total_of([10, 20, 12], start_method="spawn")
    assert r.value == 42, (
        f"with the spawn start method (macOS, Windows) child_total([10, 20, 12]) returned "
        f"{r.value!r}, not 42: pass the Queue to the child as an argument")
