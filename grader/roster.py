"""The class roster: a CSV that maps the kit's student ids to names, emails and LMS ids.

One row per student; the header names the columns (any order, case and spaces ignored):

    student     required  the id `grader grade` uses: the submission folder or zip name
                          (a Canvas download: the Canvas user id; Moodle: the participant id)
    name                  full name as the LMS shows it, e.g. "Lovelace, Ada" (for people:
                          no LMS export matches on it)
    email                 e-mail address (Moodle "Email address")
    username              LMS login / user name (Blackboard, Brightspace, Moodle "Username")
    lms_id                the LMS's own user id (Canvas "ID", Moodle "User ID",
                          Brightspace "OrgDefinedId")
    sis_id                the institution's id (Canvas "SIS User ID", Moodle "ID number")
    sis_login             Canvas "SIS Login ID"
    section               section name (Canvas "Section")

The file is UTF-8 (a byte-order mark, as Excel writes, is accepted). Every problem is reported
at once, each naming the file and the line.
"""
from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from pathlib import Path

from .errors import GraderError

COLUMNS: tuple[str, ...] = ("student", "name", "email", "username", "lms_id", "sis_id",
                            "sis_login", "section")


class RosterError(GraderError):
    """The roster CSV is malformed; `problems` lists each one with file and line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class RosterEntry:
    student: str
    name: str = ""
    email: str = ""
    username: str = ""
    lms_id: str = ""
    sis_id: str = ""
    sis_login: str = ""
    section: str = ""
    line: int = 0           # where it is in the roster file, for messages


def _column(raw: str) -> str:
    return raw.strip().lower().replace(" ", "_").replace("-", "_")


def load_roster(path: str | Path) -> list[RosterEntry]:
    """Read a roster CSV into entries, in file order. Raises RosterError naming file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError([f"{path}: no such roster file"]) from None
    except UnicodeDecodeError as exc:
        raise RosterError([f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}); "
                           f"save the roster as CSV UTF-8"]) from None
    except OSError as exc:
        raise RosterError([f"{path}: cannot read it: {exc.strerror}"]) from None
    problems: list[str] = []
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []
    try:
        for row in reader:
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise RosterError([f"{path}:{reader.line_num}: not valid CSV: {exc}"]) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RosterError([f"{path}:1: the roster is empty; its first line must be a header "
                           f"with at least the column 'student'"])
    header = [_column(h) for h in rows[0]]
    for i, col in enumerate(header):
        if col not in COLUMNS:
            close = difflib.get_close_matches(col, COLUMNS, n=1)
            hint = f" — did you mean {close[0]!r}?" if close else f" (known: {', '.join(COLUMNS)})"
            problems.append(f"{path}:1: unknown column {rows[0][i].strip()!r}{hint}")
        elif header.index(col) != i:
            problems.append(f"{path}:1: column {col!r} appears twice")
    if "student" not in header:
        problems.append(f"{path}:1: missing the required column 'student' "
                        f"(the id `grader grade` uses: the submission's folder name)")
    if problems:
        raise RosterError(problems)

    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for row, line in zip(rows[1:], lines[1:]):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"{path}:{line}: {len(row)} fields, but the header has "
                            f"{len(header)} (a comma inside a name needs quotes)")
            continue
        values = {col: cell.strip() for col, cell in zip(header, row)}
        student = values["student"]
        if not student:
            problems.append(f"{path}:{line}: empty 'student' id")
            continue
        if student in seen:
            problems.append(f"{path}:{line}: student {student!r} is already on line "
                            f"{seen[student]}")
            continue
        seen[student] = line
        entries.append(RosterEntry(**values, line=line))
    if problems:
        raise RosterError(problems)
    return entries
