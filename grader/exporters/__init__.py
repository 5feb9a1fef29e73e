"""Exporters: interchangeable consumers of the results model, registered by name.

Every exporter reads the same `Table` (graded results joined with the roster). The LMS
formats (Canvas, Moodle, Blackboard, Brightspace) go through one planning step, `plan()`,
which makes the file safe by construction before any of them writes a byte:

* a student the kit has no result for is not in the file (a blank cell would clear, or in
  Moodle's case NULL, a grade the LMS already has); a cell with no result is never blank;
* a row that could land on the wrong person (graded but not on the roster, no identifier the
  LMS matches on, an identifier two rows share, not in the LMS's gradebook given as --base)
  stops the export with every such row listed, unless `drop_unmatched` leaves them out, and
  then they are listed;
* with `--base` (the LMS's own gradebook export) only what changed is written, and a grade is
  never lowered unless `allow_lower`.

Adding an LMS format: a module here with a class decorated `@register("name")` that sets
`lms = True`, `id_fields`, `single_id` and has `ids`, `row_problems`, `check_columns`,
`base_match` and `write_sheet` (see canvas.py); other formats have `write(table, options, out)`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Literal, Protocol

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


class Exporter(Protocol):
    suffix: str
    description: str


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


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def plan(exporter, table: Table, options: ExportOptions, fmt: str = "") -> Plan:
    """Decide every row and cell of an LMS file; raise ExportError for rows that could land on
    the wrong person unless options.drop_unmatched (then they are left out and listed)."""
    fmt = fmt or getattr(exporter, "name", "this LMS")
    exporter.check_columns(table.columns, options)
    if not table.has_roster:
        raise ExportError(
            f"--format {fmt} needs --roster: the LMS matches rows on its own user ids "
            f"({', '.join(exporter.id_fields)}), and the kit's student ids are not those; "
            f"without a roster a grade could land on the wrong person (docs/lms.md, "
            f"'The roster')")
    problems: dict[str, list[str]] = {}
    left_out = tuple(r.student for r in table.rows if r.result is None)
    candidates = [r for r in table.rows if r.result is not None]
    for r in candidates:
        if r.entry is None:
            problems.setdefault(r.student, []).append("graded, but not in the roster")
    on_roster = [r for r in candidates if r.entry is not None]
    all_ids = {r.student: exporter.ids(r) for r in on_roster}

    # Which identifier columns to write.
    if exporter.single_id:
        counts = [(sum(1 for r in on_roster if all_ids[r.student].get(f)), -i, f)
                  for i, f in enumerate(exporter.id_fields)]
        fields: tuple[str, ...] = (max(counts)[2],) if counts else exporter.id_fields[:1]
    else:
        fields = tuple(exporter.id_fields)
    for r in on_roster:
        ids = all_ids[r.student]
        for why in exporter.row_problems(r, {f: ids.get(f, "") for f in fields}):
            problems.setdefault(r.student, []).append(why)
    for f in fields:
        seen: dict[str, str] = {}
        for r in on_roster:
            value = all_ids[r.student].get(f, "")
            if not value:
                continue
            if value in seen:
                for who, other in ((r.student, seen[value]), (seen[value], r.student)):
                    problems.setdefault(who, []).append(
                        f"{f} {value!r} is also {other}'s: the LMS cannot tell them apart")
            else:
                seen[value] = r.student

    base = None
    base_cols: dict[str, int] = {}
    notes: list[str] = []
    if options.base is not None:
        from .base import read_base
        base = read_base(options.base, exporter)
        for col in table.columns:
            idx = base.column(col, exporter)
            if idx is None:
                notes.append(f"{col.title!r} is not a column of {options.base.name}: the LMS "
                             f"will create it (or pass --lms-id)")
            else:
                base_cols[col.key] = idx
    base_rows: dict[str, list[str]] = {}
    for r in on_roster:
        if base is not None:
            found = base.find(all_ids[r.student])
            if found is None:
                problems.setdefault(r.student, []).append(
                    f"not in {options.base.name} (the LMS's gradebook): dropped the course, or "
                    f"the roster's id is wrong")
            else:
                base_rows[r.student] = found
        missing = [c.title for c in table.columns if table.score(r, c) is None
                   and not (r.student in base_rows and c.key in base_cols
                            and base_rows[r.student][base_cols[c.key]].strip())]
        if missing:
            problems.setdefault(r.student, []).append(
                f"no result for {', '.join(missing)}, and no grade to keep from --base "
                f"(a blank cell would clear it in the LMS)")

    if problems and not options.drop_unmatched:
        listing = "\n".join(f"  {who}: {'; '.join(dict.fromkeys(why))}"
                            for who, why in problems.items())
        raise ExportError(
            f"{len(problems)} row(s) could land on the wrong person or clear a grade; nothing "
            f"was written:\n{listing}\nFix the roster (docs/lms.md, 'The roster'), or pass "
            f"--drop-unmatched to leave these rows out of the file (they are listed)")
    dropped = tuple((who, "; ".join(dict.fromkeys(why))) for who, why in problems.items())

    keep = [r for r in on_roster if r.student not in problems]
    changes: list[Change] = []
    cells: dict[str, list[tuple[str, Action]]] = {}
    for r in keep:
        row_cells = []
        for col in table.columns:
            new = table.score(r, col)
            old = ""
            if r.student in base_rows and col.key in base_cols:
                old = base_rows[r.student][base_cols[col.key]].strip()
            action: Action
            if new is None:
                value, action = old, "no-result"
            elif base is None or old in ("", "-"):
                value, action = number(new), "write"
            elif not _is_number(old):
                value, action = old, "keep-text"
            elif abs(float(old) - new) < 0.005:
                value, action = old, "same"
            elif new < float(old) and not options.allow_lower:
                value, action = old, "keep-lower"
            else:
                value, action = number(new), "write"
            row_cells.append((value, action))
            changes.append(Change(r.student, r.name, col.title, old,
                                  number(new) if new is not None else "", action))
        cells[r.student] = row_cells

    columns = list(enumerate(table.columns))
    if base is not None:     # only what changed: rows and columns without a write are left out
        keep = [r for r in keep if any(a == "write" for _, a in cells[r.student])]
        columns = [(i, c) for i, c in columns
                   if any(cells[r.student][i][1] == "write" for r in keep)]
    now = options.now
    rows = tuple(SheetRow(row=r, ids={f: all_ids[r.student].get(f, "") for f in fields},
                          values=tuple(cells[r.student][i][0] for i, _ in columns),
                          comments=tuple(feedback(r, c, table.course, now) for _, c in columns))
                 for r in keep)
    sheet = Sheet(course=table.course, columns=tuple(c for _, c in columns), id_fields=fields,
                  rows=rows)
    return Plan(sheet=sheet, changes=tuple(changes), dropped=dropped, left_out=left_out,
                notes=tuple(notes))


# ------------------------------------------------------------------------------- export

@dataclass(frozen=True)
class ExportReport:
    format: str
    out: Path
    rows: int                              # rows in the file
    not_in_roster: tuple[str, ...]
    no_submission: tuple[str, ...]
    omitted: tuple[str, ...]               # students left out of the file (not identifiable)
    plan: Plan | None = None               # LMS formats: every cell decided
    written: bool = True

    def messages(self) -> list[str]:
        out = []
        if self.plan is not None:
            if self.plan.dropped:
                out.append(f"{len(self.plan.dropped)} row(s) left out (--drop-unmatched); "
                           f"give them their grade by hand: " + "; ".join(
                               f"{who}: {why}" for who, why in self.plan.dropped))
            if self.plan.left_out:
                out.append(f"{len(self.plan.left_out)} roster entr(ies) have no result and are "
                           f"not in the file (their LMS grade stays as it is): "
                           f"{', '.join(self.plan.left_out)}")
            lower = [c for c in self.plan.changes if c.action == "keep-lower"]
            if lower:
                out.append(f"{len(lower)} grade(s) in the LMS are higher than the kit's and were "
                           f"kept (pass --allow-lower to write the kit's): " + ", ".join(
                               f"{c.student} {c.column} {c.old} > {c.new}" for c in lower))
            out += list(self.plan.notes)
            return out
        if self.not_in_roster:
            left = " and are NOT in the file" if self.omitted else " (kept in the file)"
            out.append(f"{len(self.not_in_roster)} graded student(s) are not in the roster"
                       f"{left}: {', '.join(self.not_in_roster)}")
        if self.no_submission:
            out.append(f"{len(self.no_submission)} roster entr(ies) have no submission: "
                       f"{', '.join(self.no_submission)}")
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
           options: ExportOptions | None = None, *, dry_run: bool = False) -> ExportReport:
    """Write `out` in format `fmt`. LMS formats are planned first (see `plan`); with
    dry_run nothing is written and the report carries the plan."""
    exporter = get(fmt)
    options = options or ExportOptions()
    table = build_table(course, load_results(results_dir), roster, options)
    if getattr(exporter, "lms", False):
        the_plan = plan(exporter, table, options, fmt)
        if not dry_run:
            exporter.write_sheet(the_plan.sheet, options, out)
        return ExportReport(format=fmt, out=out, rows=len(the_plan.sheet.rows),
                            not_in_roster=tuple(table.not_in_roster),
                            no_submission=tuple(table.no_submission),
                            omitted=tuple(who for who, _ in the_plan.dropped),
                            plan=the_plan, written=not dry_run)
    if options.base is not None:
        raise ExportError(f"--base works with the LMS formats (canvas, moodle, blackboard, "
                          f"brightspace), not with --format {fmt}")
    if not dry_run:
        exporter.write(table, options, out)
    keeps_all = getattr(exporter, "keeps_unmatched", False)
    omitted = () if keeps_all else tuple(table.not_in_roster)
    return ExportReport(format=fmt, out=out, rows=len(table.rows),
                        not_in_roster=tuple(table.not_in_roster),
                        no_submission=tuple(table.no_submission), omitted=omitted,
                        written=not dry_run)


from . import blackboard, brightspace, canvas, moodle, nbgrader_db, plain  # noqa: E402,F401
