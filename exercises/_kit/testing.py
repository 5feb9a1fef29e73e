"""Helpers for the public tests: run the function under test in its own killable process."""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .contract import RunOptions
from .launch import Run, diagnosis_time, run_probe, worker

__all__ = ["run_exercise", "worker", "Run", "together"]


def run_exercise(test_file: str, function: str, *args: object, timeout: float = 10.0,
                 **options: Any) -> Run:
    """Run `function(*args)` from the module next to `test_file` (named like its folder);
    `options` are RunOptions' fields (mode, scenario, start_method, trace_locks, ...)."""
    folder = Path(test_file).resolve().parent
    if options.get("scenario"):
        options.setdefault("mode", "scenario")
    options.setdefault("diagnose_after", diagnosis_time(timeout))   # where it hung, if it does
    return run_probe(folder, folder.name, function, list(args),
                     options=RunOptions(timeout=timeout, **options))


def together(*calls: Callable[[], object]) -> None:
    """Make the given calls at the same time, each in a thread of its own, and wait for them
    all. Meant for a test module's cached runs (functools.cache): the runs wait on sleeps and
    timeouts far more than they use the CPU, so the module's tests then take about as long as
    its longest run, not their sum. An exception is left for the test that makes the same call
    again (an uncached call is simply made twice)."""
    def quietly(call: Callable[[], object]) -> None:
        try:
            call()
        except BaseException:  # noqa: BLE001 - the test that needs this run reports it
            pass

    threads = [threading.Thread(target=quietly, args=(call,), daemon=True) for call in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
