"""Exporters: interchangeable consumers of the results model, registered by name.

Every exporter reads the same `Table` (graded results joined with the roster) and writes one
file. `export()` builds the table, hands it to the exporter named by `--format`, and returns an
`ExportReport` that lists every student who could not be matched: graded students missing
from the roster, and roster entries with no submission. Nobody is dropped silently.

Adding a format: a module here with a class decorated `@register("name")` that has
`suffix`, `description` and `write(table, options, out)`, imported at the bottom of this file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal, Protocol

from ..errors import GraderError
from ..manifest import Course
from ..results import SubmissionResult
from ..roster import RosterEntry

Columns = Literal["exercises", "total"]


class ExportError(GraderError):
    """The export cannot be written as asked (unknown format, no results, bad option)."""


@dataclass(frozen=True)
class ExportOptions:
    columns: Columns = "exercises"          # one column per exercise, or one total
    lms_ids: dict[str, str] = field(default_factory=dict)   # exercise id | "total" -> LMS column id


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


def feedback(row: Row, column: Column) -> str:
    """A one-line comment for the student: failed checks they may see, in their terms
    (one line, because some importers read a line break inside a cell as a new row)."""
    r = row.result
    if r is None:
        return "no submission"
    checks = [c for c in r.checks if column.key in ("total", c.exercise)]
    lines = []
    hidden = 0
    for c in checks:
        if c.status in ("passed", "skipped"):
            continue
        if c.visibility == "hidden":
            hidden += 1
            continue
        what = "the grader could not grade this check" if c.status == "error" else c.message
        first = what.strip().splitlines()[0] if what.strip() else ""
        lines.append(f"failed {c.exercise} / {c.description}" + (f": {first}" if first else ""))
    if hidden:
        lines.append(f"{hidden} hidden check(s) failed")
    got = sum(c.score for c in checks)
    top = sum(c.max_score for c in checks if c.counts)
    head = f"{number(got)} / {number(top)} points"
    if r.late.get("penalty"):
        head += f" (late: -{float(r.late['penalty']) * 100:g}%)"
    return "; ".join([head, *lines])


class Exporter(Protocol):
    suffix: str
    description: str

    def write(self, table: Table, options: ExportOptions, out: Path) -> None: ...


EXPORTERS: dict[str, Exporter] = {}


def register(name: str) -> Callable[[type], type]:
    def deco(cls: type) -> type:
        EXPORTERS[name] = cls()
        return cls
    return deco


def get(name: str) -> Exporter:
    try:
        return EXPORTERS[name]
    except KeyError:
        import difflib
        close = difflib.get_close_matches(name, EXPORTERS, n=1)
        hint = f" — did you mean {close[0]!r}?" if close else ""
        raise ExportError(f"unknown export format {name!r}{hint} "
                          f"(known: {', '.join(sorted(EXPORTERS))})") from None


@dataclass(frozen=True)
class ExportReport:
    format: str
    out: Path
    rows: int
    not_in_roster: tuple[str, ...]
    no_submission: tuple[str, ...]
    omitted: tuple[str, ...]               # students left out of the file (not identifiable)

    def messages(self) -> list[str]:
        out = []
        if self.not_in_roster:
            left = " and are NOT in the file" if self.omitted else " (kept in the file)"
            out.append(f"{len(self.not_in_roster)} graded student(s) are not in the roster"
                       f"{left}: {', '.join(self.not_in_roster)}")
        if self.no_submission:
            out.append(f"{len(self.no_submission)} roster entr(ies) have no submission "
                       f"(blank grade in the file): {', '.join(self.no_submission)}")
        return out


def load_results(results_dir: Path) -> list[SubmissionResult]:
    """Every DIR/<student>/results.json, with an error naming any file that cannot be read."""
    from .. import results as results_mod
    if not results_dir.is_dir():
        raise ExportError(f"{results_dir}: no such folder of results "
                          f"(run `grader grade … --out {results_dir}` first)")
    found: list[SubmissionResult] = []
    for path in sorted(results_dir.glob("*/results.json")):
        try:
            found.append(results_mod.load(path))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ExportError(f"{path}: not a results file the kit wrote "
                              f"({type(exc).__name__}: {exc})") from None
    if not found:
        raise ExportError(f"{results_dir}: no <student>/results.json in it "
                          f"(run `grader grade … --out {results_dir}` first)")
    seen: dict[str, str] = {}
    for r in found:
        if r.student in seen:
            raise ExportError(f"{results_dir}: two results for student {r.student!r}")
        seen[r.student] = r.student
    return found


def build_table(course: Course, graded: list[SubmissionResult],
                roster: list[RosterEntry] | None, options: ExportOptions) -> Table:
    present = {c.exercise for r in graded for c in r.checks}
    columns: list[Column] = []
    known = {e.id for e in course.exercises}
    unknown = sorted(present - known)
    if unknown:
        raise ExportError(f"results name exercise(s) {', '.join(unknown)} that course.yaml "
                          f"does not have; export with the course.yaml they were graded with "
                          f"(--course)")
    for key in options.lms_ids:
        if key != "total" and key not in known:
            raise ExportError(f"--lms-id {key}=…: no exercise {key!r} in course.yaml")
    exercises = [e for e in course.exercises if e.id in present]
    if options.columns == "total":
        columns.append(Column("total", f"{course.title} total",
                              sum(e.max_points for e in exercises), options.lms_ids.get("total", "")))
    else:
        for e in exercises:
            columns.append(Column(e.id, f"{e.id}: {e.title}", e.max_points,
                                  options.lms_ids.get(e.id, "")))
    by_id = {r.student: r for r in graded}
    rows: list[Row] = []
    if roster is not None:
        for entry in roster:
            rows.append(Row(entry.student, entry, by_id.pop(entry.student, None)))
    for student in sorted(by_id):
        rows.append(Row(student, None, by_id[student]))
    return Table(course=course, columns=tuple(columns), rows=tuple(rows),
                 has_roster=roster is not None)


def export(fmt: str, results_dir: Path, course: Course, out: Path,
           roster: list[RosterEntry] | None = None,
           options: ExportOptions | None = None) -> ExportReport:
    exporter = get(fmt)
    options = options or ExportOptions()
    table = build_table(course, load_results(results_dir), roster, options)
    exporter.write(table, options, out)
    keeps_all = getattr(exporter, "keeps_unmatched", False)
    omitted = () if keeps_all else tuple(table.not_in_roster)
    return ExportReport(format=fmt, out=out, rows=len(table.rows),
                        not_in_roster=tuple(table.not_in_roster),
                        no_submission=tuple(table.no_submission), omitted=omitted)


from . import blackboard, brightspace, canvas, moodle, nbgrader_db, plain  # noqa: E402,F401
