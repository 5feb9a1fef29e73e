"""Public tests for t03_thread_api. Run them with `pytest` in this folder.

Each test calls your function with DeprecationWarning turned into an error, like
`python -W error::DeprecationWarning`."""
import re
from pathlib import Path

from _kit.testing import run_exercise

MODERN = {
    "isAlive": "isAlive() no longer exists: use t.is_alive()",
    "getName": "use t.name instead of t.getName()",
    "setName": "assign t.name = ... instead of t.setName(...)",
    "currentThread": "use threading.current_thread()",
    "activeCount": "use threading.active_count()",
}


def scenario(name, *args):
    r = run_exercise(__file__, "", *args, timeout=8, mode="scenario",
                     scenario=f"workers_t03_thread_api.{name}")
    assert r.returned, r.explain()
    if "error" in r.value:
        source = Path(__file__).with_name("t03_thread_api.py").read_text()
        hints = [h for old, h in MODERN.items()
                 if old in r.value["error"] or re.search(rf"\b{old}\b", source)]
        raise AssertionError(f"your code raised {r.value['error']}"
                             + "".join(f"\n  - {h}" for h in hints))
    return r.value


def test_describe_gives_names_and_states():
    value = scenario("describe", ["p1", "p2", "p3"], [True, False, False])["value"]
    expected = [("p1", True), ("p2", False), ("p3", False)]
    assert [tuple(v) for v in value] == expected, (
        f"p1 is running, p2 has finished, p3 was never started: describe should give "
        f"{expected}, not {value}")


def test_count_running_counts_the_live_threads():
    r = scenario("count_running", 2)
    assert (r["during"], r["after"]) == (r["expected_during"], r["expected_after"]), r


def test_rename_sets_the_name():
    assert scenario("rename", "p1", ["Subthread 1", "Subthread 2"])["seen"] == ["Subthread 1", "Subthread 2"]


def test_current_name_is_the_callers():
    assert scenario("current_name", ["p1"])["value"] == ["p1", "MainThread"]
