"""Each LMS file fed to the LMS's own parsing — Canvas's GradebookImporter rules on Ruby's CSV
(tests/lms/canvas_import.rb), Moodle's csvlib + grade/import/csv on PHP's fgetcsv
(tests/lms/moodle_import.php) — on one class built to hold every case of issue 15, asserting
the gradebook AFTER the import: every score on the right person, nothing blanked, no abort,
comments intact and free of text the student may not see yet.

Fast: results.json fixtures are written directly (no grading); each import is one ruby/php
process. Skipped, with the reason, where ruby or php is missing (.ci/run installs both).
"""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grader import exporters, manifest, results
from grader.exporters import ExportError, ExportOptions
from grader.exporters.moodle import php_field, readback
from grader.results import CheckResult, SubmissionResult
from grader.roster import load_roster

from .lms.offline_readers import Gradebook, _all_quoted, blackboard_upload, brightspace_import

LMS = Path(__file__).parent / "lms"
RUBY = shutil.which("ruby")
PHP = shutil.which("php")
needs_ruby = pytest.mark.skipif(RUBY is None, reason="ruby is not installed (.ci/run installs "
                                "Debian's ruby): Canvas's parser cannot be run")
needs_php = pytest.mark.skipif(PHP is None, reason="php is not installed (.ci/run installs "
                               "Debian's php-cli): Moodle's parser cannot be run")

DUE = datetime.now(UTC) + timedelta(days=7)     # after_due_date text is not shown yet
COURSE_YAML = f"""\
course: {{id: c101, title: Concurrency, due: "{DUE.isoformat()}"}}
exercises:
  - id: ex_a
    title: Join them all
    topic: processes
    checks:
      - {{id: overlap, kind: ordering, points: 3, description: "tasks overlap"}}
      - {{id: reaped, kind: isolation, points: 2, visibility: after_due_date,
          description: "SECRET-DESC no zombies"}}
      - {{id: ghost, kind: isolation, points: 1, visibility: hidden, description: "SECRET-H"}}
  - id: ex_b
    title: Lock the counter
    topic: threads
    checks:
      - {{id: total, kind: state, points: 4, description: "the count is exact"}}
"""

# Every case of the issue: accents, apostrophes, "_" in names and ids, a student who dropped
# (graded, on the roster, gone from the LMS), a student with no submission who already has a
# grade in the LMS (dave), a test account (in the LMS, not on the roster), a graded student
# not on the roster (carol), a student whose roster row has no LMS id (nina).
ROSTER = (
    "student,name,email,username,lms_id,sis_id,sis_login,section\r\n"
    'ada,"Lovelace, Ada ""Countess""",ada@example.org,alovelace,1001,S-1,ada.l,Mon\r\n'
    "zoe,Zoë Ångström-Ñúñez,zoe@example.org,zangstrom,1002,S-2,zoe_a,Tue\r\n"
    "sean,Seán O'Brien,sean@example.org,s_obrien,1004,S_4,s_obrien,Tue\r\n"
    "mary_ann,Mary_Ann de la Cruz,ma@example.org,mary_ann,1005,S-5,mary_ann,Mon\r\n"
    "dave,Dave Null,dave@example.org,dnull,1003,S-3,dnull,Tue\r\n"
    "dee,Dee Parted,dee@example.org,dparted,1006,S-6,dparted,Mon\r\n"
    "nina,Nina Noid,nina@example.org,,,,,Mon\r\n"
)
NASTY = ('C:\\temp\\"x" — naïve "quotes", commas, a \\ backslash\\\\"two", line\nbreak '
         + "long " * 400 + "end\\")


def check(ex: str, cid: str, score: float, top: float, status: str = "passed",
          visibility: str = "visible", message: str = "", description: str = "") -> CheckResult:
    return CheckResult(exercise=ex, check=cid, kind="state", status=status, score=score,
                       max_score=top, description=description or cid, visibility=visibility,
                       message=message)


def graded() -> list[SubmissionResult]:
    def sub(student, a, b, late=None, msg_a="the tasks ran one after another"):
        return SubmissionResult(student=student, course="c101", late=late or {}, checks=(
            check("ex_a", "overlap", a, 3, "passed" if a == 3 else "failed", message=msg_a),
            check("ex_a", "reaped", 0, 2, "failed", "after_due_date", "SECRET-MSG zombie 4242",
                  "SECRET-DESC no zombies"),
            check("ex_a", "ghost", 0, 1, "failed", "hidden", "SECRET-HIDDEN", "SECRET-H"),
            check("ex_b", "total", b, 4, "passed" if b == 4 else "failed",
                  message="lost 3 increments")))
    return [sub("ada", 3, 0, {"days_late": 1, "penalty": 0.1}), sub("zoe", 0, 4, msg_a=NASTY),
            sub("sean", 3, 4), sub("mary_ann", 1.5, 2), sub("dee", 3, 4), sub("carol", 3, 4),
            sub("nina", 3, 4)]


# ---------------------------------------------------------------------- the LMS gradebooks

CANVAS_STUDENTS = [
    {"id": 1001, "name": 'Ada "Countess" Lovelace', "sortable_name": 'Lovelace, Ada "Countess"',
     "sis_user_id": "S-1", "login_id": "ada.l"},
    {"id": 1002, "name": "Zoë Ångström-Ñúñez", "sortable_name": "Ångström-Ñúñez, Zoë",
     "sis_user_id": "S-2", "login_id": "zoe_a"},
    {"id": 1004, "name": "Seán O'Brien", "sortable_name": "O'Brien, Seán",
     "sis_user_id": "S_4", "login_id": "s_obrien"},
    {"id": 1005, "name": "Mary_Ann de la Cruz", "sortable_name": "de la Cruz, Mary_Ann",
     "sis_user_id": "S-5", "login_id": "mary_ann"},
    {"id": 1003, "name": "Dave Null", "sortable_name": "Null, Dave", "sis_user_id": "S-3",
     "login_id": "dnull"},
    {"id": 1006, "name": "Dee Parted", "sortable_name": "Parted, Dee", "sis_user_id": "S-6",
     "login_id": "dparted", "concluded": True},
    {"id": 1999, "name": "Test Student", "sortable_name": "Student, Test", "sis_user_id": "",
     "login_id": ""},
    # carol is not on the roster; a Canvas user with a name like nina's exists
    {"id": 1007, "name": "Nina Noid", "sortable_name": "Noid, Nina", "sis_user_id": "S-7",
     "login_id": "nnoid"},
]
CANVAS_BEFORE = {"1003": {"501": "3", "502": "2"}, "1999": {"501": "1"},
                 "1004": {"501": "5", "502": "4"}, "1005": {"502": "4"}}


def canvas_state() -> dict:
    return {"students": CANVAS_STUDENTS,
            "assignments": [{"id": 501, "title": "ex_a: Join them all"},
                            {"id": 502, "title": "ex_b: Lock the counter"}],
            "scores": json.loads(json.dumps(CANVAS_BEFORE))}


def canvas_base_csv(path: Path, scores: dict) -> Path:
    """The gradebook as Canvas's 'Export Entire Gradebook' writes it."""
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ex_a: Join them all (501)",
             "ex_b: Lock the counter (502)", "Current Score", "Final Score"],
            ["    Points Possible", "", "", "", "", "6.00", "4.00", "(read only)", "(read only)"]]
    for s in CANVAS_STUDENTS:
        if s.get("concluded"):
            continue
        got = scores.get(str(s["id"]), {})
        rows.append([s["sortable_name"], str(s["id"]), s["sis_user_id"], s["login_id"], "Mon",
                     got.get("501", ""), got.get("502", ""), "", ""])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


MOODLE_USERS = [
    {"id": 11, "username": "alovelace", "email": "ada@example.org", "idnumber": "S-1"},
    {"id": 12, "username": "zangstrom", "email": "zoe@example.org", "idnumber": "S-2"},
    {"id": 14, "username": "s_obrien", "email": "sean@example.org", "idnumber": "S_4"},
    {"id": 15, "username": "mary_ann", "email": "ma@example.org", "idnumber": "S-5"},
    {"id": 13, "username": "dnull", "email": "dave@example.org", "idnumber": "S-3"},
    {"id": 16, "username": "dparted", "email": "dee@example.org", "idnumber": "S-6"},
    {"id": 99, "username": "teststudent", "email": "test@example.org", "idnumber": ""},
    {"id": 17, "username": "nnoid", "email": "nina@example.org", "idnumber": "S-7"},
]
MOODLE_BEFORE = {"13": {"71": "3", "72": "2"}, "99": {"71": "1"}, "14": {"71": "5"}}


def moodle_state(map_from: str, map_to: str, columns: list[str]) -> dict:
    items = {"ex_a: Join them all": 71, "ex_b: Lock the counter": 72}
    return {"users": MOODLE_USERS, "map_from": map_from, "map_to": map_to,
            "items": {h: items[h] for h in columns if h in items},
            "feedback": {f"{h} (Feedback)": i for h, i in items.items()},
            "grades": json.loads(json.dumps(MOODLE_BEFORE))}


# ---------------------------------------------------------------------------- running them

@dataclass
class Class_:
    root: Path
    course: manifest.Course
    graded: Path
    roster: list


@pytest.fixture
def klass(tmp_path) -> Class_:
    (tmp_path / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
    out = tmp_path / "graded"
    for r in graded():
        results.save(r, out / r.student / "results.json")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return Class_(tmp_path, manifest.load(tmp_path / "course.yaml"), out,
                  load_roster(tmp_path / "roster.csv"))


def run(cmd: list[str], state: dict, tmp: Path) -> dict:
    path = tmp / "state.json"
    path.write_text(json.dumps(state), encoding="utf-8")
    done = subprocess.run([*cmd, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def canvas_import(csv_path: Path, state: dict) -> dict:
    return run([RUBY, str(LMS / "canvas_import.rb"), str(csv_path)], state, csv_path.parent)


def moodle_import(csv_path: Path, state: dict) -> dict:
    out = run([PHP, str(LMS / "moodle_import.php"), str(csv_path)], state, csv_path.parent)
    out["grades"] = {k: (v or {}) for k, v in (out["grades"] or {}).items()}
    out["feedback"] = out["feedback"] or {}
    return out


def kit_comment(klass: Class_, student: str, column_key: str) -> str:
    table = exporters.build_table(klass.course, [results.load(klass.graded / student /
                                                              "results.json")],
                                  None, ExportOptions())
    col = next(c for c in table.columns if c.key == column_key)
    return exporters.feedback(table.rows[0], col, klass.course)


# ---------------------------------------------------------------------------------- Canvas

@needs_ruby
def test_canvas_every_score_lands_on_the_right_person_and_nothing_is_blanked(klass):
    out = klass.root / "canvas.csv"
    report = exporters.export("canvas", klass.graded, klass.course, out, klass.roster,
                              ExportOptions(lms_ids={"ex_a": "501", "ex_b": "502"},
                                            drop_unmatched=True))
    assert dict(report.plan.dropped) == {
        "carol": "graded, but not in the roster",
        "nina": "no lms_id, sis_id, sis_login or username in the roster (Canvas would match "
                "this row by name)"}
    after = canvas_import(out, canvas_state())
    assert after["errors"] == [] and after["new_assignments"] == []
    assert after["unmatched_rows"] == []
    assert after["scores"] == {
        "1001": {"501": "2.7", "502": "0"},          # late: 3 * 0.9
        "1002": {"501": "0", "502": "4"},
        "1004": {"501": "3", "502": "4"},            # the kit's grade replaces the LMS's 5
        "1005": {"501": "1.5", "502": "2"},
        "1003": {"501": "3", "502": "2"},            # dave: no submission, grades untouched
        "1999": {"501": "1"},                        # the test account: untouched
    }                                                # dee: concluded; nina, carol: left out


@needs_ruby
def test_canvas_a_row_with_only_a_name_is_refused_not_matched_by_name(klass):
    with pytest.raises(ExportError, match=r"nina: no lms_id, sis_id, sis_login or username"):
        exporters.export("canvas", klass.graded, klass.course, klass.root / "c.csv",
                         [e for e in klass.roster], ExportOptions(lms_ids={"ex_a": "501"}))


@needs_ruby
def test_canvas_with_base_writes_only_changes_and_never_lowers_by_default(klass):
    base = canvas_base_csv(klass.root / "gradebook.csv", CANVAS_BEFORE)
    roster = [e for e in klass.roster if e.student != "nina"]
    out = klass.root / "canvas.csv"
    ids = {"ex_a": "501", "ex_b": "502"}
    report = exporters.export("canvas", klass.graded, klass.course, out, roster,
                              ExportOptions(lms_ids=ids, base=base, drop_unmatched=True))
    dropped = dict(report.plan.dropped)
    assert set(dropped) == {"carol", "dee", "nina"}
    assert "not in gradebook.csv" in dropped["dee"]
    assert [ln.strip() for ln in report.plan.lines()] == [
        "Lovelace, Ada \"Countess\" (ada) · ex_a: Join them all: — → 2.7",
        "Lovelace, Ada \"Countess\" (ada) · ex_b: Lock the counter: — → 0",
        "Zoë Ångström-Ñúñez (zoe) · ex_a: Join them all: — → 0",
        "Zoë Ångström-Ñúñez (zoe) · ex_b: Lock the counter: — → 4",
        "Seán O'Brien (sean) · ex_a: Join them all: 5 kept (the kit has 3, lower; "
        "--allow-lower to write it)",
        "Mary_Ann de la Cruz (mary_ann) · ex_a: Join them all: — → 1.5",
        "Mary_Ann de la Cruz (mary_ann) · ex_b: Lock the counter: 4 kept (the kit has 2, "
        "lower; --allow-lower to write it)"]
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r[1] for r in rows[2:]] == ["1001", "1002", "1005"]      # sean: nothing changed
    after = canvas_import(out, canvas_state())
    assert after["new_assignments"] == [] and after["unmatched_rows"] == []
    assert after["scores"] == {"1001": {"501": "2.7", "502": "0"}, "1002": {"501": "0", "502": "4"},
                               "1004": {"501": "5", "502": "4"}, "1005": {"501": "1.5", "502": "4"},
                               "1003": {"501": "3", "502": "2"}, "1999": {"501": "1"}}

    exporters.export("canvas", klass.graded, klass.course, out, roster,
                     ExportOptions(lms_ids=ids, base=base, drop_unmatched=True, allow_lower=True))
    after = canvas_import(out, canvas_state())
    assert after["scores"]["1004"] == {"501": "3", "502": "4"}
    assert after["scores"]["1005"] == {"501": "1.5", "502": "2"}
    assert after["scores"]["1003"] == {"501": "3", "502": "2"}


@needs_ruby
def test_canvas_the_files_before_issue_15_did_what_the_issue_says(klass, tmp_path):
    """The simulator reproduces the reported harm, so its 'after' assertions mean something."""
    bad = tmp_path / "bad.csv"
    bad.write_text("Student,ID,SIS User ID,SIS Login ID,Section,ex_a: Join them all (501)\n"
                   "    Points Possible,,,,,6\n"
                   "Dave Null,1003,,,,\n"                    # blank cell
                   "Someone,,,mary_ann,,6\n", encoding="utf-8")   # kit id as a login
    after = canvas_import(bad, canvas_state())
    assert "501" not in after["scores"]["1003"]              # dave's grade deleted
    assert after["scores"]["1005"]["501"] == "6"             # landed on a login that matched
    bad.write_text("Student,ID,SIS User ID,SIS Login ID,Section,ex_a: Join them all (abc)\n"
                   "Dave Null,1003,,,,6\n", encoding="utf-8")
    assert canvas_import(bad, canvas_state())["new_assignments"] == ["ex_a: Join them all (abc)"]


@pytest.mark.parametrize("lms_id, title, match", [
    ("abc", "Join them all", "must be the Canvas assignment id"),
    ("", "Override Status notes", "read-only Gradebook column"),
    ("", "Final Grade prep", "read-only Gradebook column"),
    ("501", "Section", "student column"),
])
def test_canvas_refuses_bad_ids_and_reserved_titles(klass, lms_id, title, match):
    (klass.root / "course.yaml").write_text(
        COURSE_YAML.replace("title: Join them all", f"title: {title}"), encoding="utf-8")
    course = manifest.load(klass.root / "course.yaml")
    if title == "Section":     # the column title is "<id>: <title>"; use the total's title
        course = manifest.Course(**{**course.__dict__, "title": "Section"})
        opts = ExportOptions(columns="total", lms_ids={"total": "x"}, drop_unmatched=True)
        with pytest.raises(ExportError, match="must be the Canvas assignment id"):
            exporters.export("canvas", klass.graded, course, klass.root / "c.csv", klass.roster,
                             opts)
        return
    with pytest.raises(ExportError, match=match):
        exporters.export("canvas", klass.graded, course, klass.root / "c.csv", klass.roster,
                         ExportOptions(lms_ids={"ex_a": lms_id} if lms_id else {},
                                       drop_unmatched=True))


# ---------------------------------------------------------------------------------- Moodle

@needs_php
def test_moodle_every_score_on_the_right_person_comments_exact_nothing_blanked(klass):
    out = klass.root / "moodle.csv"
    report = exporters.export("moodle", klass.graded, klass.course, out, klass.roster,
                              ExportOptions(drop_unmatched=True))
    assert set(dict(report.plan.dropped)) == {"carol"}
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert header[0] == "Email address"     # the one identifier every student has (nina: no username)
    assert report.plan.sheet.id_fields == ("Email address",)
    after = moodle_import(out, moodle_state("Email address", "useremail", header))
    assert after["error"] is None
    assert after["grades"] == {
        "11": {"71": "2.7", "72": "0"}, "12": {"71": "0", "72": "4"},
        "14": {"71": "3", "72": "4"}, "15": {"71": "1.5", "72": "2"},
        "16": {"71": "3", "72": "4"},                 # dee: Moodle still has the user
        "17": {"71": "3", "72": "4"},                 # nina, by her e-mail address
        "13": {"71": "3", "72": "2"},                 # dave: untouched
        "99": {"71": "1"}}                            # test account: untouched
    for student, uid in (("ada", "11"), ("zoe", "12"), ("mary_ann", "15")):
        assert after["feedback"][uid]["71"] == readback(kit_comment(klass, student, "ex_a"))
        assert after["feedback"][uid]["72"] == readback(kit_comment(klass, student, "ex_b"))
    text = json.dumps(after["feedback"], ensure_ascii=False)
    assert "SECRET" not in text and "4242" not in text
    zoe = after["feedback"]["12"]["71"]
    assert 'C:\\temp\\"x" — naïve "quotes", commas, a \\ backslash' in zoe
    assert zoe.endswith(", line; 2 check(s) not shown yet failed")   # the first line, then a count


@needs_php
def test_moodle_a_blank_identifier_would_send_grades_to_the_row_above_so_it_is_refused(klass):
    roster = [e if e.student != "nina" else type(e)(student="nina", name="Nina Noid")
              for e in klass.roster]
    with pytest.raises(ExportError, match=r"nina: no username in the roster"):
        exporters.export("moodle", klass.graded, klass.course, klass.root / "m.csv", roster)
    bad = klass.root / "bad.csv"        # what such a row does in Moodle, shown by the simulator
    bad.write_text('Username,ex_a: Join them all\nalovelace,3\n,6\n', encoding="utf-8")
    after = moodle_import(bad, moodle_state("Username", "username", ["ex_a: Join them all"]))
    assert after["grades"]["11"]["71"] == "6"


@needs_php
def test_moodle_with_base_writes_only_changes_keeps_higher_grades(klass):
    base = klass.root / "moodle-export.csv"
    base.write_text(
        "First name,Last name,ID number,Institution,Department,Email address,"
        "Assignment: ex_a: Join them all (Real),Assignment: ex_b: Lock the counter (Real),"
        "Last downloaded from this course\n"
        "Ada,Lovelace,S-1,,,ada@example.org,-,-,1\n"
        "Zoë,Ångström-Ñúñez,S-2,,,zoe@example.org,0.00,4.00,1\n"
        "Seán,O'Brien,S_4,,,sean@example.org,5.00,-,1\n"
        "Mary_Ann,de la Cruz,S-5,,,ma@example.org,-,-,1\n"
        "Dave,Null,S-3,,,dave@example.org,3.00,2.00,1\n", encoding="utf-8")
    out = klass.root / "moodle.csv"
    report = exporters.export("moodle", klass.graded, klass.course, out, klass.roster,
                              ExportOptions(base=base, drop_unmatched=True))
    assert set(dict(report.plan.dropped)) == {"carol", "nina", "dee"}
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r[0] for r in rows[1:]] == ["ada@example.org", "sean@example.org",
                                        "ma@example.org"]                 # zoe: no change
    header = rows[0]
    after = moodle_import(out, moodle_state("Email address", "useremail", header))
    assert after["error"] is None
    assert after["grades"]["11"] == {"71": "2.7", "72": "0"}
    assert after["grades"]["14"] == {"71": "5", "72": "4"}        # 5 kept, 4 written
    assert after["grades"]["13"] == {"71": "3", "72": "2"}


@needs_php
@pytest.mark.parametrize("text", [
    "plain", 'a "quoted" word', "back\\slash", 'escaped \\"quote', 'odd \\\\\\"three',
    "trailing backslash \\", "two trailing \\\\", "comma, and; semicolon", "line\nbreak",
    "crlf\r\nbreak", "non-ASCII: naïve Ærø — 漢字 🙂", "x" * 20000, '""', '\\', '"',
])
def test_moodle_cells_read_back_exactly_through_fgetcsv_and_moodles_fputcsv(tmp_path, text):
    path = tmp_path / "m.csv"
    path.write_text(",".join(php_field(c) for c in ["Username", "ex_a: Join them all",
                                                    "ex_a: Join them all (Feedback)"]) + "\r\n"
                    + ",".join(php_field(c) for c in ["alovelace", "3", text]) + "\r\n",
                    encoding="utf-8")
    after = moodle_import(path, moodle_state("Username", "username", ["ex_a: Join them all"]))
    assert after["error"] is None
    assert after["feedback"]["11"]["71"] == readback(text)
    if '\\\\"' not in text:         # every text but an even run of \\ before " reads back as is
        assert readback(text) == text.replace("\r\n", "\n").strip()
    assert after["grades"]["11"]["71"] == "3"


@needs_php
def test_moodle_python_quoting_breaks_on_backslash_quote_which_php_field_avoids(tmp_path):
    """The reported bug: RFC 4180 quoting of `\\"` gives fgetcsv the wrong field count."""
    path = tmp_path / "m.csv"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["Username", "ex_a: Join them all (Feedback)", "ex_a: Join them all"],
         ["alovelace", 'say \\"hi\\", then', "3"]])
    path.write_text(buf.getvalue(), encoding="utf-8")
    after = moodle_import(path, moodle_state("Username", "username", ["ex_a: Join them all"]))
    assert after["error"] == "csvweirdcolumns"               # the whole file is refused


# ------------------------------------------------------------------ Blackboard, Brightspace
# Neither parser is public: tests/lms/offline_readers.py reads the files by their documented
# rules (sources in docs/lms.md), taking the harmful reading where the documentation is silent
# (a blank cell clears a grade; an unknown user is an error).

BB_USERS = {"alovelace": "ada", "zangstrom": "zoe", "s_obrien": "sean", "mary_ann": "mary_ann",
            "dnull": "dave", "nnoid": "nina-lms", "teststudent": "test"}   # dee dropped
BB_BEFORE = {"dave": {"664617": "3", "664618": "2"}, "test": {"664617": "1"},
             "sean": {"664617": "5", "664618": "4"}, "mary_ann": {"664618": "4"}}
BB_TITLES = {"664617": "ex_a: Join them all [Total Pts: 6 Score] |664617",
             "664618": "ex_b: Lock the counter [Total Pts: 4 Score] |664618"}


def blackboard_book() -> Gradebook:
    return Gradebook(users=dict(BB_USERS), columns={"664617": {"points": 6.0},
                                                    "664618": {"points": 4.0}},
                     grades=json.loads(json.dumps(BB_BEFORE)))


def blackboard_download(path: Path) -> Path:
    """The Grade Center as "Work Offline › Download" writes it: tab-delimited, UTF-16."""
    names = {"ada": ("Lovelace", 'Ada "Countess"'), "zoe": ("Ångström-Ñúñez", "Zoë"),
             "sean": ("O'Brien", "Seán"), "mary_ann": ("de la Cruz", "Mary_Ann"),
             "dave": ("Null", "Dave"), "nina-lms": ("Noid", "Nina"), "test": ("Student", "Test")}
    lines = ["\t".join(f'"{h}"' for h in ["Last Name", "First Name", "Username", "Student ID",
                                           "Last Access", "Availability", *BB_TITLES.values()])]
    for user, key in BB_USERS.items():
        got = BB_BEFORE.get(key, {})
        last, first = names[key]
        lines.append("\t".join([f'"{last}"', f'"{first.replace(chr(34), 2 * chr(34))}"',
                                f'"{user}"', '""', '""', '"Yes"',
                                *(got.get(c, "") for c in BB_TITLES)]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
    return path


def test_blackboard_every_score_on_the_right_person_nothing_blanked(klass):
    out = klass.root / "blackboard.csv"
    report = exporters.export("blackboard", klass.graded, klass.course, out, klass.roster,
                              ExportOptions(lms_ids={"ex_a": "664617", "ex_b": "664618"},
                                            drop_unmatched=True))
    assert set(dict(report.plan.dropped)) == {"carol", "nina"}
    data = out.read_bytes()
    assert b"SECRET" not in data and b"4242" not in data
    rows = _all_quoted(data.decode("utf-8"))          # every field quoted, names exact
    assert rows[0] == ["Last Name", "First Name", "Username", *BB_TITLES.values()]
    assert rows[1][:3] == ["Lovelace", 'Ada "Countess"', "alovelace"]
    assert [r[:2] for r in rows[2:4]] == [["Ångström-Ñúñez", "Zoë"], ["O'Brien", "Seán"]]
    after = blackboard_upload(data, blackboard_book())
    assert after.errors == ["record 6: no user 'dparted' in the course"]   # dee: dropped
    assert after.new_columns == [] and after.cleared == []
    assert after.grades == {
        "ada": {"664617": "2.7", "664618": "0"}, "zoe": {"664617": "0", "664618": "4"},
        "sean": {"664617": "3", "664618": "4"}, "mary_ann": {"664617": "1.5", "664618": "2"},
        "dave": {"664617": "3", "664618": "2"},           # no submission: untouched
        "test": {"664617": "1"}}                          # test account: untouched


def test_blackboard_with_its_own_download_as_base_writes_only_changes(klass):
    base = blackboard_download(klass.root / "gc_download.xls")
    out = klass.root / "blackboard.csv"
    report = exporters.export("blackboard", klass.graded, klass.course, out, klass.roster,
                              ExportOptions(base=base, drop_unmatched=True))
    dropped = dict(report.plan.dropped)
    assert set(dropped) == {"carol", "nina", "dee"} and "not in gc_download.xls" in dropped["dee"]
    rows = _all_quoted(out.read_text(encoding="utf-8"))
    assert rows[0][3:] == list(BB_TITLES.values())       # the column ids come from the base
    assert [r[2] for r in rows[1:]] == ["alovelace", "zangstrom", "mary_ann"]   # sean: no change
    after = blackboard_upload(out.read_bytes(), blackboard_book())
    assert after.errors == [] and after.new_columns == [] and after.cleared == []
    assert after.grades["sean"] == {"664617": "5", "664618": "4"}       # 5 kept, not lowered
    assert after.grades["mary_ann"] == {"664617": "1.5", "664618": "4"}
    assert after.grades["ada"] == {"664617": "2.7", "664618": "0"}
    assert after.grades["dave"] == BB_BEFORE["dave"] and after.grades["test"] == BB_BEFORE["test"]


def test_blackboard_reader_catches_what_the_rules_forbid():
    """The reader fails the harms it models, so its passing means something."""
    book = blackboard_book()
    assert blackboard_upload(b'"Username","x |664617"\r\ndnull,6\r\n', book).errors[0].startswith(
        "file: field 1 of record 2 is not in quotes")
    book = blackboard_upload(b'"Username","x |664617","New"\r\n"dnull","",""\r\n', book)
    assert book.cleared == [("dave", "664617")] and book.new_columns == ["New"]


BS_ITEMS = {"ex_a: Join them all": 6.0, "ex_b: Lock the counter": 4.0}
BS_BEFORE = {"dave": {"ex_a: Join them all": "3", "ex_b: Lock the counter": "2"},
             "test": {"ex_a: Join them all": "1"},
             "sean": {"ex_a: Join them all": "5", "ex_b: Lock the counter": "4"},
             "mary_ann": {"ex_b: Lock the counter": "4"}}
BS_USERS = [("1001", "alovelace", "ada"), ("1002", "zangstrom", "zoe"), ("1004", "s_obrien", "sean"),
            ("1005", "mary_ann", "mary_ann"), ("1003", "dnull", "dave"), ("1007", "nnoid", "nina-lms"),
            ("T_01", "teststudent", "test")]                     # dee (1006) dropped


def brightspace_book() -> Gradebook:
    users = {}
    for org, name, key in BS_USERS:
        users[f"OrgDefinedId:{org}"] = key
        users[f"Username:{name}"] = key
    return Gradebook(users=users, columns={k: {"points": v} for k, v in BS_ITEMS.items()},
                     grades=json.loads(json.dumps(BS_BEFORE)))


@pytest.mark.parametrize("key", ["OrgDefinedId", "Username"])
def test_brightspace_every_score_on_the_right_person_nothing_blanked(klass, key):
    roster = klass.roster
    if key == "Username":        # one student without an lms_id: the Username column is used
        roster = [e if e.student != "ada" else type(e)(student="ada", name=e.name,
                                                       username=e.username) for e in roster]
    out = klass.root / "brightspace.csv"
    report = exporters.export("brightspace", klass.graded, klass.course, out, roster,
                              ExportOptions(drop_unmatched=True))
    assert set(dict(report.plan.dropped)) == {"carol", "nina"}
    data = out.read_bytes()
    assert b"SECRET" not in data and b"4242" not in data
    header = next(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert header == [key, *(f"{t} Points Grade" for t in BS_ITEMS), "End-of-Line Indicator"]
    after = brightspace_import(data, brightspace_book())
    assert after.errors == ["record 6: no such user"]               # dee: dropped
    assert after.new_columns == [] and after.cleared == []
    a, b = BS_ITEMS
    assert after.grades == {
        "ada": {a: "2.7", b: "0"}, "zoe": {a: "0", b: "4"}, "sean": {a: "3", b: "4"},
        "mary_ann": {a: "1.5", b: "2"}, "dave": BS_BEFORE["dave"], "test": BS_BEFORE["test"]}


def test_brightspace_with_its_own_export_as_base_writes_only_changes(klass):
    a, b = BS_ITEMS
    lines = ["OrgDefinedId,Username,Last Name,First Name,Email,"
             f"{a} Points Grade <Numeric MaxPoints:6 Weight:50>,"
             f"{b} Points Grade <Numeric MaxPoints:4 Weight:50>,End-of-Line Indicator"]
    for org, name, key in BS_USERS:
        got = BS_BEFORE.get(key, {})
        lines.append(f"#{org},#{name},Last,First,{name}@example.org,{got.get(a, '')},"
                     f"{got.get(b, '')},#")
    base = klass.root / "export.csv"
    base.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    out = klass.root / "brightspace.csv"
    report = exporters.export("brightspace", klass.graded, klass.course, out, klass.roster,
                              ExportOptions(base=base, drop_unmatched=True))
    assert set(dict(report.plan.dropped)) == {"carol", "nina", "dee"}
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r[0] for r in rows[1:]] == ["#1001", "#1002", "#1005"]       # sean: no change
    after = brightspace_import(out.read_bytes(), brightspace_book())
    assert after.errors == [] and after.new_columns == [] and after.cleared == []
    assert after.grades["sean"] == BS_BEFORE["sean"]                     # 5 kept
    assert after.grades["mary_ann"] == {a: "1.5", b: "4"}
    assert after.grades["dave"] == BS_BEFORE["dave"] and after.grades["test"] == BS_BEFORE["test"]


def test_brightspace_reader_catches_what_the_rules_forbid():
    a = "ex_a: Join them all Points Grade"
    book = brightspace_import(f"OrgDefinedId,{a}\n1003,\n".encode(), brightspace_book())
    assert book.errors == ["record 2: OrgDefinedId '1003' neither begins with '#' nor with a "
                           "letter (no End-of-Line Indicator)"]
    book = brightspace_import(f"OrgDefinedId,{a},End-of-Line Indicator\n#1003,,#\n".encode(),
                              brightspace_book())
    assert book.cleared == [("dave", "ex_a: Join them all")]
    book = brightspace_import(f"Username,Email,{a}\n#dnull,x,9\n".encode(), brightspace_book())
    assert book.errors == ["column 'Email': not an importable field"]
    assert book.grades["dave"]["ex_a: Join them all"] == "6"               # capped at 6


def test_brightspace_falls_back_to_username_when_some_orgdefinedid_is_missing(klass):
    roster = [e for e in klass.roster if e.student != "ada"]
    roster.append(type(klass.roster[0])(student="ada", name="Ada", username="alovelace"))
    out = klass.root / "b.csv"
    exporters.export("brightspace", klass.graded, klass.course, out, roster,
                     ExportOptions(drop_unmatched=True))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0][0] == "Username" and "OrgDefinedId" not in rows[0]


def test_comments_follow_the_one_visibility_rule_after_the_due_date(klass):
    """The same export after the due date: the after_due_date check's text appears, the
    hidden one's never (grader/visibility.py, the rule feedback.md uses too)."""
    from grader import feedback, visibility
    out = klass.root / "m.csv"
    later = DUE + timedelta(hours=1)
    exporters.export("moodle", klass.graded, klass.course, out, klass.roster,
                     ExportOptions(drop_unmatched=True, now=later))
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    ada = dict(zip(rows[0], rows[1]))["ex_a: Join them all (Feedback)"]
    assert ada == ("3 / 6 points (late: -10%); failed ex_a / SECRET-DESC no zombies: "
                   "SECRET-MSG zombie 4242; 1 check(s) not shown yet failed")
    r = results.load(klass.graded / "ada" / "results.json")
    for c in r.checks:
        assert feedback.shown_to_student(c, klass.course, later) == visibility.shown(
            c, klass.course, later) == (c.visibility != "hidden")
        assert visibility.shown(c, klass.course, DUE - timedelta(hours=1)) == (
            c.visibility == "visible")


@needs_ruby
def test_canvas_with_base_takes_the_assignment_ids_from_it(klass):
    """Without --lms-id the column ids come from the base's `Title (id)` headers, so Canvas
    updates its assignments instead of creating new ones."""
    base = canvas_base_csv(klass.root / "gradebook.csv", CANVAS_BEFORE)
    out = klass.root / "canvas.csv"
    exporters.export("canvas", klass.graded, klass.course, out, klass.roster,
                     ExportOptions(base=base, drop_unmatched=True))
    header = next(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert header[5:] == ["ex_a: Join them all (501)", "ex_b: Lock the counter (502)"]
    after = canvas_import(out, canvas_state())
    assert after["new_assignments"] == [] and after["scores"]["1001"] == {"501": "2.7", "502": "0"}


def test_a_base_whose_points_possible_differ_is_refused(klass):
    base = canvas_base_csv(klass.root / "gradebook.csv", CANVAS_BEFORE)
    base.write_text(base.read_text(encoding="utf-8").replace('"6.00"', "10").replace(",6.00,", ",10,"),
                    encoding="utf-8")
    with pytest.raises(ExportError, match=r"'ex_a: Join them all' is out of 10 points in "
                                          r"gradebook.csv but out of 6 in course.yaml"):
        exporters.export("canvas", klass.graded, klass.course, klass.root / "c.csv", klass.roster,
                         ExportOptions(base=base, drop_unmatched=True))


@pytest.mark.parametrize("fmt", ["canvas", "moodle", "blackboard", "brightspace", "csv"])
def test_a_roster_matching_only_part_of_the_class_is_warned_with_who(klass, fmt):
    """Both directions are listed by name: graded students the roster lacks (carol), roster
    entries without a result (dave), and rows that cannot be identified (nina)."""
    report = exporters.export(fmt, klass.graded, klass.course, klass.root / f"{fmt}.out",
                              klass.roster, ExportOptions(drop_unmatched=True))
    messages = report.messages()
    assert messages[0] == ("the roster matches only part of the class: 1 graded student(s) "
                           "are not on it: carol")
    if fmt == "csv":
        assert "they are in the file (roster column: 'not in roster')" in messages
        assert "1 roster entr(ies) have no submission: dave" in messages
        return
    assert ("1 roster entr(ies) have no result and are not in the file (their LMS grade stays "
            "as it is): dave") in messages
    unidentified = [] if fmt == "moodle" else ["nina"]      # Moodle: nina by her e-mail address
    dropped = next(m for m in messages if m.startswith(
        f"{1 + len(unidentified)} row(s) left out (--drop-unmatched)"))
    assert "carol: graded, but not in the roster" in dropped
    assert ("nina: no " in dropped) is bool(unidentified)
