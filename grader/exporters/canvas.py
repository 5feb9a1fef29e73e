"""Canvas: the Gradebook import CSV.

Rules followed (Canvas guides "How do I import grades in the Gradebook?" and the gradebook
export it mirrors; see docs/lms.md for sources):

* header `Student, ID, SIS User ID, SIS Login ID, Section`, then one column per assignment
  titled `Title (assignment id)`; a title without an id makes Canvas create a new assignment;
* a second row `    Points Possible` (as Canvas's own export writes it) with each column's
  maximum; Canvas reads it as the points row, not as a student;
* Canvas ignores read-only columns whose title contains words such as "Current Score" or
  "Final Grade": such a title is refused here rather than silently dropped there;
* a blank cell leaves the Canvas grade unchanged (used for roster entries with no submission).

Students are matched on ID (the roster's lms_id), SIS User ID or SIS Login ID; without a roster
the kit's student id goes in SIS Login ID.
"""
from __future__ import annotations

import re
from pathlib import Path

from . import ExportError, ExportOptions, Table, number, register
from ._csv import write_csv

# Canvas treats these as computed, read-only columns and ignores them on import.
RESERVED = ("current score", "final score", "current grade", "final grade", "current points",
            "final points", "unposted current", "unposted final", "override score",
            "override grade")


def column_title(title: str, lms_id: str) -> str:
    lowered = title.lower()
    for word in RESERVED:
        if word in lowered:
            raise ExportError(f"Canvas ignores a column titled {title!r} (it contains "
                              f"{word.title()!r}, a read-only Gradebook column); rename it")
    if not lms_id and re.search(r"\(\d+\)\s*$", title):
        raise ExportError(f"Canvas would read the trailing number in {title!r} as an "
                          f"assignment id; rename it or pass --lms-id")
    return f"{title} ({lms_id})" if lms_id else title


@register("canvas")
class Canvas:
    suffix = ".csv"
    description = "Canvas Gradebook import CSV"

    def write(self, table: Table, options: ExportOptions, out: Path) -> None:
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                  *(column_title(c.title, c.lms_id) for c in table.columns)]
        rows = [header,
                ["    Points Possible", "", "", "", "", *(number(c.max_points) for c in table.columns)]]
        for row in table.matched():
            e = row.entry
            rows.append([row.name, e.lms_id if e else "", e.sis_id if e else "",
                         (e.sis_login or e.username) if e else row.student,
                         e.section if e else "",
                         *(number(table.score(row, c)) for c in table.columns)])
        write_csv(out, rows)
