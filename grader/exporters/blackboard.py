"""Blackboard Learn: a Grade Center upload file ("Work Offline › Upload").

Rules followed (Blackboard Help, "Uploading or Downloading Grade Center Items for Working
Offline"; the column names of a Grade Center download): students are matched on `Username`
(every row here has one; a row without is refused); each grade column is
`Title [Total Pts: N Score] |column id`, where the column id ties it to an existing Grade
Center column (without one Blackboard creates a new text column); comma delimited files must
have every field in quotes. Name columns are informational (Blackboard does not change names
on upload). A student without a result is left out, never given a blank cell.
"""
from __future__ import annotations

import re
from pathlib import Path

from ._csv import write_csv
from ._model import Column, ExportError, ExportOptions, Row, Sheet, number
from ._registry import register

COLUMN_ID = re.compile(r"\|(\d+)\s*$")


def split_name(row: Row) -> tuple[str, str]:
    """(last, first) from "Last, First" or "First Last"."""
    name = row.entry.name if row.entry and row.entry.name else ""
    if "," in name:
        last, first = name.split(",", 1)
        return last.strip(), first.strip()
    if " " in name.strip():
        first, last = name.strip().rsplit(" ", 1)
        return last, first
    return name, ""


@register("blackboard")
class Blackboard:
    suffix = ".csv"
    description = "Blackboard Grade Center upload (comma-delimited, every field quoted)"
    lms = True
    lms_name = "Blackboard"
    id_fields = ("Username",)
    base_id_fields = id_fields
    single_id = True

    def ids(self, row: Row) -> dict[str, str]:
        return {"Username": row.entry.username} if row.entry else {}

    def row_problems(self, row: Row, ids: dict[str, str]) -> list[str]:
        return [] if ids.get("Username") else ["no username in the roster (Blackboard matches "
                                               "on Username)"]

    def check_columns(self, columns: tuple[Column, ...], options: ExportOptions) -> None:
        for c in columns:
            if c.lms_id and not c.lms_id.isdigit():
                raise ExportError(f"--lms-id for {c.title!r} must be the Grade Center column "
                                  f"id (the number after '|' in a downloaded column name), "
                                  f"given: {c.lms_id!r}")
            if "|" in c.title or "[" in c.title:
                raise ExportError(f"Blackboard reads '|' and '[' in a column name as its id "
                                  f"and points; rename {c.title!r} in course.yaml")

    def base_match(self, header: str, column: Column) -> bool:
        m = COLUMN_ID.search(header)
        if column.lms_id:
            return m is not None and m.group(1) == column.lms_id
        return header.split(" [", 1)[0] == column.title

    def base_column_id(self, header: str) -> str:
        m = COLUMN_ID.search(header)
        return m.group(1) if m else ""

    def base_max(self, header: str, points_cell: str) -> float | None:
        m = re.search(r"\[Total Pts: ([0-9.]+)", header)
        return float(m.group(1)) if m else None

    def write_sheet(self, sheet: Sheet, options: ExportOptions, out: Path) -> None:
        header = ["Last Name", "First Name", "Username"]
        for c in sheet.columns:
            title = f"{c.title} [Total Pts: {number(c.max_points)} Score]"
            header.append(f"{title} |{c.lms_id}" if c.lms_id else title)
        rows = [header]
        for r in sheet.rows:
            last, first = split_name(r.row)
            rows.append([last, first, r.ids["Username"], *r.values])
        write_csv(out, rows, quote_all=True)
