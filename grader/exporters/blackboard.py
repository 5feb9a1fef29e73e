"""Blackboard Learn: a Grade Center upload file ("Work Offline › Upload").

Rules followed (Blackboard Help, "Uploading or Downloading Grade Center Items for Working
Offline"; the column names of a Grade Center download): students are matched on `Username`;
each grade column is `Title [Total Pts: N Score] |column id`, where the column id ties it to an
existing Grade Center column (without one Blackboard creates a new text column); comma
delimited files must have every field in quotes. Name columns are informational (Blackboard
does not change names on upload).
"""
from __future__ import annotations

from pathlib import Path

from . import ExportOptions, Row, Table, number, register
from ._csv import write_csv


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

    def write(self, table: Table, options: ExportOptions, out: Path) -> None:
        header = ["Last Name", "First Name", "Username"]
        for c in table.columns:
            title = f"{c.title} [Total Pts: {number(c.max_points)} Score]"
            header.append(f"{title} |{c.lms_id}" if c.lms_id else title)
        rows = [header]
        for row in table.matched():
            last, first = split_name(row)
            rows.append([last, first, row.login(),
                         *(number(table.score(row, c)) for c in table.columns)])
        write_csv(out, rows, quote_all=True)
