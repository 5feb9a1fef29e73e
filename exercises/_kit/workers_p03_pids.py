"""Scenarios for p03_pids (see docs/authoring.md)."""
from __future__ import annotations

from .events import Recorder
from .workers import watch_starts


def ids(module, recorder: Recorder) -> object:
    """child_ids(), with every process it starts recorded from the parent's side."""
    watch_starts(recorder)
    return module.child_ids()
