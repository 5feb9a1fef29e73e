"""Timeout diagnoses for processes: where each child was blocked (its stack, dumped by
faulthandler before the kill) and the course's three queue mistakes named at their lines.
Each program in tests/stuck/stuck.py hangs one way; every one is run under fork and spawn, at
every sandbox level this machine has."""
from __future__ import annotations

import pytest

from _kit import diagnosis
from _kit.contract import RunOptions
from grader.sandbox import Sandbox

from .conftest import ROOT
from .test_hostile import isolation, write_course

STUCK = ROOT / "tests" / "stuck"
LEVELS = ["namespaces", "userns", "session"]


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    return write_course(tmp_path_factory.mktemp("diagnosis-course"))


def _stuck(course, level: str, function: str, start_method: str):
    box = Sandbox(course.limits, ROOT, isolation=isolation(level))
    run = box.run(STUCK, "stuck", function,
                  options=RunOptions(timeout=8, diagnose_after=5.5, start_method=start_method))
    assert run.status == "timeout", run.explain()
    return run.explain()


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
@pytest.mark.parametrize("level", LEVELS)
def test_a_parent_joining_a_consumer_nobody_stops(small_course, level, start_method):
    text = _stuck(small_course, level, "get_join", start_method)
    assert "MainThread: stuck.py:16 in get_join: `p.join()`" in text, text
    assert "Process-1 (pid" in text and "stuck.py:8 in consumer: `item = q.get()`" in text, text
    assert ("Your main process waits in `p.join()` (line 16) for Process-1" in text
            and "which waits in `item = q.get()` (line 8) for an item nobody will put" in text
            and "sentinel" in text), text


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
@pytest.mark.parametrize("level", LEVELS)
def test_a_child_that_cannot_exit_because_its_queue_was_never_drained(small_course, level,
                                                                        start_method):
    text = _stuck(small_course, level, "undrained", start_method)
    assert "its queue's feeder thread: still writing" in text, text
    assert "its function returned; it is waiting to exit" in text, text
    # under fork the child's stack also holds the parent's frames (copied at the fork): the
    # child must not be reported as waiting in the parent's p.start()
    assert "p.start()" not in text, text
    assert ("has finished its work but cannot exit" in text
            and "Your main process is joining it in `p.join()` (line 27)" in text
            and "before you join() the process" in text), text


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_a_parent_joining_a_producer_blocked_on_a_full_queue(small_course, start_method):
    text = _stuck(small_course, "session", "full_put", start_method)
    assert "stuck.py:33 in producer: `q.put(i)` (waiting in put() of multiprocessing/queues.py)" \
        in text, text
    assert "for room in a full queue that nobody empties" in text, text


def test_describe_groups_children_stuck_on_the_same_line():
    frames = [{"file": "multiprocessing/process.py", "line": 1, "func": "_bootstrap",
               "code": "", "student": False},
              {"file": "m.py", "line": 8, "func": "consumer", "code": "item = q.get()",
               "student": True},
              {"file": "multiprocessing/queues.py", "line": 100, "func": "get", "code": "",
               "student": False}]
    main = [{"file": "m.py", "line": 16, "func": "run", "code": "p.join()", "student": True},
            {"file": "multiprocessing/process.py", "line": 149, "func": "join", "code": "",
             "student": False}]
    text = diagnosis.describe({"threads": {"MainThread": main},
                               "processes": [{"pid": 7, "name": "Process-1", "threads": [frames]},
                                             {"pid": 8, "name": "Process-2", "threads": [frames]}]})
    assert "for Process-1 (pid 7) and Process-2 (pid 8), which wait in `item = q.get()` " \
           "(line 8)" in text, text
    assert text.count("Your main process waits") == 1, text


def test_no_diagnosis_means_no_text():
    assert diagnosis.describe({}) == ""


def test_a_crowd_of_children_is_summarised():
    frames = [{"file": "m.py", "line": 8, "func": "worker", "code": "time.sleep(9)",
               "student": True}]
    text = diagnosis.describe({"processes": [{"pid": n, "name": f"Process-{n}",
                                              "threads": [frames]} for n in range(30)]})
    assert text.count("m.py:8 in worker") == diagnosis.MAX_SHOWN
    assert f"... and {30 - diagnosis.MAX_SHOWN} more" in text
    threads = {f"Thread-{n}": frames for n in range(20)}
    assert "... and 12 more" in diagnosis.describe({"threads": threads})
