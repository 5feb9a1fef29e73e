"""The Gradescope autograder bundle, run the way Gradescope runs it: unpacked into
<dir>/source, run_autograder copied to <dir>, the student's files in <dir>/submission, and
<dir>/results/results.json checked against Gradescope's schema and the manifest's visibility."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader import gradescope

from .conftest import ROOT

EXERCISE = "p05_join"      # the model exercise (docs/authoring.md); only it is submitted


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, course):
    return gradescope.build_bundle(course, tmp_path_factory.mktemp("gs") / "autograder.zip")


def test_bundle_layout(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = zf.namelist()
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert {"setup.sh", "run_autograder", "course.yaml", "requirements.txt"} <= set(names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert any(n.startswith("grader/checks/") for n in names)
    assert any(n.startswith("exercises/_kit/") for n in names)
    assert not [n for n in names if n.startswith(("solutions/", "tests/")) or "__pycache__" in n]


def _unpack(bundle: Path, root: Path) -> None:
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():      # zipfile drops modes; Gradescope keeps them
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(root / "source" / info.filename, mode)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")


def _run(root: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/root"),
           "KIT_AUTOGRADER_DIR": str(root), "KIT_PYTHON": sys.executable, "LANG": "C.UTF-8"}
    return subprocess.run([str(root / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_run_autograder_grades_a_gradescope_shaped_directory(bundle, course, tmp_path):
    root = tmp_path / "autograder"
    _unpack(bundle, root)
    ex = course.exercise(EXERCISE)
    sub = root / "submission"
    sub.mkdir()
    # Gradescope's drag-and-drop upload puts files flat at the submission root.
    shutil.copy(ROOT / "solutions" / ex.files[0], sub / Path(ex.files[0]).name)
    (sub / "conftest.py").write_text("import os; os._exit(0)\n")    # never collected
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "a@x.org"}]}))
    run = _run(root)
    assert run.returncode == 0, run.stdout + run.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    # Gradescope's schema: top-level score/tests; each test name, score, max_score, visibility.
    assert isinstance(data["score"], (int, float)) and isinstance(data["tests"], list)
    for t in data["tests"]:
        assert {"name", "score", "max_score", "visibility", "status", "output"} <= set(t)
        assert t["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
        assert t["status"] in ("passed", "failed")
    want = {(e.id, c.id): c for e in course.exercises for c in e.checks}
    got = {(t["extra_data"]["exercise"], t["extra_data"]["check"]): t for t in data["tests"]}
    assert set(got) == set(want)
    for key, c in want.items():
        assert got[key]["visibility"] == c.visibility, key
        if key[0] == EXERCISE:
            assert got[key]["score"] == got[key]["max_score"] == c.points, got[key]["output"]
        else:
            assert got[key]["score"] == 0 and "missing" in got[key]["output"]
    assert data["score"] == ex.max_points
    assert data["extra_data"]["student"] == "a@x.org"


def test_run_autograder_fails_closed(bundle, tmp_path):
    root = tmp_path / "autograder"
    _unpack(bundle, root)
    (root / "source" / "course.yaml").write_text("course: [broken\n")
    (root / "submission").mkdir()
    run = _run(root)
    assert run.returncode == 1
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 0 and data["tests"] == [] and "could not grade" in data["output"]
