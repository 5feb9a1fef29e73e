"""Brightspace (D2L): a grades import file (Grades › Enter Grades › Import).

Rules followed (D2L Brightspace community article "Importing grades" and its
Grades_Sample_Import_File.csv): a `OrgDefinedId` and/or `Username` column identifies the user;
each numeric grade item is a column named `<Item> Points Grade`; the last column is
`End-of-Line Indicator` and every row ends with `#`.

Brightspace's own export writes every OrgDefinedId and Username with a leading `#` (so that a
spreadsheet keeps leading zeros; "the pound signs are not part of the data", University of
Wisconsin KB 4330), and its import reads it back; without it an identifier is safe only when
every value begins with a letter. So both are always written `#<value>`. The file has ONE
identifier column, filled on every row: OrgDefinedId when the roster has an lms_id for every
student, else Username. A student without a result is left out, never given a blank cell.
"""
from __future__ import annotations

import re
from pathlib import Path

from ._csv import write_csv
from ._model import Column, ExportError, ExportOptions, Row, Sheet
from ._registry import register


@register("brightspace")
class Brightspace:
    suffix = ".csv"
    description = "Brightspace grades import CSV"
    lms = True
    lms_name = "Brightspace"
    id_fields = ("OrgDefinedId", "Username")
    base_id_fields = id_fields
    single_id = True

    def ids(self, row: Row) -> dict[str, str]:
        e = row.entry
        if e is None:
            return {}
        org, user = e.lms_id.strip().lstrip("#"), e.username.strip().lstrip("#")
        return {"OrgDefinedId": f"#{org}" if org else "", "Username": f"#{user}" if user else ""}

    def row_problems(self, row: Row, ids: dict[str, str]) -> list[str]:
        (name, value), = ids.items()
        return [] if value else [f"no {'lms_id' if name == 'OrgDefinedId' else 'username'} in "
                                 f"the roster (Brightspace matches on {name})"]

    def check_columns(self, columns: tuple[Column, ...], options: ExportOptions) -> None:
        for c in columns:
            if c.lms_id:
                raise ExportError("Brightspace matches grade items by name; --lms-id does not "
                                  "apply (name the item in Brightspace as the column title)")

    def base_match(self, header: str, column: Column) -> bool:
        """The export writes `<Item> Points Grade <Numeric MaxPoints:10 …>`."""
        return header.split(" <", 1)[0] == f"{column.title} Points Grade"

    def base_column_id(self, header: str) -> str:
        return ""

    def base_max(self, header: str, points_cell: str) -> float | None:
        m = re.search(r"MaxPoints:([0-9.]+)", header)
        return float(m.group(1)) if m else None

    def write_sheet(self, sheet: Sheet, options: ExportOptions, out: Path) -> None:
        header = [*sheet.id_fields, *(f"{c.title} Points Grade" for c in sheet.columns),
                  "End-of-Line Indicator"]
        rows = [header]
        for r in sheet.rows:
            rows.append([*(r.ids[f] for f in sheet.id_fields), *r.values, "#"])
        write_csv(out, rows)
