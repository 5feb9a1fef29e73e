"""Brightspace (D2L): a grades import file (Grades › Enter Grades › Import).

Rules followed (D2L Brightspace community article "Importing grades" and its
Grades_Sample_Import_File.csv): a `OrgDefinedId` and/or `Username` column identifies the user;
each numeric grade item is a column named `<Item> Points Grade`; the last column is
`End-of-Line Indicator` and every row ends with `#`.
"""
from __future__ import annotations

from pathlib import Path

from . import ExportOptions, Table, number, register
from ._csv import write_csv


@register("brightspace")
class Brightspace:
    suffix = ".csv"
    description = "Brightspace grades import CSV"

    def write(self, table: Table, options: ExportOptions, out: Path) -> None:
        header = ["OrgDefinedId", "Username", *(f"{c.title} Points Grade" for c in table.columns),
                  "End-of-Line Indicator"]
        rows = [header]
        for row in table.matched():
            e = row.entry
            rows.append([e.lms_id if e else "", row.login(),
                         *(number(table.score(row, c)) for c in table.columns), "#"])
        write_csv(out, rows)
