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

from dataclasses import dataclass
from pathlib import Path
from typing import cast

from ..manifest import Course
from ..results import SubmissionResult
from ..roster import RosterEntry
from ._model import (
    Change,
    Column,
    Columns,
    ExportError,
    ExportOptions,
    Plan,
    Row,
    Sheet,
    SheetRow,
    Table,
    feedback,
    number,
)
from ._plan import plan
from ._registry import EXPORTERS, Exporter, LmsExporter, TableExporter, get, register

__all__ = ["EXPORTERS", "Change", "Column", "Columns", "ExportError", "ExportOptions",
           "ExportReport", "Exporter", "LmsExporter", "Plan", "Row", "Sheet", "SheetRow", "Table", "TableExporter",
           "build_table", "export", "feedback", "get", "load_results", "number", "plan",
           "register"]


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
        if self.not_in_roster:
            out.append(f"the roster matches only part of the class: {len(self.not_in_roster)} "
                       f"graded student(s) are not on it: {', '.join(self.not_in_roster)}")
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
            out.append("they are NOT in the file" if self.omitted else
                       "they are in the file (roster column: 'not in roster')")
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
        lms = cast(LmsExporter, exporter)
        the_plan = plan(lms, table, options, fmt)
        if not dry_run:
            lms.write_sheet(the_plan.sheet, options, out)
        return ExportReport(format=fmt, out=out, rows=len(the_plan.sheet.rows),
                            not_in_roster=tuple(table.not_in_roster),
                            no_submission=tuple(table.no_submission),
                            omitted=tuple(who for who, _ in the_plan.dropped),
                            plan=the_plan, written=not dry_run)
    if options.base is not None:
        raise ExportError(f"--base works with the LMS formats (canvas, moodle, blackboard, "
                          f"brightspace), not with --format {fmt}")
    if not dry_run:
        cast(TableExporter, exporter).write(table, options, out)
    keeps_all = getattr(exporter, "keeps_unmatched", False)
    omitted = () if keeps_all else tuple(table.not_in_roster)
    return ExportReport(format=fmt, out=out, rows=len(table.rows),
                        not_in_roster=tuple(table.not_in_roster),
                        no_submission=tuple(table.no_submission), omitted=omitted,
                        written=not dry_run)


from . import blackboard, brightspace, canvas, moodle, nbgrader_db, plain  # noqa: E402,F401
