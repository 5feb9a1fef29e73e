"""Every exercise, against its expectations (tests/expectations/<id>.yaml):

* the reference solution gets every point of the hidden checks;
* the untouched stub, and each fixture in tests/fixtures/<id>/, fail exactly the listed checks,
  with failure text that names the mistake;
* the public tests pass on the solution and fail on the stub as listed, without hanging.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader import manifest
from grader.grading import grade_workspace

from .conftest import ROOT, submission_with, workspace

COURSE = manifest.load(ROOT / "course.yaml")
EXPECT = {p.stem: yaml.safe_load(p.read_text()) for p in (ROOT / "tests/expectations").glob("*.yaml")}
IDS = [e.id for e in COURSE.exercises]
FIXTURES = [(ex_id, name) for ex_id in IDS
            for name in (EXPECT.get(ex_id, {}).get("fixtures") or {})]


def _grade(course, sandbox, tmp_path, ex_id: str, module_file: Path):
    ex = course.exercise(ex_id)
    src = submission_with(tmp_path, {ex.files[0]: module_file})
    return grade_workspace(course, workspace(course, src, tmp_path), sandbox, exercises=[ex_id])


def _verdict(result) -> str:
    return "\n".join(f"  {c.check}: {c.status} — {c.message}" for c in result.checks)


def _expect_fails(result, fails: list[str], says: dict[str, str]) -> None:
    failed = {c.check for c in result.checks if c.status != "passed"}
    assert not result.grader_errors, "grader errors:\n" + _verdict(result)
    assert failed == set(fails), f"expected exactly {sorted(fails)} to fail:\n" + _verdict(result)
    for check, words in (says or {}).items():
        text = next(c.message for c in result.checks if c.check == check)
        for word in [words] if isinstance(words, str) else words:
            assert word.lower() in text.lower(), f"{check}: {word!r} not in {text!r}"


def test_every_exercise_has_expectations():
    missing = [i for i in IDS if i not in EXPECT]
    assert not missing, f"tests/expectations/<id>.yaml missing for {missing}"


@pytest.mark.parametrize("ex_id", IDS)
def test_solution_gets_full_marks(ex_id, course, sandbox, tmp_path):
    ex = course.exercise(ex_id)
    result = _grade(course, sandbox, tmp_path, ex_id, ROOT / "solutions" / ex.files[0])
    # a check skipped for a platform reason (no /proc, one core) is out of the total
    skipped = sum(c.max_score for c in result.checks if c.status == "skipped")
    assert result.score == result.max_score == ex.max_points - skipped, _verdict(result)


@pytest.mark.parametrize("ex_id", IDS)
def test_stub_fails_the_checks_its_bug_breaks(ex_id, course, sandbox, tmp_path):
    ex = course.exercise(ex_id)
    expect = EXPECT[ex_id]["stub"]
    result = _grade(course, sandbox, tmp_path, ex_id, ROOT / "exercises" / ex.files[0])
    _expect_fails(result, expect["fails"], expect.get("says", {}))


@pytest.mark.parametrize("ex_id,name", FIXTURES)
def test_fixture_fails_the_checks_its_bug_breaks(ex_id, name, course, sandbox, tmp_path):
    expect = EXPECT[ex_id]["fixtures"][name]
    result = _grade(course, sandbox, tmp_path, ex_id, ROOT / "tests/fixtures" / ex_id / f"{name}.py")
    _expect_fails(result, expect["fails"], expect.get("says", {}))


def _public_tests(tmp_path: Path, ex_id: str, module_file: Path) -> tuple[int, str, float]:
    """Run the exercise's public tests as a student would, on `module_file`."""
    ex = COURSE.exercise(ex_id)
    kit = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises" / ex_id, kit / ex_id,
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "exercises" / "_kit", kit / "_kit",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "exercises" / "conftest.py", kit / "conftest.py")
    shutil.copy(module_file, kit / ex.files[0])
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "-p", "no:timeout", "--rootdir", str(kit),
                           "-o", "addopts=", str(kit / ex_id)],
                          capture_output=True, text=True, timeout=120, cwd=kit)
    out = proc.stdout + proc.stderr
    # the session's own time, as pytest reports it: interpreter start-up is not the tests'
    took = re.findall(r" in ([0-9.]+)s", out)
    return proc.returncode, out, float(took[-1]) if took else float("inf")


@pytest.mark.parametrize("ex_id", IDS)
def test_public_tests_pass_on_the_solution(ex_id, tmp_path):
    ex = COURSE.exercise(ex_id)
    code, out, _ = _public_tests(tmp_path, ex_id, ROOT / "solutions" / ex.files[0])
    assert code == 0, out[-3000:]


@pytest.mark.parametrize("ex_id", IDS)
def test_public_tests_fail_on_the_stub(ex_id, tmp_path):
    ex = COURSE.exercise(ex_id)
    code, out, elapsed = _public_tests(tmp_path, ex_id, ROOT / "exercises" / ex.files[0])
    assert code == 1, out[-3000:]
    failed = {line.split("::")[-1].split(" ")[0] for line in out.splitlines()
              if line.startswith("FAILED ")}
    assert failed == set(EXPECT[ex_id]["public_stub_fails"]), out[-3000:]
    assert elapsed < 30, f"the public tests took {elapsed:.1f} s on the stub"
