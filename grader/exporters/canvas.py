"""Canvas: the Gradebook import CSV.

Rules followed (canvas-lms `app/models/gradebook_importer.rb`, read in docs/lms.md):

* parsed with Ruby's CSV (`converters: [:nil, :decimal_comma_to_period]`,
  `skip_lines: /^[;, ]+$/`, `col_sep` "," unless ";" splits the first three lines into more
  fields): plain RFC 4180 quoting, no escape character;
* header `Student, ID, SIS User ID, SIS Login ID, Section`, then one column per assignment;
  `Title (123)` names assignment 123 (`Assignment.title_and_id`: `/\\A(.*)\\s\\((\\d+)\\)\\z/`),
  otherwise the exact title is looked up and, when no assignment has it, a NEW assignment is
  made: an `--lms-id` must be digits;
* any header containing "Current Score", "Current Points", "Current Grade", "Final Score",
  "Final Points", "Final Grade", "Override Score", "Override Grade" or "Override Status"
  (case-sensitive, anywhere in it) is dropped as read-only; "Student", "ID", "SIS User ID",
  "SIS Login ID", "Section", "Integration ID", "Root Account" are reserved: such titles are
  refused here;
* a row is matched on ID (the Canvas user id), else SIS User ID, else SIS Login ID, else the
  student's NAME: every row here carries at least one id, never only a name;
* a cell's value replaces the grade and a BLANK cell deletes it; a student or assignment not
  in the file is left alone — so a student without a result is left out, never blank;
* the `    Points Possible` row, as Canvas's own export writes it.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ._csv import write_csv
from ._model import Column, ExportError, ExportOptions, Row, Sheet, number
from ._registry import register

NON_ASSIGNMENT = ("Current Score", "Current Points", "Current Grade", "Final Score",
                  "Final Points", "Final Grade", "Override Score", "Override Grade",
                  "Override Status")
RESERVED_NAMES = ("Student", "LastName", "FirstName", "ID", "SIS User ID", "SIS Login ID",
                  "Section", "Integration ID", "Root Account")
TITLE_AND_ID = re.compile(r"\A(.*)\s\((\d+)\)\Z", re.DOTALL)


def column_title(title: str, lms_id: str) -> str:
    for word in NON_ASSIGNMENT:
        if word.lower() in title.lower():
            raise ExportError(f"Canvas ignores a column titled {title!r} (it contains "
                              f"{word!r}, a read-only Gradebook column); rename it in "
                              f"course.yaml")
    if title.strip() in RESERVED_NAMES:
        raise ExportError(f"Canvas reads a column titled {title!r} as a student column; "
                          f"rename it in course.yaml")
    if lms_id and not lms_id.isdigit():
        raise ExportError(f"--lms-id for {title!r} must be the Canvas assignment id, the "
                          f"number in the assignment's URL (…/assignments/123), given: "
                          f"{lms_id!r}; Canvas would create a new assignment")
    if not lms_id and TITLE_AND_ID.match(title):
        raise ExportError(f"Canvas would read the trailing number in {title!r} as an "
                          f"assignment id; rename it or pass --lms-id")
    if any(ch in title for ch in "\r\n"):
        raise ExportError(f"a Canvas column title cannot hold a line break: {title!r}")
    return f"{title} ({lms_id})" if lms_id else title


@register("canvas")
class Canvas:
    suffix = ".csv"
    description = "Canvas Gradebook import CSV"
    lms = True
    lms_name = "Canvas"
    id_fields = ("ID", "SIS User ID", "SIS Login ID")
    base_id_fields = id_fields
    single_id = False

    def ids(self, row: Row) -> dict[str, str]:
        e = row.entry
        return {"ID": e.lms_id, "SIS User ID": e.sis_id,
                "SIS Login ID": e.sis_login or e.username} if e else {}

    def row_problems(self, row: Row, ids: dict[str, str]) -> list[str]:
        out = []
        for field, value in ids.items():
            if value and converted(value) != value:
                out.append(f"Canvas reads {field} {value!r} as the number {converted(value)!r} "
                           f"(its decimal_comma_to_period converter), so it would not match")
        if "Points Possible" in row.name:
            out.append("a name containing 'Points Possible' is read as the points row")
        if ids.get("ID") and not ids["ID"].isdigit():
            out.append(f"lms_id {ids['ID']!r} is not a Canvas user id (the number in the "
                       f"user's URL, …/users/123)")
        if not any(ids.values()):
            out.append("no lms_id, sis_id, sis_login or username in the roster (Canvas "
                       "would match this row by name)")
        return out

    def check_columns(self, columns: tuple[Column, ...], options: ExportOptions) -> None:
        for c in columns:
            column_title(c.title, c.lms_id)

    def base_match(self, header: str, column: Column) -> bool:
        m = TITLE_AND_ID.match(header)
        if column.lms_id:
            return m is not None and m.group(2) == column.lms_id
        return header == column.title or (m is not None and m.group(1) == column.title)

    def base_column_id(self, header: str) -> str:
        m = TITLE_AND_ID.match(header)
        return m.group(2) if m else ""

    def base_max(self, header: str, points_cell: str) -> float | None:
        """The export's `Points Possible` row."""
        try:
            return float(points_cell)
        except ValueError:
            return None

    def write_sheet(self, sheet: Sheet, options: ExportOptions, out: Path) -> None:
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                  *(column_title(c.title, c.lms_id) for c in sheet.columns)]
        rows = [header,
                ["    Points Possible", "", "", "", "", *(number(c.max_points) for c in sheet.columns)]]
        for r in sheet.rows:
            rows.append([r.row.name, r.ids.get("ID", ""), r.ids.get("SIS User ID", ""),
                         r.ids.get("SIS Login ID", ""), r.row.entry.section if r.row.entry else "",
                         *r.values])
        check_delimiter(rows)
        write_csv(out, rows)


def converted(field: str) -> str:
    """gradebook_importer.rb's `decimal_comma_to_period` converter, applied to every cell."""
    if re.fullmatch(r"-?[0-9.,]+%?", field):
        parts = re.split(r"[,.]", field)
        last = parts.pop()
        return last if not parts else "".join(parts) + "." + last
    return field


def check_delimiter(rows: list[list[str]]) -> None:
    """Canvas picks ";" when it splits the first three lines into more fields than "," does."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows[:3])
    lines = buf.getvalue().splitlines()[:3]

    def fields(sep: str) -> int:
        counts = {len(next(csv.reader([line], delimiter=sep))) for line in lines}
        return counts.pop() if len(counts) == 1 else 0
    if fields(";") > fields(","):
        raise ExportError("Canvas would read this file as semicolon-separated (the first rows "
                          "hold more ';' than ','); remove ';' from the column titles or the "
                          "first student's name")
