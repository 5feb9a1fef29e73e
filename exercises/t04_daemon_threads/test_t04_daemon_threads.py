"""Public tests for t04_daemon_threads. Run them with `pytest` in this folder.

The tests run your file as a program of its own and read what it really printed. The first
three lines come from three threads racing to print, so their order is not checked."""
import functools

import pytest

from _kit.testing import run_exercise, together

RUN_PROGRAM = (0.1, 0.3)          # foo (the daemon) ends first: all five lines print
CUT_OFF = (1.0, 0.1)              # foo is still asleep when bar ends: no end123


@functools.cache                  # each distinct run once
def _run(name, *args):
    return run_exercise(__file__, "", *args, timeout=12, mode="scenario",
                        scenario=f"workers_t04_daemon_threads.{name}")


@pytest.fixture(scope="module", autouse=True)
def _runs_at_once():
    """The three runs mostly wait for the programs' sleeps: make them at the same time."""
    together(lambda: _run("observe"), lambda: _run("run_program", *RUN_PROGRAM),
             lambda: _run("run_program", *CUT_OFF))


def scenario(name, *args):
    r = _run(name, *args)
    assert r.returned, r.explain()
    return r.value


def same(lines, expected):
    return (isinstance(lines, list) and len(lines) == len(expected)
            and set(lines[:3]) == set(expected[:3]) and lines[3:] == expected[3:])


def test_prediction_matches_the_program():
    obs = scenario("observe")
    predicted, printed = obs["predicted"], obs["printed"]
    assert isinstance(predicted, list) and not any("TODO" in p for p in predicted), (
        "PREDICTED is still the TODO: write the lines the program prints, in order")
    assert same(predicted, printed), (
        f"you predicted {predicted}, but the program printed {printed}")


def test_run_program_returns_what_the_program_prints():
    report = scenario("run_program", *RUN_PROGRAM)
    call = f"run_program{RUN_PROGRAM}"
    assert "error" not in report, f"{call} raised {report.get('error')}"
    printed = report["observed"]["printed"]
    assert same(report["value"], printed), (
        f"{call} returned {report['value']}, but the program printed {printed}")
    assert report["ran_file"] or not report["procfs"], (
        "run_program should run this file as a program of its own (subprocess), not call main()")


def test_a_sleeping_daemon_never_prints_its_last_line():
    report = scenario("run_program", *CUT_OFF)
    assert "error" not in report, f"run_program{CUT_OFF} raised {report.get('error')}"
    value = report["value"]
    assert isinstance(value, list) and "end456" in value and "end123" not in value, (
        f"with foo (a daemon) sleeping 1.0 s and bar 0.1 s, the program ends when bar is done "
        f"and foo never prints end123; run_program returned {value}")
