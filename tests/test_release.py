"""The student bundle: nothing of solutions/ or the hidden checks in it, no answer left in a
comment, and in a fresh virtual environment holding only the bundle's own requirements,
`pytest` runs and fails on the stubs exactly as tests/expectations/<id>.yaml says."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from grader import release
from grader.release import ReleaseError, answer_in_comments

from .conftest import ROOT


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, course):
    out = tmp_path_factory.mktemp("release") / "bundle"
    report = release.build(course, out)
    return out, report


def test_nothing_of_solutions_or_hidden_checks(bundle, course):
    out, report = bundle
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert {p.relative_to(out) for p in files} == set(report.files)
    secret = {digest(p): p for d in ("solutions", "grader") for p in (ROOT / d).rglob("*.py")}
    leaked = [f"{p.relative_to(out)} == {secret[digest(p)]}" for p in files
              if digest(p) in secret]
    assert not leaked, leaked
    names = {p.name for p in files}
    for ex in course.exercises:
        assert f"test_{ex.id}.py" in names or not (ROOT / "exercises" / ex.id / f"test_{ex.id}.py").exists()
        check_file = ROOT / "grader" / "checks" / f"{ex.id}.py"
        for c in ex.checks:   # a hidden check's function name appears nowhere in the bundle
            for p in files:
                if p.suffix == ".py" and check_file.is_file():
                    assert f"def test_{c.id}(student" not in p.read_text(encoding="utf-8"), p
    assert (out / "requirements.txt").read_text() == "pytest>=8\n"
    assert (out / "exercises" / "conftest.py").is_file() and (out / "exercises" / "_kit").is_dir()


def test_an_answer_in_a_comment_is_found():
    stub = "def f(ps):\n    for p in ps:\n        p.start()\n        p.join()\n    # for p in ps: p.join()\n    #     p.join()\n"
    solution = "def f(ps):\n    for p in ps:\n        p.start()\n    for p in ps:\n        p.join()\n"
    assert answer_in_comments(stub, solution) == []       # `p.join()` is in the stub's code too
    solution2 = solution.replace("for p in ps:\n        p.join", "for q in ps:\n        q.join")
    stub2 = ("def f(ps):\n    for p in ps:\n        p.start()  # BUG: nothing waits\n"
             "    # for q in ps:\n    #     q.join()\n")
    assert answer_in_comments(stub2, solution2) == [(4, "for q in ps:"), (5, "q.join()")]


def test_refuses_to_overwrite(tmp_path, course):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(ReleaseError, match="not empty"):
        release.build(course, tmp_path)


@pytest.mark.timeout(900)      # a venv, a pip install and every exercise's public tests
def test_pytest_in_a_fresh_venv_fails_on_the_stubs_as_expected(bundle, course, tmp_path):
    out, _ = bundle
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)     # pip below installs into it
    py = env_dir / "bin" / "python"
    clean = {"PATH": f"{env_dir / 'bin'}{os.pathsep}/usr/bin:/bin", "HOME": str(tmp_path),
             "LANG": "C.UTF-8"}
    for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS", "PIP_CONFIG_FILE"):
        if key in os.environ:
            clean[key] = os.environ[key]
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q",
                          "--disable-pip-version-check", "-r", "requirements.txt"],
                         cwd=out, env=clean, capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stderr
    junit = tmp_path / "junit.xml"
    run = subprocess.run([str(py), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          f"--junitxml={junit}"], cwd=out, env=clean, capture_output=True,
                         text=True, timeout=400)
    assert run.returncode == 1, f"expected test failures (exit 1):\n{run.stdout[-3000:]}"
    failed: dict[str, set[str]] = {}
    seen: dict[str, set[str]] = {}
    for case in ET.parse(junit).iter("testcase"):
        ex_id = case.get("classname", "").split(".")[-1].removeprefix("test_")
        seen.setdefault(ex_id, set()).add(case.get("name", ""))
        if case.find("failure") is not None or case.find("error") is not None:
            failed.setdefault(ex_id, set()).add(case.get("name", ""))
    for ex in course.exercises:
        expect_file = ROOT / "tests" / "expectations" / f"{ex.id}.yaml"
        if not expect_file.is_file():
            continue
        expected = set(yaml.safe_load(expect_file.read_text()).get("public_stub_fails") or [])
        assert ex.id in seen, f"no public test of {ex.id} ran in the bundle:\n{run.stdout[-2000:]}"
        assert failed.get(ex.id, set()) == expected, (
            f"{ex.id}: on the stub, {sorted(failed.get(ex.id, set()))} failed; "
            f"expected {sorted(expected)}")
    # only the bundle's own requirements: neither the kit nor its dependencies are there
    for module in ("grader", "yaml"):
        probe = subprocess.run([str(py), "-c", f"import {module}"], cwd=tmp_path, env=clean,
                               capture_output=True, timeout=60)
        assert probe.returncode != 0, f"{module} is importable in the fresh venv"
