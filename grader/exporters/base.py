"""`--base`: the LMS's own gradebook export, read so that an export writes only what changed.

The instructor downloads the gradebook from the LMS (Canvas "Export Entire Gradebook",
Moodle "Export › Plain text file", Blackboard "Work Offline › Download", Brightspace "Export
Grades") and passes it as `--base`. Rows are found by any identifier column the format
matches on (Canvas ID / SIS User ID / SIS Login ID, Moodle Username / Email address / ID
number, Blackboard Username, Brightspace OrgDefinedId / Username); grade columns by the
format's own rule (`base_match`). Canvas's "Points Possible" and "Muted"/"Manual Posting"
rows are not students.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ._model import Column, ExportError
from ._registry import LmsExporter

NOT_STUDENTS = re.compile(r"^\s*(Muted|Manual Posting.*)?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class BaseBook:
    path: Path
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    points: tuple[str, ...] = ()           # Canvas's "Points Possible" row, when there is one

    def column(self, column: Column, exporter: LmsExporter) -> int | None:
        for i, h in enumerate(self.header):
            if exporter.base_match(h.strip(), column):
                return i
        return None

    def max_points(self, index: int, exporter: LmsExporter) -> float | None:
        """The column's points possible as the LMS has them, when its export says."""
        cell = self.points[index] if index < len(self.points) else ""
        return exporter.base_max(self.header[index], cell)

    def find(self, ids: dict[str, str]) -> list[str] | None:
        """The row whose identifier equals one of ours (first identifier column that both have)."""
        for name, value in ids.items():
            if not value or name not in self.header:
                continue
            i = self.header.index(name)
            hits = [r for r in self.rows if i < len(r) and r[i].strip() == value]
            if len(hits) == 1:
                return list(hits[0])
            if len(hits) > 1:
                raise ExportError(f"{self.path}: {len(hits)} rows have {name} {value!r}; "
                                  f"is this the LMS's own export?")
        return None


def read_base(path: Path, exporter: LmsExporter) -> BaseBook:
    try:
        data = Path(path).read_bytes()
        # Blackboard's Grade Center download is UTF-16 (with its byte-order mark), tab-delimited
        text = (data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff")
                else data.decode("utf-8-sig"))
    except FileNotFoundError:
        raise ExportError(f"--base {path}: no such file (download the gradebook from the "
                          f"LMS first; docs/lms.md, 'Only what changed')") from None
    except UnicodeDecodeError as exc:
        raise ExportError(f"--base {path}: not UTF-8 or UTF-16 ({exc.reason} at byte "
                          f"{exc.start}); download it again as CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if first.count("\t") or first.count(";") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ExportError(f"--base {path}: not valid CSV: {exc}") from None
    if not rows:
        raise ExportError(f"--base {path}: empty")
    header = tuple(h.strip() for h in rows[0])
    if not any(f in header for f in exporter.base_id_fields):
        raise ExportError(f"--base {path}: none of the identifier columns "
                          f"{', '.join(exporter.base_id_fields)} is in its header; is it the "
                          f"{exporter.lms_name} gradebook export?")
    body = []
    points: tuple[str, ...] = ()
    for r in rows[1:]:
        if r and r[0] and "Points Possible" in r[0]:
            points = tuple(r)
            continue
        if not r:
            continue
        if all(NOT_STUDENTS.match(c) for c in r):
            continue
        body.append(tuple(r))
    return BaseBook(path=Path(path), header=header, rows=tuple(body), points=points)
