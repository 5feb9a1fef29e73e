"""Moodle: a CSV for "Import grades › CSV file".

Rules followed (Moodle `grade/import/csv/classes/load_data.php` and `lib/csvlib.class.php`,
read in docs/lms.md):

* the file is read with PHP's `fgetcsv($fp, 0, ',', '"')`, whose escape character is `\\`
  (a `\\` makes the next character literal and is kept), after "\\r\\n" → "\\n" and a trim of
  the whole text; every row must have the header's number of fields. Moodle then stores the
  rows with `fputcsv` and reads them again with `fgetcsv`. Cells here are quoted so that
  both passes read back exactly what was meant (`php_field`);
* the instructor maps ONE column to identify users ("Map from" → "Map to": User ID, Username,
  ID number or Email address). So the file has exactly one identifier column, first, filled
  on every row: a blank (or "0", which PHP's empty() also skips) identifier keeps the
  PREVIOUS row's user and sends this row's grades to them, and one identifier that matches no
  user aborts the whole import;
* a blank or "-" grade sets the final grade to NULL (clears it): a student without a result
  is left out, a cell is never blank;
* feedback is mapped per item, beside its grade; its text is the kit's one-line comment,
  without the text of checks the student may not see yet (grader/visibility.py).
"""
from __future__ import annotations

import re
from pathlib import Path

from ..results import write_atomic
from ._model import Column, ExportError, ExportOptions, Row, Sheet, number
from ._registry import register

FIELDS = {"Username": "username", "User ID": "lms_id", "Email address": "email",
          "ID number": "sis_id"}


def php_field(text: str) -> str:
    """`text` enclosed so that PHP's fgetcsv (escape `\\`) and Moodle's fputcsv/fgetcsv
    round trip both return it: a `\\` makes the next character literal (kept, and a quote after
    it is not doubled), every other `"` is doubled. Two cases PHP cannot carry are made
    harmless: an even run of `\\` before a `"` (fputcsv and fgetcsv disagree on it) gets a
    space before the `"`, and an odd run at the end (it would escape the closing quote) gets
    a trailing space, which Moodle's trim() removes."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            j = i
            while j < n and text[j] == "\\":
                j += 1
            run = text[i:j]
            out.append(run)
            if j < n and text[j] == '"':
                # an odd run ends in an escape: the quote is literal, not doubled; an even
                # run is read as pairs by fgetcsv but as escapes by fputcsv: part them
                out.append('"' if len(run) % 2 else ' ""')
                j += 1
            elif j == n and len(run) % 2 == 1:
                out.append(" ")
            i = j
            continue
        out.append('""' if ch == '"' else ch)
        i += 1
    return '"' + "".join(out) + '"'


def readback(text: str) -> str:
    """What Moodle stores for a cell written with `php_field`: `text` itself, except where
    php_field parts an even run of `\\` from the `"` after it, after Moodle's newline fix and
    trim()."""
    parted = re.sub(r'(?<!\\)((?:\\\\)+)"', r'\1 "', text)
    return parted.replace("\r\n", "\n").replace("\r", "\n").strip()


@register("moodle")
class Moodle:
    suffix = ".csv"
    description = "Moodle grade import CSV (one identifier column; grade and feedback per item)"
    lms = True
    lms_name = "Moodle"
    id_fields = ("Username", "User ID", "Email address", "ID number")
    base_id_fields = id_fields
    single_id = True

    def ids(self, row: Row) -> dict[str, str]:
        e = row.entry
        return {h: getattr(e, attr) for h, attr in FIELDS.items()} if e else {}

    def row_problems(self, row: Row, ids: dict[str, str]) -> list[str]:
        (name, value), = ids.items()
        if not value or value == "0":
            return [f"no {FIELDS[name]} in the roster for Moodle's {name!r} (Moodle would give "
                    f"this row's grades to the row above it)"]
        if name == "User ID" and not value.isdigit():
            return [f"lms_id {value!r} is not a Moodle user id (the number in the profile "
                    f"URL, user/profile.php?id=123)"]
        return []

    def check_columns(self, columns: tuple[Column, ...], options: ExportOptions) -> None:
        """load_data.php insert_grade_record(): a grade above 100 (`gradepointmax` only when
        the site allows unlimited grades) aborts the whole import."""
        for c in columns:
            if c.max_points > 100:
                raise ExportError(
                    f"{c.title!r} is worth {number(c.max_points)} points; Moodle aborts an import "
                    f"with any grade above 100 unless the site allows unlimited grades "
                    f"(gradepointmax); export --columns exercises instead")

    def base_match(self, header: str, column: Column) -> bool:
        """Moodle's export titles an item `Module: Name (Real)` (or `Name (Real)`)."""
        name = header.removesuffix(" (Real)")
        for kind, what in ((" (Percentage)", "percentages"), (" (Letter)", "letters")):
            if name.endswith(kind) and self.base_match(name[: -len(kind)], column):
                raise ExportError(f"--base: Moodle exported {header!r} as {what}, not points; "
                                  f"export the gradebook again with 'Grade export display "
                                  f"type: Real'")
        return name == column.title or name.endswith(": " + column.title)

    def base_column_id(self, header: str) -> str:
        return ""

    def base_max(self, header: str, points_cell: str) -> float | None:
        return None           # Moodle's export does not say

    def write_sheet(self, sheet: Sheet, options: ExportOptions, out: Path) -> None:
        header = [*sheet.id_fields, "Full name"]
        for c in sheet.columns:
            header += [c.title, f"{c.title} (Feedback)"]
        rows = [header]
        for r in sheet.rows:
            line = [*(r.ids[f] for f in sheet.id_fields), r.row.name]
            for value, comment in zip(r.values, r.comments):
                line += [value, comment]
            rows.append(line)
        text = "".join(",".join(php_field(cell) for cell in row) + "\r\n" for row in rows)
        write_atomic(out, text)
