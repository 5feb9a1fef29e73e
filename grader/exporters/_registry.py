"""Exporters registered by name (`@register("canvas")`)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from ._model import Column, ExportError, ExportOptions, Row, Sheet, Table


class Exporter(Protocol):
    suffix: str
    description: str


class TableExporter(Exporter, Protocol):
    """csv, nbgrader: write the whole table."""

    def write(self, table: Table, options: ExportOptions, out: Path) -> None: ...


class LmsExporter(Exporter, Protocol):
    """canvas, moodle, blackboard, brightspace: write a planned Sheet (see _plan.py)."""
    lms: bool
    lms_name: str
    id_fields: tuple[str, ...]          # identifier columns, in order of preference
    base_id_fields: tuple[str, ...]     # the same columns as the LMS's own export names them
    single_id: bool                     # True: write only the one the whole class has

    def ids(self, row: Row) -> dict[str, str]: ...

    def row_problems(self, row: Row, ids: dict[str, str]) -> list[str]: ...

    def check_columns(self, columns: tuple[Column, ...], options: ExportOptions) -> None: ...

    def base_match(self, header: str, column: Column) -> bool: ...

    def base_column_id(self, header: str) -> str: ...   # the LMS's column id in a base header

    def base_max(self, header: str, points_cell: str) -> float | None: ...   # points possible

    def write_sheet(self, sheet: Sheet, options: ExportOptions, out: Path) -> None: ...


EXPORTERS: dict[str, Exporter] = {}


def register(name: str) -> Callable[[type], type]:
    def deco(cls: type) -> type:
        EXPORTERS[name] = cls()
        return cls
    return deco


def get(name: str) -> Exporter:
    try:
        return EXPORTERS[name]
    except KeyError:
        import difflib
        close = difflib.get_close_matches(name, EXPORTERS, n=1)
        hint = f" — did you mean {close[0]!r}?" if close else ""
        raise ExportError(f"unknown export format {name!r}{hint} "
                          f"(known: {', '.join(sorted(EXPORTERS))})") from None
