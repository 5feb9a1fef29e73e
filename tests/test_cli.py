"""The command-line contract: exit codes, the files `grade` writes, and their shape."""
from __future__ import annotations

import csv
import json
import zipfile

from grader.cli import main
from grader.manifest import load
from grader.results import SubmissionResult
from grader.sandbox import detect

from .conftest import ROOT

COURSE = str(ROOT / "course.yaml")
GRADESCOPE_TEST_KEYS = {"name", "number", "score", "max_score", "status", "output",
                        "visibility", "tags"}


def grade(*args: str) -> int:
    return main(["--course", COURSE, "grade", *args])


def test_grade_writes_results_feedback_and_gradebook(tmp_path):
    sub = tmp_path / "alice"
    (sub / "p05_join").mkdir(parents=True)
    (sub / "p05_join" / "p05_join.py").write_text(
        (ROOT / "solutions/p05_join/p05_join.py").read_text())
    assert grade(str(sub), "-e", "p05_join", "--out", str(tmp_path / "out")) == 0
    data = json.loads((tmp_path / "out/alice/results.json").read_text())
    assert {"score", "execution_time", "output", "tests", "extra_data"} <= set(data)
    assert data["score"] == data["extra_data"]["max_score"] == 12
    declared = {c.id: c.visibility for c in load(COURSE).exercise("p05_join").checks}
    assert sorted(t["extra_data"]["check"] for t in data["tests"]) == sorted(declared)
    for test in data["tests"]:
        assert GRADESCOPE_TEST_KEYS <= set(test)
        assert test["status"] == "passed"              # the reference solution
        assert test["visibility"] == declared[test["extra_data"]["check"]]
        assert test["extra_data"]["exercise"] == "p05_join"
    assert data["extra_data"]["isolation"]["level"] == detect().level
    again = SubmissionResult.from_dict(data).to_dict()
    assert again == data, "results.json must round-trip through the model"
    assert "feedback for alice" in (tmp_path / "out/alice/feedback.md").read_text()
    rows = list(csv.DictReader((tmp_path / "out/gradebook.csv").read_text().splitlines()))
    assert [(r["student"], r["score"], r["p05_join"]) for r in rows] == [("alice", "12", "12")]


def test_a_zip_submission_is_graded_like_a_folder(tmp_path):
    with zipfile.ZipFile(tmp_path / "bob.zip", "w") as zf:
        zf.write(ROOT / "solutions/p05_join/p05_join.py", "bob/p05_join/p05_join.py")
    assert grade(str(tmp_path / "bob.zip"), "-e", "p05_join", "--out", str(tmp_path / "out")) == 0
    assert json.loads((tmp_path / "out/bob/results.json").read_text())["score"] == 12


def test_low_scores_still_exit_0_and_missing_exercises_cost_their_points(tmp_path):
    out = tmp_path / "out"
    assert grade(str(ROOT / "samples/syntax_error"), "--out", str(out)) == 0
    data = json.loads((out / "syntax_error/results.json").read_text())
    by_ex = {}
    for t in data["tests"]:
        by_ex.setdefault(t["extra_data"]["exercise"], set()).add(t["output"].split("\n")[0])
    assert any("syntax error in p05_join/p05_join.py, line 4" in o for o in by_ex["p05_join"])
    others = [ex for ex in by_ex if ex != "p05_join"]
    assert all(any(o.startswith("file missing") for o in by_ex[ex]) for ex in others)
    assert data["score"] == 0


def test_a_path_that_does_not_exist_exits_2(tmp_path, capsys):
    assert grade(str(tmp_path / "nobody"), "--out", str(tmp_path / "out")) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_two_submissions_with_one_student_id_are_refused(tmp_path, capsys):
    (tmp_path / "class" / "carol" / "p05_join").mkdir(parents=True)
    with zipfile.ZipFile(tmp_path / "class" / "carol.zip", "w") as zf:
        zf.writestr("p05_join/p05_join.py", "")
    assert grade(str(tmp_path / "class"), "--out", str(tmp_path / "out")) == 2
    assert "two submissions for student 'carol'" in capsys.readouterr().err


def test_self_check_prints_points_and_exits_1_on_failures(tmp_path, capsys):
    code = main(["--course", COURSE, "check", str(ROOT / "exercises"), "-e", "p05_join"])
    out = capsys.readouterr().out
    assert code == 1
    assert "p05_join" in out and "total:" in out and "is inside the loop that starts them" in out
    assert "reaped" not in out, "a check visible only after the due date leaked into the self-check"


def test_grader_without_a_manifest_says_where_it_looked(tmp_path, capsys):
    assert main(["--course", str(tmp_path / "course.yaml"), "validate"]) == 2
    assert "no such file" in capsys.readouterr().err
