"""Commands that produce files for the places instructors already work (LMS gradebooks,
Gradescope, nbgrader, the student bundle). `add_commands` registers them on the CLI."""
from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register `export`, `gradescope`, `notebooks` and `release` (issue 7)."""
