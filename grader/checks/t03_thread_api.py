"""Hidden checks for t03_thread_api: today's threading names, with DeprecationWarning as an
error. The checker makes the threads itself, in states it chose, so the right answer is known
here before the student's code runs."""
from __future__ import annotations

import re

from grader.evidence import difference
from grader.harness import Student, fail

MODERN = {
    "isAlive": "Thread.isAlive() was removed in Python 3.9: use t.is_alive()",
    "getName": "getName() is deprecated: read the attribute t.name",
    "setName": "setName() is deprecated: assign the attribute, t.name = new_name",
    "currentThread": "threading.currentThread() is deprecated: use threading.current_thread()",
    "activeCount": "threading.activeCount() is deprecated: use threading.active_count()",
}

NAMES = ["Subthread 1", "reader", "writer-7", "idle", "spare"]
ALIVE = [True, False, True, True, False]       # "spare" is never started


def _scenario(student: Student, name: str, *args: object) -> dict:
    run = student.call("", *args, timeout=10, scenario=f"workers_t03_thread_api.{name}")
    report = student.require(run)
    if not isinstance(report, dict):
        fail(f"the checker's scenario did not report (got {report!r})")
    if "error" in report:
        error = report["error"]
        hints = [h for old, h in MODERN.items() if old in error]
        hints += [h for h in _old_names_in_source(student) if h not in hints]
        strict = ("with DeprecationWarning as an error, "
                  if error.startswith("DeprecationWarning") else "")
        fail(f"{strict}your code raised {error}"
             + "".join(f"\n  {h}" for h in hints))
    return report


def _old_names_in_source(student: Student) -> list[str]:
    """The old names the submitted file still spells (read as text, never run here)."""
    try:
        text = (student.module_dir / f"{student.exercise.module}.py").read_text(errors="replace")
    except OSError:
        return []
    return [h for old, h in MODERN.items() if re.search(rf"\b{old}\b", text)]


def test_describe(student: Student) -> None:
    value = _scenario(student, "describe", NAMES, ALIVE).get("value")
    expected = list(zip(NAMES, ALIVE))
    pairs = ([tuple(v) if isinstance(v, (list, tuple)) else v for v in value]
             if isinstance(value, list) else value)
    if pairs != expected:
        fail(f"describe(threads) should give (name, is alive) for each thread, in order: "
             f"expected {expected}, got {value!r:.300}: "
             f"{difference(pairs, expected, noun='pair') or 'not a list of pairs'}. A thread "
             f"that finished, or was never started, is not alive.")


def test_count_running(student: Student) -> None:
    extra = 4
    r = _scenario(student, "count_running", extra)
    if r.get("during") != r.get("expected_during") or r.get("after") != r.get("expected_after"):
        fail(f"count_running() should count the threads alive right now (the main thread "
             f"included): with {extra} extra threads running it said {r.get('during')!r} "
             f"for {r.get('expected_during')}, and after they ended {r.get('after')!r} for "
             f"{r.get('expected_after')}")
    if r["during"] - r["after"] != extra:
        fail(f"count_running() did not follow the {extra} threads that came and went")


def test_rename(student: Student) -> None:
    new = ["renamed early", "renamed while running"]
    seen = _scenario(student, "rename", "before", new).get("seen")
    if seen != new:
        fail(f"rename(thread, name) should set the thread's name (before and after start): "
             f"expected {new}, the thread was called {seen}")


def test_current_name(student: Student) -> None:
    names = ["alpha-3", "beta-9"]
    value = _scenario(student, "current_name", names).get("value")
    if value != [*names, "MainThread"]:
        fail(f"current_name() should be the name of the thread that calls it: called in "
             f"{[*names, 'MainThread']} it gave {value!r}")
