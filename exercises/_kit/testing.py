"""Helpers for the public tests: run the function under test in its own killable process."""
from __future__ import annotations

from pathlib import Path

from .launch import Run, diagnosis_time, run_probe, worker

__all__ = ["run_exercise", "worker", "Run"]


def run_exercise(test_file: str, function: str, *args: object, timeout: float = 10.0,
                 **options: object) -> Run:
    """Run `function(*args)` from the module next to `test_file` (named like its folder)."""
    folder = Path(test_file).resolve().parent
    if options.get("scenario"):
        options.setdefault("mode", "scenario")
    options.setdefault("diagnose_after", diagnosis_time(timeout))   # where it hung, if it does
    return run_probe(folder, folder.name, function, list(args), timeout=timeout, **options)
