"""Hidden checks for t04_daemon_threads: who waits for whom when a program ends.

What the program prints is OBSERVED: a checker scenario runs the student's file as its own
Python process and reads its output (a daemon thread is cut off only when a real program
ends). The first three lines come from three threads racing to print, so their order is not
part of any verdict; the end lines are, and they are decided by sleeps with wide margins.
"""
from __future__ import annotations

from grader.evidence import difference
from grader.harness import Student, fail

STARTS = {"123", "456", "main-------"}
CANON = ["123", "456", "main-------", "end123", "end456"]
# run_program's other durations: the notes' shape (daemon shorter) and the cut-off case
# (daemon still sleeping when bar, the only non-daemon thread, is done).
SHAPE = (0.05, 0.5)
CUT_OFF = (2.0, 0.1)


def _same(lines: object, expected: list[str]) -> bool:
    """Equal, except that the first three lines (the racing starts) may come in any order."""
    return (isinstance(lines, list) and len(lines) == len(expected)
            and set(lines[:3]) == set(expected[:3]) and lines[3:] == expected[3:])


def _differs(lines: object, expected: list[str]) -> str:
    """What differs, computed: the first three lines may come in any order."""
    if isinstance(lines, list) and set(lines[:3]) == set(expected[:3]):
        lines = expected[:3] + lines[3:]
    return difference(lines, expected, noun="line")


def _observe(student: Student, *argv: float) -> dict:
    run = student.shared_call("", *argv, timeout=12, scenario="workers_t04_daemon_threads.observe")
    report = student.require(run)
    if not isinstance(report, dict) or "printed" not in report:
        fail(f"the checker's scenario did not report (got {report!r})")
    return report


def _program_ok(obs: dict, expected: list[str], how: str) -> None:
    if obs.get("returncode") != 0:
        fail(f"python t04_daemon_threads.py {how} did not end normally "
             f"(exit code {obs.get('returncode')}): {obs.get('stderr', '')[-400:]}")
    if not _same(obs["printed"], expected):
        fail(f"run as a program ({how}), your file printed {obs['printed']}; the notes' "
             f"program prints {expected} (the first three in any order). Keep foo, bar and "
             f"main() as given: t1 (foo) a daemon, t2 (bar) not.")


def test_prediction(student: Student) -> None:
    obs = _observe(student)
    _program_ok(obs, CANON, "with its own durations")
    predicted, printed = obs["predicted"], obs["printed"]
    if not isinstance(predicted, list):
        fail(f"PREDICTED should be a list of the printed lines, as strings; it is "
             f"{predicted.get('not_lines') if isinstance(predicted, dict) else predicted}")
    if any("TODO" in line for line in predicted):
        fail("PREDICTED is still the TODO: run python t04_daemon_threads.py, or think it "
             "through, and write the lines it prints in order")
    if _same(predicted, printed):
        return
    if "end123" not in predicted:
        fail(f"you predicted {predicted}, but the program printed {printed}: foo is a daemon "
             f"thread, yet it does print end123 — the program cannot end before bar, which is "
             f"not a daemon, and foo's sleep is over first")
    if "end456" not in predicted:
        fail(f"you predicted {predicted}, but the program printed {printed}: the main thread "
             f"ends after printing, but the program waits for bar (not a daemon), so end456 "
             f"is printed")
    fail(f"you predicted {predicted}, but the program printed {printed}: "
         f"{_differs(predicted, printed)}")


def _student_run(student: Student, durations: tuple[float, float]) -> dict:
    run = student.shared_call("", *durations, timeout=15,
                              scenario="workers_t04_daemon_threads.run_program")
    report = student.require(run)
    if not isinstance(report, dict) or "observed" not in report:
        fail(f"the checker's scenario did not report (got {report!r})")
    if "error" in report:
        fail(f"run_program({durations[0]}, {durations[1]}) raised {report['error']}")
    return report


def _judge_run_program(report: dict, durations: tuple[float, float], expected: list[str]) -> None:
    call = f"run_program({durations[0]}, {durations[1]})"
    value = report["value"]
    if not isinstance(value, list):
        fail(f"{call} should return the printed lines as a list of strings; it returned "
             f"{value.get('not_lines')}")
    if report.get("procfs") and not report.get("ran_file"):
        fail(f"{call} returned {value} without running t04_daemon_threads.py as a program of "
             f"its own (no such process was seen). Only a real program ends, so only a real "
             f"program shows which lines a daemon thread never prints: run the file with "
             f"subprocess and return its output lines.")
    if not _same(value, expected):
        fail(f"{call} returned {value}, but the program prints {expected} (the first three "
             f"in any order): {_differs(value, expected)}. Return the lines of its output, "
             f"nothing more or less")


def test_run_program(student: Student) -> None:
    report = _student_run(student, SHAPE)
    _program_ok(report["observed"], CANON, f"with {SHAPE[0]} s and {SHAPE[1]} s")
    _judge_run_program(report, SHAPE, CANON)


def test_daemon_cut_off(student: Student) -> None:
    expected = ["123", "456", "main-------", "end456"]
    report = _student_run(student, CUT_OFF)
    obs = report["observed"]
    if "end123" in obs["printed"] or obs.get("seconds", 0) > CUT_OFF[0]:
        fail(f"with foo sleeping {CUT_OFF[0]} s and bar {CUT_OFF[1]} s, your program waited "
             f"for foo and printed {obs['printed']}: a daemon thread still sleeping when the "
             f"program ends is stopped, and never prints its last line. Is t1 still a daemon "
             f"(t1.daemon = True before t1.start())?")
    _program_ok(obs, expected, f"with {CUT_OFF[0]} s and {CUT_OFF[1]} s")
    value = report["value"]
    if isinstance(value, list) and "end123" in value:
        fail(f"run_program({CUT_OFF[0]}, {CUT_OFF[1]}) returned {value}, but the program never "
             f"prints end123: foo, a daemon, is still asleep when bar ends, and the program "
             f"ends without it. Did you assume the output instead of running the program?")
    _judge_run_program(report, CUT_OFF, expected)
