"""Independent readers of Blackboard's and Brightspace's grade import files, written from their
documented rules (neither parser is open source; docs/lms.md lists the sources). They share no
code with grader/exporters: they take the file's bytes and a gradebook (users, columns, grades)
and return the gradebook after the import, with every error a real import would report.

Where the documentation is silent, the reader takes the harmful reading, so that a test which
passes here would also pass on the real importer:
* a blank grade cell CLEARS the grade (neither LMS documents what a blank cell does);
* a row for a user the course does not have is an error and changes nothing.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field


@dataclass
class Gradebook:
    users: dict[str, str]                         # identifier value -> user key
    columns: dict[str, dict]                      # column id / item name -> {"points": float}
    grades: dict[str, dict[str, str]]             # user key -> {column: value}
    errors: list[str] = field(default_factory=list)
    new_columns: list[str] = field(default_factory=list)
    cleared: list[tuple[str, str]] = field(default_factory=list)


def _text(data: bytes) -> str:
    """UTF-16 when the file starts with its byte-order mark (Blackboard's own download is
    UTF-16 tab-delimited), else UTF-8 with or without a BOM."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


# ------------------------------------------------------------------------------- Blackboard
# Blackboard Help, "Uploading or Downloading Grade Center Items for Working Offline": a header
# row, one record per line; tab-delimited (.xls/.txt) or comma-delimited (.csv) — "Data in each
# column of comma-delimited files must be contained within a quote character", tab-delimited
# data need not be; the student's identifier is the User Name; a column's identifier is the
# Column ID after "|" in its name, and a column without one is created as a new text column
# with 0 points possible; "Incomplete" uploads as no grade, "Complete" as the points possible
# (University of Arkansas TIPS, "Uploading your Grade Center"). Delimiter: Auto (the tab when
# the header holds one).

BB_INFO = {"last name", "first name", "username", "student id", "last access", "availability",
           "child course id"}
BB_COLUMN_ID = re.compile(r"\|(\d+)\s*$")


def _all_quoted(text: str) -> list[list[str]]:
    """Comma-delimited records whose every field is in quotes ("" inside is one quote); a
    field that is not quoted is an error, as Blackboard's rule says."""
    rows: list[list[str]] = []
    i, n = 0, len(text)
    while i < n:
        row: list[str] = []
        while True:
            if i >= n or text[i] != '"':
                raise ValueError(f"field {len(row) + 1} of record {len(rows) + 1} is not in "
                                 f"quotes (at {text[i:i + 20]!r})")
            i += 1
            value = []
            while True:
                if i >= n:
                    raise ValueError(f"record {len(rows) + 1}: a quote is never closed")
                if text[i] == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        value.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                value.append(text[i])
                i += 1
            row.append("".join(value))
            if i < n and text[i] == ",":
                i += 1
                continue
            if text.startswith("\r\n", i):
                i += 2
            elif i < n and text[i] == "\n":
                i += 1
            elif i < n:
                raise ValueError(f"record {len(rows) + 1}: text after a closing quote")
            break
        rows.append(row)
    return rows


def blackboard_upload(data: bytes, book: Gradebook) -> Gradebook:
    text = _text(data)
    first = text.split("\n", 1)[0]
    if "\t" in first:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
    else:
        try:
            rows = _all_quoted(text)
        except ValueError as exc:
            book.errors.append(f"file: {exc}")
            return book
    header = [h.strip() for h in rows[0]]
    lowered = [h.lower() for h in header]
    if "username" not in lowered:
        book.errors.append("file: no Username column")
        return book
    user_at = lowered.index("username")
    grade_cols: list[tuple[int, str]] = []
    for i, h in enumerate(header):
        if h.lower() in BB_INFO:
            continue
        m = BB_COLUMN_ID.search(h)
        if m is None:
            book.new_columns.append(h)          # a new text column, 0 points possible
            book.columns[h] = {"points": 0.0}
            grade_cols.append((i, h))
        elif m.group(1) not in book.columns:
            book.errors.append(f"column {h!r}: no Grade Center column {m.group(1)}")
        else:
            grade_cols.append((i, m.group(1)))
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            book.errors.append(f"record {n}: {len(row)} fields, the header has {len(header)}")
            continue
        key = book.users.get(row[user_at].strip())
        if key is None:
            book.errors.append(f"record {n}: no user {row[user_at]!r} in the course")
            continue
        for i, col in grade_cols:
            value = row[i].strip()
            cells = book.grades.setdefault(key, {})
            if value in ("", "Incomplete"):
                if col in cells:
                    book.cleared.append((key, col))
                cells.pop(col, None)
            elif value == "Complete":
                cells[col] = f"{book.columns[col]['points']:g}"
            elif _number(value) is None:
                book.errors.append(f"record {n}: {value!r} is not a score")
            else:
                cells[col] = f"{float(value):g}"
    return book


# ------------------------------------------------------------------------------- Brightspace
# D2L, "Importing grades" (community.d2l.com/brightspace/kb/articles/3538) and its
# Grades_Sample_Import_File.csv: CSV, TSV or TXT; a Username or an OrgDefinedId (or both)
# identifies the user; "<item> Points Grade" for numeric items, "<item> Grade Symbol",
# "<item> Text Grade", "Adjusted Final Grade Numerator/Denominator"; a column for an item the
# course does not have creates it; "Do not import other options, such as a user's first
# name, email, or weighted grade"; a grade above the item's maximum is capped unless the item
# "Can Exceed" (Brightspace Learning Environment help, "Importing grades"). University of
# Wisconsin KB 4330, "Function of Pound Signs (#) in Grades File Records": the export puts a
# `#` before every OrgDefinedId and Username value and in the last field, `End-of-Line
# Indicator`; "the pound signs are not part of the data"; a file without them imports only if
# every identifier begins with a letter and the last grade item of no record is null.
# USC, "Import Grades": OrgDefinedId and Username are the first and second columns.

BS_GRADE = re.compile(r"^(?P<item>.+) (?P<kind>Points Grade|Grade Symbol|Text Grade)$")
BS_FINAL = {"Adjusted Final Grade Numerator", "Adjusted Final Grade Denominator"}
BS_IDS = ("OrgDefinedId", "Username")


def brightspace_import(data: bytes, book: Gradebook, *, can_exceed: bool = False) -> Gradebook:
    text = _text(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = [h.strip() for h in rows[0]]
    canon = {h.lower().replace(" ", ""): h for h in BS_IDS}
    ids = [(i, canon[h.lower().replace(" ", "")]) for i, h in enumerate(header)
           if h.lower().replace(" ", "") in canon]
    if not ids:
        book.errors.append("file: neither OrgDefinedId nor Username")
        return book
    if [name for _, name in ids] == ["Username", "OrgDefinedId"] or ids[0][0] != 0:
        book.errors.append("file: OrgDefinedId and Username must be the first columns")
    eol = header[-1] == "End-of-Line Indicator"
    items: list[tuple[int, str]] = []
    for i, h in enumerate(header):
        if any(i == j for j, _ in ids) or (eol and i == len(header) - 1) or h in BS_FINAL:
            continue
        m = BS_GRADE.match(h)
        if m is None:
            book.errors.append(f"column {h!r}: not an importable field")
            continue
        if m["kind"] != "Points Grade":
            book.errors.append(f"column {h!r}: only points grades are modelled here")
            continue
        if m["item"] not in book.columns:
            book.new_columns.append(m["item"])
            book.columns[m["item"]] = {"points": None}
        items.append((i, m["item"]))
    last_item = items[-1][0] if items else None
    for n, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            book.errors.append(f"record {n}: {len(row)} fields, the header has {len(header)}")
            continue
        if eol and row[-1].strip() != "#":
            book.errors.append(f"record {n}: the End-of-Line Indicator is {row[-1]!r}, not '#'")
            continue
        key = None
        for i, name in ids:
            raw = row[i].strip()
            if not eol and not raw.startswith("#") and raw and not raw[0].isalpha():
                book.errors.append(f"record {n}: {name} {raw!r} neither begins with '#' nor "
                                   f"with a letter (no End-of-Line Indicator)")
                key = None
                break
            value = raw[1:] if raw.startswith("#") else raw
            if value:
                key = book.users.get(f"{name}:{value}")
                break                                  # the first identifier given decides
        else:
            book.errors.append(f"record {n}: no identifier")
            continue
        if key is None:
            if not any(e.startswith(f"record {n}:") for e in book.errors):
                book.errors.append(f"record {n}: no such user")
            continue
        if not eol and last_item is not None and row[last_item].strip() == "":
            book.errors.append(f"record {n}: the last grade item is null and there is no "
                               f"End-of-Line Indicator")
            continue
        for i, item in items:
            value = row[i].strip()
            cells = book.grades.setdefault(key, {})
            if value == "":
                if item in cells:
                    book.cleared.append((key, item))
                cells.pop(item, None)
                continue
            got = _number(value)
            if got is None:
                book.errors.append(f"record {n}: {value!r} is not a points grade")
                continue
            top = book.columns[item]["points"]
            if top is not None and got > top and not can_exceed:
                got = top
            cells[item] = f"{got:g}"
    return book
