"""course.yaml is validated strictly: every error names the file, the key path and the line."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader import manifest
from grader.cli import main
from grader.errors import ManifestError

from .conftest import ROOT

GOOD = """\
course:
  id: c1
  title: Test course
defaults:
  timeout: 5
exercises:
  - id: p05_join
    title: Join
    topic: processes
    checks:
      - {id: overlap, kind: ordering, points: 3, description: "all at once"}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "course.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ManifestError) as info:
        manifest.load(write(tmp_path, text))
    return info.value.problems


def test_the_real_manifest_loads_into_typed_objects():
    course = manifest.load(ROOT / "course.yaml")
    ex = course.exercise("p05_join")
    assert ex.files == ("p05_join/p05_join.py",)
    assert {c.kind for c in ex.checks} <= set(manifest.KINDS)
    assert course.max_points == sum(e.max_points for e in course.exercises) > 0


def test_a_good_manifest_uses_defaults(tmp_path):
    course = manifest.load(write(tmp_path, GOOD))
    check = course.exercises[0].checks[0]
    assert (check.timeout, check.visibility, check.points) == (5.0, "visible", 3.0)
    assert course.exercises[0].module == "p05_join"


def test_unknown_key_suggests_the_right_one_with_its_line(tmp_path):
    found = problems(tmp_path, GOOD.replace("    topic: processes", "    topci: processes"))
    assert any("course.yaml:9" in p and "exercises[p05_join].topci" in p
               and "did you mean 'topic'?" in p for p in found), found


def test_wrong_type_and_bad_choice_are_reported_together(tmp_path):
    text = GOOD.replace("points: 3", "points: lots").replace("kind: ordering", "kind: ordring")
    found = "\n".join(problems(tmp_path, text))
    assert "checks[overlap].points: expected int or float, found 'lots'" in found
    assert "'ordring' is not one of" in found and "did you mean 'ordering'?" in found
    assert found.count("course.yaml:11") == 2


def test_missing_required_keys(tmp_path):
    found = "\n".join(problems(tmp_path, GOOD.replace("    title: Join\n", "")))
    assert "exercises[p05_join]: missing required key 'title'" in found


def test_duplicate_ids(tmp_path):
    text = GOOD + "      - {id: overlap, kind: timing, points: 1, description: again}\n"
    assert any("duplicate check id 'overlap'" in p for p in problems(tmp_path, text))


def test_bad_visibility_and_negative_timeout(tmp_path):
    text = GOOD.replace('description: "all at once"}',
                        'description: "x", visibility: secret, timeout: -1}')
    found = "\n".join(problems(tmp_path, text))
    assert "'secret' is not one of hidden, after_due_date, after_published, visible" in found
    assert "timeout: must not be negative" in found


def test_yaml_syntax_error_names_the_line(tmp_path):
    found = problems(tmp_path, GOOD.replace("  title: Test course", "  title: [unclosed"))
    assert len(found) == 1 and "course.yaml:" in found[0] and "not valid YAML" in found[0]


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(ManifestError, match="no such file"):
        manifest.load(tmp_path / "nope.yaml")
    with pytest.raises(ManifestError, match="empty"):
        manifest.load(write(tmp_path, ""))


def test_files_outside_the_submission_are_refused(tmp_path):
    text = GOOD.replace("    topic: processes", "    topic: processes\n    files: [../x.py]")
    assert any("must be a relative path inside the submission" in p
               for p in problems(tmp_path, text))


def test_validate_reports_missing_files_and_checks(tmp_path, capsys):
    text = GOOD.replace("id: p05_join", "id: p99_nothing").replace(
        "id: overlap", "id: nothing_here")
    assert main(["validate", str(write(tmp_path, text))]) == 2
    err = capsys.readouterr().err
    assert "exercises/p99_nothing/p99_nothing.py does not exist" in err
    assert "exercises/p99_nothing/README.md (the lesson) does not exist" in err
    assert "hidden checks" in err and "p99_nothing.py do not exist" in err


def test_validate_finds_checks_missing_from_the_module(tmp_path, capsys):
    text = GOOD.replace("id: overlap", "id: no_such_check")
    assert main(["validate", str(write(tmp_path, text))]) == 2
    err = capsys.readouterr().err
    assert "check 'no_such_check' has no function test_no_such_check" in err
    assert "defines test_overlap, which course.yaml does not list" in err


def test_validate_the_real_course_exits_0(capsys):
    assert main(["validate", str(ROOT / "course.yaml")]) == 0
    assert "OK" in capsys.readouterr().out
