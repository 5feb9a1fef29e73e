"""CSV writing shared by the text exporters: RFC 4180 (CRLF line ends), UTF-8, atomic."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..results import write_atomic


def write_csv(out: Path, rows: list[list[str]], *, quote_all: bool = False,
              bom: bool = False) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n",
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    write_atomic(out, ("\ufeff" if bom else "") + buf.getvalue())
