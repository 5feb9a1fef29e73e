"""Broken input: a clear error, and nothing lost. Each case is a submission as an instructor
might receive it; intake takes only the files course.yaml names, never writes outside the
workspace, and says what was wrong."""
from __future__ import annotations

import io
import os
import stat
import time
import zipfile
from pathlib import Path

import pytest

from grader.errors import SubmissionError
from grader.grading import grade_workspace
from grader.intake import MAX_FILE_BYTES, discover, take_in

from .conftest import ROOT

SOLUTION = (ROOT / "solutions/p05_join/p05_join.py").read_bytes()
DECLARED = "p05_join/p05_join.py"


def _zip(path: Path, entries: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


def _files(ws) -> list[str]:
    return sorted(p.relative_to(ws.root).as_posix() for p in ws.root.rglob("*") if p.is_file())


def _p05(result):
    return [c for c in result.checks if c.exercise == "p05_join"]


def test_a_path_that_does_not_exist(course, tmp_path):
    with pytest.raises(SubmissionError, match="no such file or folder"):
        discover([tmp_path / "nobody"], course)


def test_a_file_that_is_not_a_zip(course, tmp_path):
    bad = tmp_path / "alice.zip"
    bad.write_bytes(b"this is not a zip file\n" * 10)
    [(student, source)] = discover([bad], course)
    ws = take_in(student, source, course, tmp_path / "ws")
    assert student == "alice" and _files(ws) == []
    assert any("not a folder or a zip" in p for p in ws.problems), ws.problems
    assert "file missing" in ws.missing["p05_join"]


def test_zip_slip_absolute_paths_and_symlinks_are_never_taken(course, tmp_path):
    link = zipfile.ZipInfo("p05_join/p05_join.py")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    z = _zip(tmp_path / "bob.zip", [
        ("../../p05_join/p05_join.py", b"ESCAPE = 1\n"),
        ("/p05_join/p05_join.py", b"ESCAPE = 2\n"),
        ("C:/p05_join/p05_join.py", b"ESCAPE = 3\n"),
        (link, b"/etc/passwd"),
    ])
    ws = take_in("bob", z, course, tmp_path / "ws")
    assert _files(ws) == []
    text = "\n".join(ws.problems)
    assert "outside the submission" in text and "symbolic link" in text, text
    assert not (tmp_path / "p05_join").exists() and not Path("/p05_join").exists()


def test_a_symlink_out_of_a_folder_submission_is_refused(course, tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text("SECRET = 1\n")
    sub = tmp_path / "carol"
    (sub / "p05_join").mkdir(parents=True)
    (sub / DECLARED).symlink_to(secret)
    ws = take_in("carol", sub, course, tmp_path / "ws")
    assert _files(ws) == [] and "symbolic link" in " ".join(ws.problems)
    # a whole exercise folder that links out is refused too
    sub2 = tmp_path / "dave"
    sub2.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "p05_join.py").write_bytes(SOLUTION)
    (sub2 / "p05_join").symlink_to(tmp_path / "elsewhere")
    ws2 = take_in("dave", sub2, course, tmp_path / "ws2")
    assert _files(ws2) == [] and "symbolic link" in " ".join(ws2.problems)


def test_a_zip_bomb_is_never_inflated_past_the_cap(course, tmp_path):
    z = tmp_path / "eve.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open(DECLARED, "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(48):                     # 48 MB of zeros, ~50 KB on disk
                f.write(chunk)
    assert z.stat().st_size < 1 << 20
    t0 = time.monotonic()
    ws = take_in("eve", z, course, tmp_path / "ws")
    assert time.monotonic() - t0 < 5
    assert _files(ws) == [] and f"larger than {MAX_FILE_BYTES // 1024} KiB" in " ".join(ws.problems)


def test_a_zip_with_too_many_entries_is_refused(course, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in range(10_001):
            zf.writestr(f"x/{i}", b"")
    z = tmp_path / "frank.zip"
    z.write_bytes(buf.getvalue())
    ws = take_in("frank", z, course, tmp_path / "ws")
    assert _files(ws) == [] and "entries in the zip" in " ".join(ws.problems)


def test_non_utf8_file_names(course, tmp_path):
    # a zip entry whose name is not UTF-8 (no UTF-8 flag: read as cp437) next to the real file
    z = _zip(tmp_path / "gina.zip", [("p05_join/\udcff\udcfe.py".encode("utf-8", "surrogateescape")
                                      .decode("cp437"), b"x = 1\n"), (DECLARED, SOLUTION)])
    ws = take_in("gina", z, course, tmp_path / "ws")
    assert _files(ws) == [DECLARED]
    # a folder whose name and files are not UTF-8
    raw = os.fsencode(tmp_path) + b"/h\xffank"
    os.makedirs(raw + b"/p05_join")
    with open(raw + b"/p05_join/\xfe\xff.py", "wb") as f:
        f.write(b"x = 1\n")
    with open(raw + b"/" + DECLARED.encode(), "wb") as f:
        f.write(SOLUTION)
    [(student, source)] = discover([Path(os.fsdecode(raw))], course)
    assert student == "h\ufffdank"
    ws2 = take_in(student, source, course, tmp_path / "ws2")
    assert _files(ws2) == [DECLARED]


@pytest.mark.parametrize(("name", "expected"), [("..", "unnamed"), (".", "unnamed"),
                                              ("", ".zip")])   # `.zip` is a dotfile, not a zip
def test_a_student_id_is_never_a_path(course, tmp_path, name, expected):
    z = _zip(tmp_path / f"{name}.zip", [(DECLARED, SOLUTION)])
    [(student, _)] = discover([z], course)
    assert student == expected


def test_an_empty_submission(course, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SubmissionError, match="neither a submission"):
        discover([empty], course)
    # inside a batch, an empty folder or an empty zip is a student with nothing to grade
    batch = tmp_path / "batch"
    (batch / "ivan").mkdir(parents=True)
    _zip(batch / "judy.zip", [])
    found = dict(discover([batch], course))
    assert set(found) == {"ivan", "judy"}
    for student, source in found.items():
        ws = take_in(student, source, course, tmp_path / f"ws-{student}")
        assert _files(ws) == [] and set(ws.missing) == {e.id for e in course.exercises}


def test_two_submissions_with_the_same_student_id_are_refused(course, tmp_path):
    (tmp_path / "a" / "kim" / "p05_join").mkdir(parents=True)
    (tmp_path / "a" / "kim" / DECLARED).write_bytes(SOLUTION)
    (tmp_path / "b").mkdir()
    _zip(tmp_path / "b" / "kim.zip", [(DECLARED, SOLUTION)])
    with pytest.raises(SubmissionError, match="two submissions for student 'kim'"):
        discover([tmp_path / "a", tmp_path / "b"], course)


def test_a_missing_exercise_file_costs_only_that_exercise(course, sandbox, tmp_path):
    """Only p05_join is submitted: every other exercise scores 0 with "file missing" (without
    running anything), p05_join is graded in full."""
    sub = tmp_path / "leo"
    (sub / "p05_join").mkdir(parents=True)
    (sub / DECLARED).write_bytes(SOLUTION)
    ws = take_in("leo", sub, course, tmp_path / "ws")
    result = grade_workspace(course, ws, sandbox)
    for c in result.checks:
        if c.exercise == "p05_join":
            assert c.status == "passed", c.message
        else:
            assert c.score == 0 and "file missing" in c.message, c
    other = tmp_path / "mia"
    other.mkdir()
    ws2 = take_in("mia", other, course, tmp_path / "ws2")
    result2 = grade_workspace(course, ws2, sandbox, exercises=["p05_join"])
    assert all(c.score == 0 and "file missing" in c.message for c in result2.checks)


@pytest.mark.parametrize("source,words", [
    ("def run_and_wait(task, durations)\n    pass\n", ["syntax error", "line 1"]),
    ("raise ValueError('broken at import')\n", ["importing your module failed",
                                                "ValueError: broken at import"]),
    ("def run_and_wiat(task, durations):\n    pass\n", ["has no function 'run_and_wait'"]),
    ("def run_and_wait(task):\n    pass\n", ["TypeError", "positional argument"]),
], ids=["syntax_error", "import_error", "wrong_name", "wrong_signature"])
def test_broken_code_scores_nothing_and_says_why(course, sandbox, tmp_path, source, words):
    sub = tmp_path / "nina"
    (sub / "p05_join").mkdir(parents=True)
    (sub / DECLARED).write_text(source)
    ws = take_in("nina", sub, course, tmp_path / "ws")
    t0 = time.monotonic()
    result = grade_workspace(course, ws, sandbox, exercises=["p05_join"])
    assert time.monotonic() - t0 < 30
    assert not result.grader_errors
    for c in _p05(result):
        assert c.score == 0
        for w in words:
            assert w in c.message, c.message


# ------------------------------------------------------------ LMS bulk downloads (issue 15)

def _expand(path: Path, course, tmp_path):
    from grader import lms_intake
    return {s.student: s for s in lms_intake.expand(path, course, tmp_path / "stage")}


# Canvas's three naming forms (lib/content_zipper.rb: add_submission, get_filename,
# add_upload_submission, add_text_or_url), one fixture each: entries, then per student
# (late, name as the download spells it, the p05 file's bytes or None for "nothing to grade").
CANVAS_FORMS = {
    # current: [name_][LATE_]<user id>; name = sortable name downcased, non-word chars removed
    "current": ([("delacruzmary_ann_1005_701_p05_join.py", SOLUTION),        # "_" in the name
                 ("mary_ann_1006_702_p05_join.py", b"OTHER = 1\n"),          # another "mary_ann"
                 ("obrienseán_LATE_1004_703_p05_join.py", SOLUTION),         # LATE, accents
                 ("_1009_705_p05_join.py", b"EMPTY = 1\n"),                  # a name of no word char
                 ("textonly_1007_text.html", b"<p>my answer</p>"),           # a text entry
                 ("both_1008_link.html", b"<a href=x>x</a>"),                # a URL ...
                 ("both_1008_709_p05_join.py", SOLUTION)],                   # ... and a file
                {"1005": (False, "delacruzmary_ann", SOLUTION),
                 "1006": (False, "mary_ann", b"OTHER = 1\n"),
                 "1004": (True, "obrienseán", SOLUTION),
                 "1009": (False, "", b"EMPTY = 1\n"),
                 "1007": (False, "textonly", None),
                 "1008": (False, "both", SOLUTION)}),
    # 2018 (sanitize_file_name downcased the whole prefix): late_
    "2018": ([("delacruzmary_ann_late_1005_701_p05_join.py", SOLUTION),
              ("smithsam_1006_702_p05_join.py", b"OTHER = 1\n")],
             {"1005": (True, "delacruzmary_ann", SOLUTION),
              "1006": (False, "smithsam", b"OTHER = 1\n")}),
    # 2018 with the anonymous_grading course feature: no name, the real user id
    "2018-anonymous": ([("late_1005_701_p05_join.py", SOLUTION),
                        ("1006_702_p05_join.py", b"OTHER = 1\n"),
                        ("1007_text.html", b"<p>hi</p>")],
                       {"1005": (True, "", SOLUTION), "1006": (False, "", b"OTHER = 1\n"),
                        "1007": (False, "", None)}),
    # older: <name>[-late]_<user id>, spaces and punctuation made "-"
    "older": ([("doe--john-late_1003_704_p05_join.py", SOLUTION),
               ("o-brien--se-n_1004_705_p05_join.py", b"OTHER = 1\n")],
              {"1003": (True, "doe--john", SOLUTION), "1004": (False, "o-brien--se-n", b"OTHER = 1\n")}),
    # current with anonymous grading: [LATE_]anon_<anonymous id> (5 base58 characters; case counts)
    "anonymous": ([("LATE_anon_Ab3xY_801_p05_join.py", SOLUTION),
                   ("anon_ab3xY_802_p05_join.py", b"OTHER = 1\n"),
                   ("anon_12345_803_p05_join.py", b"DIGITS = 1\n"),             # all-digit anonymous id
                   ("anon_Qr7Zk_text.html", b"<p>hi</p>")],
                  {"anon_Ab3xY": (True, "", SOLUTION), "anon_ab3xY": (False, "", b"OTHER = 1\n"),
                   "anon_12345": (False, "", b"DIGITS = 1\n"), "anon_Qr7Zk": (False, "", None)}),
}


@pytest.mark.parametrize("form", sorted(CANVAS_FORMS))
def test_canvas_download_every_name_form_splits_into_the_right_students(course, tmp_path, form):
    """Each form is read as Canvas reads its names back (infer_comment_context_from_filename):
    never merged, the late mark kept, a text entry or URL a note and nothing to grade."""
    from grader import lms_intake
    entries, expected = CANVAS_FORMS[form]
    z = _zip(tmp_path / "submissions.zip", entries)
    assert lms_intake.kind_of(z) == "canvas"
    subs = _expand(z, course, tmp_path)
    assert sorted(subs) == sorted(expected)
    for student, (late, name, code) in expected.items():
        s = subs[student]
        assert (s.late == {"marked_late": True}) is late, student
        assert s.name == name, student
        if code is None:
            assert list(s.source.rglob("*.py")) == [], student
            assert s.notes and s.notes[0].startswith("submitted a"), student
        else:
            assert (s.source / DECLARED).read_bytes() == code, student


def test_canvas_text_entry_and_url_notes(course, tmp_path):
    entries, _ = CANVAS_FORMS["current"]
    subs = _expand(_zip(tmp_path / "submissions.zip", entries), course, tmp_path)
    assert subs["1007"].notes == ("submitted a text entry in Canvas, not files: there is "
                                  "nothing to grade; ask for the files as an upload",)
    assert subs["1008"].notes == ("also submitted a URL in Canvas; only the uploaded files "
                                  "are graded",)
    assert subs["1005"].notes == ()


def test_a_student_who_sent_a_text_entry_is_told_in_their_own_workspace(course, tmp_path):
    """The note reaches the student (Workspace.problems → results.json, feedback), not only
    the instructor's terminal; a student with files and no other form has none."""
    entries, _ = CANVAS_FORMS["current"]
    subs = _expand(_zip(tmp_path / "submissions.zip", entries), course, tmp_path)
    text = take_in("1007", subs["1007"].source, course, tmp_path / "ws1007")
    assert text.problems[0].startswith("Your Canvas submission was a text entry, not files, "
                                       "so it was not graded")
    assert "file upload" in text.problems[0]
    both = take_in("1008", subs["1008"].source, course, tmp_path / "ws1008")
    assert both.problems[0].startswith("You also submitted a URL in Canvas. It was not graded")
    plain = take_in("1005", subs["1005"].source, course, tmp_path / "ws1005")
    assert plain.problems == ()


def test_a_canvas_file_name_holding_digits_between_underscores(course, tmp_path):
    """Only the first all-digit token is the user id; the file name after the attachment id
    may hold `_<digits>_` (a lone zip is the submission itself)."""
    inner = _zip(tmp_path / "inner.zip", [("p05_join/p05_join.py", SOLUTION)])
    z = _zip(tmp_path / "submissions.zip", [("leeann_1010_711_hw_3_final.zip", inner.read_bytes())])
    subs = _expand(z, course, tmp_path)
    assert sorted(subs) == ["1010"] and subs["1010"].source.suffix == ".zip"


@pytest.mark.parametrize("layout", ["folders<4.1", "folders>=4.1", "flat", "extracted>=4.1"])
def test_moodle_download_every_form_splits_into_the_right_students(course, tmp_path, layout):
    """mod/assign: `<Full Name>_<participant id>_assignsubmission_file_/` (< 4.1),
    `…_assignsubmission_file/<filepath>` (≥ 4.1), flat `…_assignsubmission_file_<file>`."""
    from grader import lms_intake
    people = [("Jane Doe", "2001", SOLUTION), ("Élodie Ñúñez-O'Brien", "2002", b"E = 1\n")]
    entries = []
    for name, pid, data in people:
        if layout == "folders<4.1":
            entries.append((f"{name}_{pid}_assignsubmission_file_/p05_join.py", data))
        elif layout == "flat":
            entries.append((f"{name}_{pid}_assignsubmission_file_p05_join.py", data))
        else:
            entries.append((f"{name}_{pid}_assignsubmission_file/work/p05_join.py", data))
    text = "Text Only_2003_assignsubmission_onlinetext"
    entries.append((f"{text}/onlinetext.html" if "folders" in layout or "extracted" in layout
                    else f"{text}_onlinetext.html", b"<p>hi</p>"))
    if layout == "extracted>=4.1":
        path = tmp_path / "moodle"
        for name, data in entries:
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(data)
    else:
        path = _zip(tmp_path / "moodle.zip", entries)
    assert lms_intake.kind_of(path) == "moodle"
    subs = _expand(path, course, tmp_path)
    assert sorted(subs) == ["2001", "2002", "2003"]
    assert subs["2002"].name == "Élodie Ñúñez-O'Brien"
    assert (subs["2001"].source / DECLARED).read_bytes() == SOLUTION
    assert (subs["2002"].source / DECLARED).read_bytes() == b"E = 1\n"
    assert subs["2003"].notes == ("submitted online text in Moodle, not files: there is "
                                  "nothing to grade; ask for the files as an upload",)
    ws = take_in("2003", subs["2003"].source, course, tmp_path / "ws2003")
    assert ws.problems[0].startswith("Your Moodle submission was online text, not files")
    assert take_in("2001", subs["2001"].source, course, tmp_path / "ws2001").problems == ()


def test_grading_a_canvas_download_tells_the_student_about_a_text_entry(tmp_path):
    """End to end (`grader grade <download>.zip`): the student who sent a text entry, and the
    one who sent a URL beside their file, read it in their own feedback.md, feedback.html and
    results.json; the two `…mary_ann` students stay apart."""
    import json
    import shutil

    from grader.cli import main
    course_yaml = tmp_path / "course" / "course.yaml"
    course_yaml.parent.mkdir()
    shutil.copy(ROOT / "course.yaml", course_yaml)
    for folder in ("exercises", "solutions"):
        (course_yaml.parent / folder).symlink_to(ROOT / folder)
    entries, _ = CANVAS_FORMS["current"]
    z = _zip(tmp_path / "submissions.zip", [e for e in entries if not e[0].startswith("_1009")])
    out = tmp_path / "out"
    assert main(["--course", str(course_yaml), "grade", "-e", "p05_join", "--lines", str(z),
                 "--out", str(out)]) == 0
    got = {}
    for path in out.glob("*/results.json"):
        r = json.loads(path.read_text())
        r = {**r, **r["extra_data"]}
        got[r["student"]] = (r, (path.parent / "feedback.md").read_text(),
                             (path.parent / "feedback.html").read_text())
    assert sorted(got) == ["1004", "1005", "1006", "1007", "1008"]
    text_only, md, page = got["1007"]
    assert text_only["score"] == 0
    assert text_only["problems"][0].startswith("Your Canvas submission was a text entry, not "
                                               "files, so it was not graded")
    assert text_only["output"] == text_only["problems"][0]       # shown first in an LMS/Gradescope
    assert "> Your Canvas submission was a text entry, not files" in md
    assert "Submit your work again in Canvas as a file upload" in md
    assert "Your Canvas submission was a text entry, not files" in page
    both, md, page = got["1008"]
    assert both["problems"][0].startswith("You also submitted a URL in Canvas. It was not graded")
    assert "You also submitted a URL in Canvas" in md and "You also submitted a URL" in page
    assert both["score"] == got["1005"][0]["score"] > 0            # the file was graded
    for other in ("1004", "1005", "1006"):
        r, md, _ = got[other]
        assert r["problems"] == [] and "text entry" not in md and "URL" not in md, other
    assert got["1006"][0]["score"] < got["1005"][0]["score"]       # not merged with 1005
