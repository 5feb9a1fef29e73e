"""`plan()`: every row and cell of an LMS file decided before anything is written (see the
package docstring for the rules)."""
from __future__ import annotations

from dataclasses import replace

from ._model import (
    Action,
    Change,
    Column,
    ExportError,
    ExportOptions,
    Plan,
    Sheet,
    SheetRow,
    Table,
    feedback,
    number,
)
from ._registry import LmsExporter
from .base import read_base


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def plan(exporter: LmsExporter, table: Table, options: ExportOptions, fmt: str = "") -> Plan:
    """Decide every row and cell of an LMS file; raise ExportError for rows that could land on
    the wrong person unless options.drop_unmatched (then they are left out and listed)."""
    fmt = fmt or getattr(exporter, "name", "this LMS")
    exporter.check_columns(table.columns, options)
    if not table.has_roster:
        raise ExportError(
            f"--format {fmt} needs --roster: the LMS matches rows on its own user ids "
            f"({', '.join(exporter.id_fields)}), and the kit's student ids are not those; "
            f"without a roster a grade could land on the wrong person (docs/lms.md, "
            f"'The roster')")
    problems: dict[str, list[str]] = {}
    left_out = tuple(r.student for r in table.rows if r.result is None)
    candidates = [r for r in table.rows if r.result is not None]
    for r in candidates:
        if r.entry is None:
            problems.setdefault(r.student, []).append("graded, but not in the roster")
    on_roster = [r for r in candidates if r.entry is not None]
    all_ids = {r.student: exporter.ids(r) for r in on_roster}

    # Which identifier columns to write.
    if exporter.single_id:
        counts = [(sum(1 for r in on_roster if all_ids[r.student].get(f)), -i, f)
                  for i, f in enumerate(exporter.id_fields)]
        fields: tuple[str, ...] = (max(counts)[2],) if counts else exporter.id_fields[:1]
    else:
        fields = tuple(exporter.id_fields)
    for r in on_roster:
        ids = all_ids[r.student]
        for why in exporter.row_problems(r, {f: ids.get(f, "") for f in fields}):
            problems.setdefault(r.student, []).append(why)
    for f in fields:
        seen: dict[str, str] = {}
        for r in on_roster:
            value = all_ids[r.student].get(f, "")
            if not value:
                continue
            if value in seen:
                for who, other in ((r.student, seen[value]), (seen[value], r.student)):
                    problems.setdefault(who, []).append(
                        f"{f} {value!r} is also {other}'s: the LMS cannot tell them apart")
            else:
                seen[value] = r.student

    base = None
    base_cols: dict[str, int] = {}
    with_ids: dict[str, Column] = {}
    notes: list[str] = []
    if options.base is None:
        notes.append(f"no --base: the ids were not checked against the {exporter.lms_name} "
                     f"gradebook, and every grade the kit has is written (download the "
                     f"gradebook and pass it as --base to write only what changed)")
    else:
        base = read_base(options.base, exporter)
        for col in table.columns:
            idx = base.column(col, exporter)
            if idx is None:
                notes.append(f"{col.title!r} is not a column of {options.base.name}: the LMS "
                             f"will create it (or pass --lms-id)")
            else:
                base_cols[col.key] = idx
                lms_max = base.max_points(idx, exporter)
                if lms_max is not None and abs(lms_max - col.max_points) > 1e-6:
                    raise ExportError(
                        f"{col.title!r} is out of {number(lms_max)} points in "
                        f"{options.base.name} but out of {number(col.max_points)} in "
                        f"course.yaml: the kit's grades would mean something else there; make "
                        f"the two agree (the LMS's points possible, or the checks' points)")
                column_id = exporter.base_column_id(base.header[idx])
                if column_id and not col.lms_id:      # the LMS's own id: update, never create
                    with_ids[col.key] = replace(col, lms_id=column_id)
    base_rows: dict[str, list[str]] = {}
    for r in on_roster:
        if base is not None:
            found = base.find(all_ids[r.student])
            if found is None:
                problems.setdefault(r.student, []).append(
                    f"not in {base.path.name} (the LMS's gradebook): dropped the course, or "
                    f"the roster's id is wrong")
            else:
                base_rows[r.student] = found
        missing = [c.title for c in table.columns if table.score(r, c) is None
                   and not (r.student in base_rows and c.key in base_cols
                            and base_rows[r.student][base_cols[c.key]].strip())]
        if missing:
            problems.setdefault(r.student, []).append(
                f"no result for {', '.join(missing)}, and no grade to keep from --base "
                f"(a blank cell would clear it in the LMS)")

    if problems and not options.drop_unmatched:
        listing = "\n".join(f"  {who}: {'; '.join(dict.fromkeys(why))}"
                            for who, why in problems.items())
        raise ExportError(
            f"{len(problems)} row(s) could land on the wrong person or clear a grade; nothing "
            f"was written:\n{listing}\nFix the roster (docs/lms.md, 'The roster'), or pass "
            f"--drop-unmatched to leave these rows out of the file (they are listed)")
    dropped = tuple((who, "; ".join(dict.fromkeys(why))) for who, why in problems.items())

    keep = [r for r in on_roster if r.student not in problems]
    changes: list[Change] = []
    cells: dict[str, list[tuple[str, Action]]] = {}
    for r in keep:
        row_cells = []
        for col in table.columns:
            new = table.score(r, col)
            old = ""
            if r.student in base_rows and col.key in base_cols:
                old = base_rows[r.student][base_cols[col.key]].strip()
            if old == "-":                        # Moodle's and Canvas's "no grade"
                old = ""
            if _is_number(old):
                old = number(float(old))          # "5.00" as the LMS exports it -> "5"
            action: Action
            if new is None:
                value, action = old, "no-result"
            elif base is None or old == "":
                value, action = number(new), "write"
            elif not _is_number(old):
                value, action = old, "keep-text"
            elif abs(float(old) - new) < 0.005:
                value, action = old, "same"
            elif new < float(old) and not options.allow_lower:
                value, action = old, "keep-lower"
            else:
                value, action = number(new), "write"
            row_cells.append((value, action))
            changes.append(Change(r.student, r.name, col.title, old,
                                  number(new) if new is not None else "", action))
        cells[r.student] = row_cells

    columns = list(enumerate(with_ids.get(c.key, c) for c in table.columns))
    if base is not None:     # only what changed: rows and columns without a write are left out
        keep = [r for r in keep if any(a == "write" for _, a in cells[r.student])]
        columns = [(i, c) for i, c in columns
                   if any(cells[r.student][i][1] == "write" for r in keep)]
    now = options.now
    rows = tuple(SheetRow(row=r, ids={f: all_ids[r.student].get(f, "") for f in fields},
                          values=tuple(cells[r.student][i][0] for i, _ in columns),
                          comments=tuple(feedback(r, c, table.course, now) for _, c in columns))
                 for r in keep)
    sheet = Sheet(course=table.course, columns=tuple(c for _, c in columns), id_fields=fields,
                  rows=rows)
    return Plan(sheet=sheet, changes=tuple(changes), dropped=dropped, left_out=left_out,
                notes=tuple(notes))
