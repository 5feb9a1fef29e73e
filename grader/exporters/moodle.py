"""Moodle: a CSV for "Import grades › CSV file".

Moodle's importer lets the instructor map one column to identify users ("Map from" → "Map to":
user id, username, ID number or email address) and map every other column to a grade item or
to that item's feedback (MoodleDocs "Grade import"; grade/import/csv/classes/load_data.php).
So the file carries every identifier the roster has, one grade column per item and, beside
each, its feedback column. MoodleDocs warn that importing feedback without the grade wipes the
grade: the two always travel together here. UTF-8, comma-separated (the importer's defaults).
"""
from __future__ import annotations

from pathlib import Path

from . import ExportOptions, Table, feedback, number, register
from ._csv import write_csv


@register("moodle")
class Moodle:
    suffix = ".csv"
    description = "Moodle grade import CSV (grade and feedback per item)"

    def write(self, table: Table, options: ExportOptions, out: Path) -> None:
        header = ["Full name", "ID number", "Username", "Email address"]
        for c in table.columns:
            header += [c.title, f"{c.title} (Feedback)"]
        rows = [header]
        for row in table.matched():
            e = row.entry
            line = [row.name, e.lms_id if e else "", row.login(), e.email if e else ""]
            for c in table.columns:
                score = table.score(row, c)
                line += [number(score), feedback(row, c) if score is not None else ""]
            rows.append(line)
        write_csv(out, rows)
