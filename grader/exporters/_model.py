"""The export model: graded results joined with the roster (`Table`), and the decided
contents of an LMS file (`Sheet`, `Plan`). Plain frozen data; no exporter is imported here."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from .. import visibility
from ..errors import GraderError
from ..manifest import Course
from ..results import SubmissionResult
from ..roster import RosterEntry

Columns = Literal["exercises", "total"]


class ExportError(GraderError):
    """The export cannot be written as asked (unknown format, no results, bad option, rows
    that could land on the wrong person)."""


@dataclass(frozen=True)
class ExportOptions:
    columns: Columns = "exercises"          # one column per exercise, or one total
    lms_ids: dict[str, str] = field(default_factory=dict)   # exercise id | "total" -> LMS column id
    base: Path | None = None                # the LMS's own gradebook export: write only changes
    allow_lower: bool = False               # with base: a new grade may be lower than the LMS's
    drop_unmatched: bool = False            # leave out (and list) rows that cannot be identified
    now: datetime | None = None             # the clock for comment visibility (default: now)


@dataclass(frozen=True)
class Column:
    key: str                 # exercise id, or "total"
    title: str               # what the LMS shows, e.g. "p05_join: Fix the join-in-loop bug"
    max_points: float
    lms_id: str = ""         # the LMS's id of the column/assignment, when the instructor gave it


@dataclass(frozen=True)
class Row:
    student: str                            # the kit's student id
    entry: RosterEntry | None               # None: not in the roster (or no roster given)
    result: SubmissionResult | None         # None: on the roster, but no submission

    @property
    def name(self) -> str:
        return self.entry.name if self.entry and self.entry.name else self.student

    def login(self) -> str:
        """The LMS login: the roster's username, else the kit's student id."""
        return self.entry.username if self.entry and self.entry.username else self.student


@dataclass(frozen=True)
class Table:
    course: Course
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]                   # roster order, then graded students not on it
    has_roster: bool

    @property
    def not_in_roster(self) -> list[str]:
        return [r.student for r in self.rows if self.has_roster and r.entry is None]

    @property
    def no_submission(self) -> list[str]:
        return [r.student for r in self.rows if r.result is None]

    def matched(self) -> list[Row]:
        """Rows an LMS can identify: every row without a roster, else those on the roster."""
        return [r for r in self.rows if not self.has_roster or r.entry is not None]

    def score(self, row: Row, column: Column) -> float | None:
        """Points for `column` after the late penalty; None when there is nothing to report."""
        r = row.result
        if r is None:
            return None
        if column.key == "total":
            return r.score
        per = r.exercise_scores()
        if column.key not in per:
            return None
        factor = 1.0 - float(r.late.get("penalty", 0.0))
        return round(per[column.key][0] * factor, 4)


def number(value: float | None) -> str:
    """A score as LMSs read it: plain decimal, no exponent, no trailing zeros; blank if None."""
    if value is None:
        return ""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def feedback(row: Row, column: Column, course: Course | None = None,
             now: datetime | None = None) -> str:
    """A one-line comment for the student: the failed checks they may see now (the one rule,
    grader/visibility.py), in their terms; checks not shown yet only as a count, never their
    description or message. One line: the comment is a single CSV cell."""
    r = row.result
    if r is None:
        return "no submission"
    checks = [c for c in r.checks if column.key in ("total", c.exercise)]
    lines = []
    withheld = 0
    for c in checks:
        if c.status in ("passed", "skipped"):
            continue
        shown = (visibility.shown(c, course, now) if course is not None
                 else visibility.may_show(c.visibility, due=None, published=False))
        if not shown:
            withheld += 1
            continue
        what = "the grader could not grade this check" if c.status == "error" else c.message
        first = what.strip().splitlines()[0].strip() if what.strip() else ""
        lines.append(f"failed {c.exercise} / {c.description}" + (f": {first}" if first else ""))
    if withheld:
        lines.append(f"{withheld} check(s) not shown yet failed")
    got = sum(c.score for c in checks)
    top = sum(c.max_score for c in checks if c.counts)
    head = f"{number(got)} / {number(top)} points"
    if r.late.get("penalty"):
        head += f" (late: -{float(r.late['penalty']) * 100:g}%)"
    return "; ".join([head, *lines])


# ------------------------------------------------------------------ the plan of an LMS file

Action = Literal["write", "same", "keep-lower", "keep-text", "no-result"]


@dataclass(frozen=True)
class Change:
    """One cell of the LMS gradebook: what it holds (old, "" if unknown) and what the kit has."""
    student: str
    name: str
    column: str
    old: str
    new: str
    action: Action       # write: the file sets it; the others: the file leaves it as it is


@dataclass(frozen=True)
class SheetRow:
    row: Row
    ids: dict[str, str]                    # identifier column -> value, for the written columns
    values: tuple[str, ...]                # one per sheet column: never blank
    comments: tuple[str, ...]              # one per sheet column


@dataclass(frozen=True)
class Sheet:
    """What an LMS exporter writes: only safe rows and cells, already decided."""
    course: Course
    columns: tuple[Column, ...]
    id_fields: tuple[str, ...]             # the identifier columns, in the order written
    rows: tuple[SheetRow, ...]


@dataclass(frozen=True)
class Plan:
    sheet: Sheet
    changes: tuple[Change, ...]
    dropped: tuple[tuple[str, str], ...]   # (student, why) left out under drop_unmatched
    left_out: tuple[str, ...]              # roster entries with no result: not in the file
    notes: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """The plan as the instructor reads it before uploading: student, column, old → new."""
        out = []
        for c in self.changes:
            who = f"{c.name} ({c.student})" if c.name != c.student else c.student
            old = c.old if c.old != "" else "—"
            if c.action == "write":
                out.append(f"  {who} · {c.column}: {old} → {c.new}")
            elif c.action == "keep-lower":
                out.append(f"  {who} · {c.column}: {old} kept (the kit has {c.new}, lower; "
                           f"--allow-lower to write it)")
            elif c.action == "keep-text":
                out.append(f"  {who} · {c.column}: {old!r} kept (not a number; the kit has "
                           f"{c.new})")
        return out
