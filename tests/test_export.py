"""LMS exports against golden files written from each format's published rules (docs/lms.md).

The results are built here (no grading), so the tests are fast and independent of the
exercises in course.yaml. Regenerate the golden files after a deliberate format change with
KIT_UPDATE_GOLDEN=1, and review the diff against the format's documentation.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from grader import cli, exporters, manifest, results
from grader.exporters import ExportError, ExportOptions
from grader.results import CheckResult, SubmissionResult
from grader.roster import load_roster

GOLDEN = Path(__file__).parent / "golden" / "export"
LMS_FORMATS = ["canvas", "moodle", "blackboard", "brightspace"]
TEXT_FORMATS = [*LMS_FORMATS, "csv"]

COURSE_YAML = """\
course: {id: c101, title: Concurrency}
exercises:
  - id: ex_a
    title: Join them all
    topic: processes
    checks:
      - {id: overlap, kind: ordering, points: 3, description: "tasks overlap"}
      - {id: reaped, kind: isolation, points: 2, visibility: hidden, description: "no zombies"}
  - id: ex_b
    title: Lock the counter
    topic: threads
    checks:
      - {id: total, kind: state, points: 4, description: "the count is exact"}
"""

ROSTER = (
    "student,name,email,username,lms_id,sis_id,sis_login,section\r\n"
    'ada,"Lovelace, Ada ""Countess""",ada@example.org,alovelace,1001,S-1,ada.l,Mon\r\n'
    "bob,Zoë Ångström-Ñúñez,zoe@example.org,zangstrom,1002,S-2,,Tue\r\n"
    "dave,Dave Null,dave@example.org,dnull,1003,S-3,,Tue\r\n"
)


def check(ex: str, cid: str, score: float, top: float, status: str = "passed",
          visibility: str = "visible", message: str = "", description: str = "") -> CheckResult:
    return CheckResult(exercise=ex, check=cid, kind="state", status=status, score=score,
                       max_score=top, description=description or cid, visibility=visibility,
                       message=message)


def submissions() -> list[SubmissionResult]:
    return [
        SubmissionResult(student="ada", course="c101", late={"days_late": 1, "penalty": 0.1},
                         checks=(check("ex_a", "overlap", 3, 3), check("ex_a", "reaped", 2, 2),
                                 check("ex_b", "total", 0, 4, "failed",
                                       message="lost 3 increments, 2, 1")),),
        SubmissionResult(student="bob", course="c101",
                         checks=(check("ex_a", "overlap", 0, 3, "failed",
                                       message="the tasks ran one after another\nmore detail"),
                                 check("ex_a", "reaped", 0, 2, "failed", "hidden", "zombie"),
                                 check("ex_b", "total", 4, 4))),
        SubmissionResult(student="carol", course="c101",
                         checks=(check("ex_a", "overlap", 3, 3), check("ex_a", "reaped", 0, 2,
                                                                       "error", "hidden"),
                                 check("ex_b", "total", 4, 4))),
    ]


@pytest.fixture
def setup(tmp_path):
    (tmp_path / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
    graded = tmp_path / "graded"
    for r in submissions():
        results.save(r, graded / r.student / "results.json")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path, manifest.load(tmp_path / "course.yaml"), graded


def golden(name: str, produced: Path) -> None:
    path = GOLDEN / name
    data = produced.read_bytes()
    if os.environ.get("KIT_UPDATE_GOLDEN"):
        path.write_bytes(data)
    assert path.is_file(), f"{path} missing; run with KIT_UPDATE_GOLDEN=1 and review it"
    assert data == path.read_bytes(), (
        f"{produced.name} differs from {path}:\n{data.decode('utf-8')}")


def read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


@pytest.mark.parametrize("columns", ["exercises", "total"])
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_golden(fmt, columns, setup):
    root, course, graded = setup
    out = root / f"{fmt}.csv"
    lms = {"ex_a": "501", "total": "777"} if fmt in ("canvas", "blackboard") else {}
    report = exporters.export(fmt, graded, course, out, load_roster(root / "roster.csv"),
                              ExportOptions(columns=columns, lms_ids=lms, drop_unmatched=True))
    golden(f"{fmt}-{columns}.csv", out)
    assert report.not_in_roster == ("carol",)
    assert report.no_submission == ("dave",)
    assert report.omitted == (() if fmt == "csv" else ("carol",))


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_names_round_trip_and_nobody_is_dropped_silently(fmt, setup):
    root, course, graded = setup
    out = root / "out.csv"
    roster = load_roster(root / "roster.csv")
    report = exporters.export(fmt, graded, course, out, roster,
                              ExportOptions(drop_unmatched=True))
    text = out.read_text(encoding="utf-8-sig")
    names = {e.name for e in roster if e.student != "dave"}
    cells = {cell for row in read(out) for cell in row}
    if fmt == "blackboard":       # split into Last Name / First Name columns
        assert {"Lovelace", 'Ada "Countess"', "Ångström-Ñúñez", "Zoë"} <= cells
    elif fmt == "brightspace":    # identifiers only
        assert {"#1001", "#1002"} <= cells
    else:
        assert names <= cells, f"{names - cells} did not round-trip"
    assert ("carol" in text) == (fmt == "csv")
    assert any("carol" in m for m in report.messages())
    assert any("dave" in m for m in report.messages())


def test_late_penalty_applies_to_every_column(setup):
    root, course, graded = setup
    out = root / "c.csv"
    exporters.export("csv", graded, course, out, None)
    rows = {r[0]: r for r in read(out)[1:]}
    header = read(out)[0]
    ada = dict(zip(header, rows["ada"]))
    assert (ada["ex_a"], ada["ex_b"], ada["total"]) == ("4.5", "0", "4.5")


@pytest.mark.parametrize("fmt", LMS_FORMATS)
def test_without_roster_an_lms_export_is_refused(fmt, setup):
    root, course, graded = setup
    with pytest.raises(ExportError, match=f"--format {fmt} needs --roster"):
        exporters.export(fmt, graded, course, root / "x.csv", None)
    assert not (root / "x.csv").exists()


@pytest.mark.parametrize("fmt", LMS_FORMATS)
def test_a_student_on_the_roster_without_a_result_is_left_out_not_blank(fmt, setup):
    root, course, graded = setup
    out = root / "x.csv"
    exporters.export(fmt, graded, course, out, load_roster(root / "roster.csv"),
                     ExportOptions(drop_unmatched=True))
    rows = read(out)
    assert not any("dnull" in r or "1003" in r or "#1003" in r or "Dave Null" in r for r in rows)
    assert all(cell != "" for r in rows[1:] for cell in r[-2:])


@pytest.mark.parametrize("fmt", LMS_FORMATS)
def test_a_graded_student_not_on_the_roster_stops_the_export(fmt, setup):
    root, course, graded = setup
    with pytest.raises(ExportError) as info:
        exporters.export(fmt, graded, course, root / "x.csv", load_roster(root / "roster.csv"))
    assert "carol: graded, but not in the roster" in str(info.value)
    assert "--drop-unmatched" in str(info.value)
    assert not (root / "x.csv").exists()


def test_blackboard_quotes_every_field(setup):
    root, course, graded = setup
    out = root / "bb.csv"
    exporters.export("blackboard", graded, course, out, load_roster(root / "roster.csv"),
                     ExportOptions(drop_unmatched=True))
    for line in out.read_text(encoding="utf-8").split("\r\n")[:-1]:
        fields = next(csv.reader([line]))
        assert line == ",".join('"' + f.replace('"', '""') + '"' for f in fields)


def test_brightspace_rows_end_with_the_indicator(setup):
    root, course, graded = setup
    out = root / "d2l.csv"
    exporters.export("brightspace", graded, course, out, load_roster(root / "roster.csv"),
                     ExportOptions(drop_unmatched=True))
    rows = read(out)
    assert rows[0][-1] == "End-of-Line Indicator"
    assert all(r[-1] == "#" for r in rows[1:])


def test_moodle_feedback_hides_hidden_checks(setup):
    root, course, graded = setup
    out = root / "m.csv"
    exporters.export("moodle", graded, course, out, load_roster(root / "roster.csv"),
                     ExportOptions(drop_unmatched=True))
    rows = read(out)
    assert rows[0][:2] == ["Username", "Full name"]
    bob = dict(zip(rows[0], next(r for r in rows if r[0] == "zangstrom")))
    text = bob["ex_a: Join them all (Feedback)"]
    assert text == ("0 / 5 points; failed ex_a / overlap: the tasks ran one after another; "
                    "1 check(s) not shown yet failed")


def test_canvas_refuses_a_title_canvas_would_ignore(tmp_path, setup):
    root, _, graded = setup
    (root / "course.yaml").write_text(COURSE_YAML.replace("Join them all", "Final Grade prep"),
                                      encoding="utf-8")
    with pytest.raises(ExportError, match="Final Grade"):
        exporters.export("canvas", graded, manifest.load(root / "course.yaml"), root / "x.csv")


def test_unknown_format_and_missing_results(setup):
    root, course, graded = setup
    with pytest.raises(ExportError, match="did you mean 'canvas'"):
        exporters.export("canvass", graded, course, root / "x.csv")
    with pytest.raises(ExportError, match="no <student>/results.json"):
        exporters.export("csv", root, course, root / "x.csv")
    (graded / "bob" / "results.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ExportError, match=r"bob/results.json"):
        exporters.export("csv", graded, course, root / "x.csv")


def test_cli_reports_unmatched_students(setup, capsys):
    root, _, graded = setup
    out = root / "canvas.csv"
    argv = ["--course", str(root / "course.yaml"), "export", "--from", str(graded),
            "--format", "canvas", "--roster", str(root / "roster.csv"), "-o", str(out)]
    assert cli.main(argv) == 2                     # carol is not on the roster: refused
    err = capsys.readouterr().err
    assert "carol: graded, but not in the roster" in err and not out.exists()
    assert cli.main([*argv, "--drop-unmatched"]) == 0
    err = capsys.readouterr().err
    assert "left out" in err and "carol" in err
    assert "no result" in err and "dave" in err
    assert cli.main([*argv, "--drop-unmatched", "--strict"]) == 1
    assert cli.main([*argv, "--lms-id", "nope"]) == 2


def _cli(root, graded, *extra):
    return cli.main(["--course", str(root / "course.yaml"), "export", "--from", str(graded),
                     "--roster", str(root / "roster.csv"), *extra])


def test_cli_plan_prints_every_change_and_writes_nothing(setup, capsys):
    root, _, graded = setup
    out = root / "m.csv"
    base = root / "base.csv"
    base.write_text("First name,Last name,ID number,Email address,"
                    "Assignment: ex_a: Join them all (Real),Assignment: ex_b: Lock the counter (Real)\n"
                    "Ada,Lovelace,S-1,ada@example.org,5.00,-\n"
                    "Zoë,Ångström-Ñúñez,S-2,zoe@example.org,0.00,4.00\n", encoding="utf-8")
    assert _cli(root, graded, "--format", "moodle", "--base", str(base), "--drop-unmatched",
                "--plan") == 0
    err = capsys.readouterr().err
    assert not out.exists()
    assert "moodle: would change 1 grade(s) of 1 student(s)" in err
    assert 'Lovelace, Ada "Countess" (ada) · ex_b: Lock the counter: — → 0' in err
    assert "ex_a: Join them all: 5 kept (the kit has 4.5, lower; --allow-lower" in err
    assert "--plan: nothing written" in err
    assert "the roster matches only part of the class: 1 graded student(s) are not on it: carol" in err
    assert _cli(root, graded, "--format", "moodle", "--base", str(base), "--drop-unmatched",
                "--allow-lower", "-o", str(out)) == 0
    rows = read(out)
    assert rows[0] == ["Username", "Full name", "ex_a: Join them all",
                       "ex_a: Join them all (Feedback)", "ex_b: Lock the counter",
                       "ex_b: Lock the counter (Feedback)"]
    assert [(r[0], r[2], r[4]) for r in rows[1:]] == [("alovelace", "4.5", "0")]


def test_cli_export_needs_an_output_unless_plan(setup, capsys):
    root, _, graded = setup
    assert _cli(root, graded, "--format", "canvas") == 2
    assert "needs -o FILE (or --plan" in capsys.readouterr().err


def test_base_of_the_wrong_lms_is_refused(setup):
    root, course, graded = setup
    base = root / "base.csv"
    base.write_text("Name,Score\nAda,1\n", encoding="utf-8")
    with pytest.raises(ExportError, match="none of the identifier columns ID, SIS User ID"):
        exporters.export("canvas", graded, course, root / "x.csv", load_roster(root / "roster.csv"),
                         ExportOptions(base=base, drop_unmatched=True))


def test_moodle_refuses_a_column_worth_more_than_100(setup):
    root, course, graded = setup
    big = manifest.Course(**{**course.__dict__, "exercises": tuple(
        manifest.Exercise(**{**e.__dict__, "checks": tuple(
            manifest.Check(**{**c.__dict__, "points": 60}) for c in e.checks)})
        for e in course.exercises)})
    with pytest.raises(ExportError, match="above 100 unless the site allows unlimited grades"):
        exporters.export("moodle", graded, big, root / "m.csv", load_roster(root / "roster.csv"),
                         ExportOptions(columns="total", drop_unmatched=True))


@pytest.mark.parametrize("sis, why", [("12,345", "as the number '12.345'"),
                                      ("1.234.5", "as the number '1234.5'")])
def test_canvas_refuses_ids_its_number_converter_would_change(setup, sis, why):
    root, course, graded = setup
    roster = [e if e.student != "ada" else type(e)(**{**e.__dict__, "sis_id": sis})
              for e in load_roster(root / "roster.csv")]
    with pytest.raises(ExportError, match=f"ada: Canvas reads SIS User ID '{sis}' {why}"):
        exporters.export("canvas", graded, course, root / "c.csv", roster,
                         ExportOptions(drop_unmatched=False))


def test_canvas_refuses_a_file_it_would_read_as_semicolon_separated():
    from grader.exporters.canvas import check_delimiter
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "a;b;c;d;e;f;g;h"],
            ["    Points Possible", "", "", "", "", "1;2;3;4;5;6;7;8"],
            ["Ann", "1", "", "", "", "1;2;3;4;5;6;7;8"]]
    with pytest.raises(ExportError, match="semicolon-separated"):
        check_delimiter(rows)
    check_delimiter([["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "a;b"],
                     ["    Points Possible", "", "", "", "", "1"], ["O'Hara; Jo", "1", "", "", "", "1"]])


def test_brightspace_and_blackboard_bases_match_their_own_export_headers(setup):
    root, course, graded = setup
    roster = load_roster(root / "roster.csv")
    d2l = root / "d2l.csv"
    d2l.write_text("OrgDefinedId,Username,Last Name,First Name,Email,"
                   "ex_a: Join them all Points Grade <Numeric MaxPoints:5>,"
                   "ex_b: Lock the counter Points Grade <Numeric MaxPoints:4>,End-of-Line Indicator\n"
                   "#1001,alovelace,Lovelace,Ada,ada@example.org,4.5,,#\n"
                   "#1002,zangstrom,Ångström-Ñúñez,Zoë,zoe@example.org,0,4,#\n", encoding="utf-8")
    out = root / "b.csv"
    report = exporters.export("brightspace", graded, course, out, roster,
                              ExportOptions(base=d2l, drop_unmatched=True))
    assert read(out) == [["OrgDefinedId", "ex_b: Lock the counter Points Grade",
                          "End-of-Line Indicator"], ["#1001", "0", "#"]]
    assert report.rows == 1
    bb = root / "bb-base.csv"
    bb.write_text('"Last Name","First Name","Username","Student ID","Last Access","Availability",'
                  '"ex_a: Join them all [Total Pts: 5 Score] |9001","ex_b: Lock the counter [Total Pts: 4 Score] |9002"\n'
                  '"Lovelace","Ada","alovelace","","","Yes","",""\n'
                  '"Ångström-Ñúñez","Zoë","zangstrom","","","Yes","0","4"\n', encoding="utf-8")
    exporters.export("blackboard", graded, course, out, roster,
                     ExportOptions(base=bb, drop_unmatched=True))
    assert read(out) == [["Last Name", "First Name", "Username",
                          "ex_a: Join them all [Total Pts: 5 Score] |9001",
                          "ex_b: Lock the counter [Total Pts: 4 Score] |9002"],
                         ["Lovelace", 'Ada "Countess"', "alovelace", "4.5", "0"]]


def test_a_moodle_base_in_percentages_is_refused(setup):
    root, course, graded = setup
    base = root / "base.csv"
    base.write_text("Email address,Assignment: ex_a: Join them all (Percentage)\n"
                    "ada@example.org,90.00 %\n", encoding="utf-8")
    with pytest.raises(ExportError, match="as percentages, not points"):
        exporters.export("moodle", graded, course, root / "m.csv", load_roster(root / "roster.csv"),
                         ExportOptions(base=base, drop_unmatched=True))
