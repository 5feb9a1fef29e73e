"""The roster CSV: a small typed API with errors that name the file and the line."""
from __future__ import annotations

import pytest

from grader.roster import RosterEntry, RosterError, load_roster


def write(tmp_path, text: str, encoding: str = "utf-8"):
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_entries_in_order_with_quotes_commas_bom_and_accents(tmp_path):
    path = write(tmp_path, "\ufeffStudent, Name ,EMAIL,lms-id\r\n"
                           'ada,"Lovelace, Ada ""Countess""",ada@x.org,7\r\n'
                           "\r\n"
                           "zoe,Zoë Ångström,,\r\n")
    assert load_roster(path) == [
        RosterEntry(student="ada", name='Lovelace, Ada "Countess"', email="ada@x.org",
                    lms_id="7", line=2),
        RosterEntry(student="zoe", name="Zoë Ångström", line=4)]


def test_a_quoted_line_break_keeps_line_numbers_right(tmp_path):
    path = write(tmp_path, 'student,name\na,"two\nlines"\nb,x\nb,y\n')
    with pytest.raises(RosterError, match=r"roster.csv:5: student 'b' is already on line 4"):
        load_roster(path)


@pytest.mark.parametrize("text, message", [
    ("", r"roster.csv:1: the roster is empty"),
    ("name,email\nAda,a@x\n", r"roster.csv:1: missing the required column 'student'"),
    ("student,emial\nada,a@x\n", r"roster.csv:1: unknown column 'emial' — did you mean 'email'\?"),
    ("student,name\nada\n", r"roster.csv:2: 1 fields, but the header has 2"),
    ("student,name\n,Ada\n", r"roster.csv:2: empty 'student' id"),
    ("student,student\na,a\n", r"roster.csv:1: column 'student' appears twice"),
])
def test_errors_name_file_and_line(tmp_path, text, message):
    with pytest.raises(RosterError, match=message):
        load_roster(write(tmp_path, text))


def test_every_problem_is_reported_at_once(tmp_path):
    with pytest.raises(RosterError) as info:
        load_roster(write(tmp_path, "student,name\n,A\nb\n"))
    assert len(info.value.problems) == 2


def test_not_utf8_and_missing_file(tmp_path):
    with pytest.raises(RosterError, match="not UTF-8"):
        load_roster(write(tmp_path, "student,name\nzoe,Zoë\n", encoding="latin-1"))
    with pytest.raises(RosterError, match="no such roster file"):
        load_roster(tmp_path / "nope.csv")
