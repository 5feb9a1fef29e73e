"""csv: a plain per-student table for spreadsheets.

Every student is in it, matched or not; the `roster` column says which were not on the roster
and which roster entries have no submission. UTF-8 with a byte-order mark, so that Excel
reads accented names correctly; RFC 4180 quoting, so names with commas and quotes round-trip.
"""
from __future__ import annotations

from pathlib import Path

from ._csv import write_csv
from ._model import ExportOptions, Table, number
from ._registry import register


@register("csv")
class Plain:
    suffix = ".csv"
    description = "plain CSV for spreadsheets (every student, with roster status)"
    keeps_unmatched = True

    def write(self, table: Table, options: ExportOptions, out: Path) -> None:
        keys = [c.key for c in table.columns]
        header = ["student", "name", "email", *keys]
        if options.columns != "total":
            header.append("total")
        header += ["max_score", "late_penalty", "roster"]
        rows = [header]
        total_max = sum(c.max_points for c in table.columns)
        for row in table.rows:
            r = row.result
            status = ("no submission" if r is None
                      else "not in roster" if table.has_roster and row.entry is None else "")
            line = [row.student, row.entry.name if row.entry else "",
                    row.entry.email if row.entry else "",
                    *(number(table.score(row, c)) for c in table.columns)]
            if options.columns != "total":
                line.append(number(r.score if r else None))
            line += [number(total_max), number(float(r.late.get("penalty", 0)) if r else None),
                     status]
            rows.append(line)
        write_csv(out, rows, bom=True)
