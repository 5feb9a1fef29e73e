"""Student ids and their results folders: one sanitizer, distinct folders, a warning on a clash."""
from __future__ import annotations

import csv
import hashlib
import json
import shutil

import pytest

from grader import student_id
from grader.cli import main
from grader.errors import SubmissionError

from .conftest import ROOT

SOLUTION = ROOT / "solutions/p05_join/p05_join.py"
STUB = ROOT / "exercises/p05_join/p05_join.py"


def _hash6(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:6]


@pytest.mark.parametrize(("name", "expected"), [
    ("ann", "ann"),
    ("  ann smith ", "ann smith"),
    ("a/b\\c", "a_b_c"),
    ("tab\there", "tab_here"),
    ("..", "unnamed"),
    (".", "unnamed"),
    ("", "unnamed"),
    ("h\udcffank", "h\ufffdank"),
])
def test_clean_gives_a_printable_id_that_is_never_a_path(name, expected):
    assert student_id.clean(name) == expected


@pytest.mark.parametrize(("student", "expected"), [
    ("ann", "ann"),
    ("ann smith", "ann_smith"),
    ("ann.smith@uni.edu", "ann.smith@uni.edu"),
    ("José", "Jos_"),
    ("..hidden.", "hidden"),
    ("...", "unnamed"),
    ("h\ufffdank", "h_ank"),
])
def test_folder_name_is_one_safe_folder(student, expected):
    assert student_id.folder_name(student) == expected


def test_ids_that_make_one_folder_get_distinct_folders_and_a_collision_naming_both():
    folders = student_id.assign_folders(["ann_smith", "bob", "ann smith", "ann-smith"])
    suffix = _hash6("ann smith")
    assert folders.by_student == {"ann_smith": "ann_smith", "bob": "bob",
                                  "ann smith": f"ann_smith-{suffix}", "ann-smith": "ann-smith"}
    [clash] = folders.collisions
    assert clash == student_id.Collision("ann_smith", ("ann smith", "ann_smith"),
                                         (f"ann_smith-{suffix}", "ann_smith"))
    assert clash.message == (
        f"students 'ann smith' and 'ann_smith' would share the results folder ann_smith/; "
        f"each gets its own: 'ann smith' → ann_smith-{suffix}/, 'ann_smith' → ann_smith/")


def test_a_students_folder_does_not_depend_on_the_rest_of_the_class():
    alone = student_id.assign_folders(["ann smith"])
    assert alone.by_student == {"ann smith": "ann_smith"} and alone.collisions == ()
    # two unsafe ids that clash: both get the suffix of their own id, in any order
    one = student_id.assign_folders(["ann smith", "ann?smith"]).by_student
    other = student_id.assign_folders(["ann?smith", "ann smith", "zoe"]).by_student
    assert one == {"ann smith": f"ann_smith-{_hash6('ann smith')}",
                   "ann?smith": f"ann_smith-{_hash6('ann?smith')}"}
    assert {k: other[k] for k in one} == one


def test_an_id_equal_to_another_students_suffixed_folder_is_an_error_not_a_crash():
    taken = f"ann_smith-{_hash6('ann smith')}"
    with pytest.raises(SubmissionError, match=f"'ann smith' both need the results folder {taken}/"):
        student_id.assign_folders([taken, "ann smith", "ann_smith"])


def test_ann_smith_and_ann_underscore_smith_are_both_graded(tmp_path, capsys):
    klass = tmp_path / "class"
    for name, module in {"ann smith": SOLUTION, "ann_smith": STUB}.items():
        (klass / name / "p05_join").mkdir(parents=True)
        shutil.copy(module, klass / name / "p05_join" / "p05_join.py")
    out = tmp_path / "out"
    code = main(["--course", str(ROOT / "course.yaml"), "grade", "-e", "p05_join", "--lines",
                 "--jobs", "2", str(klass), "--out", str(out)])
    assert code == 0
    suffixed = f"ann_smith-{_hash6('ann smith')}"
    err = capsys.readouterr().err
    assert (f"grader: warning: students 'ann smith' and 'ann_smith' would share the results "
            f"folder ann_smith/; each gets its own: 'ann smith' → {suffixed}/, "
            f"'ann_smith' → ann_smith/") in err
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["ann_smith", suffixed]
    assert json.loads((out / suffixed / "results.json").read_text())["extra_data"]["student"] \
        == "ann smith"
    rows = list(csv.DictReader((out / "gradebook.csv").read_text().splitlines()))
    assert [(r["student"], r["p05_join"]) for r in rows] == [("ann smith", "12"), ("ann_smith", "6")]
    page = (out / "report.html").read_text()
    assert f"<a href='{suffixed}/feedback.html'>" in page
    assert "<a href='ann_smith/feedback.html'>" in page
    # a rerun finds both up to date, each in its own folder
    assert main(["--course", str(ROOT / "course.yaml"), "grade", "-e", "p05_join", "--lines",
                 str(klass), "--out", str(out)]) == 0
    assert "grading 0 of 2 submission(s)" in capsys.readouterr().err
