"""Workers for p08_zombies."""
from __future__ import annotations

import sys

from .events import Recorder, sleep


class ExitTask:
    """`task(i)`: records start, sleeps `seconds`, records end, then ends its process with
    exit status `codes[i]` (via SystemExit, which multiprocessing turns into the exit code)."""

    def __init__(self, recorder: Recorder, codes: list[int], seconds: float = 0.1) -> None:
        self.recorder = recorder
        self.codes = list(codes)
        self.seconds = seconds

    def __call__(self, i: int) -> None:
        self.recorder.record("start", arg=i)
        sleep(self.seconds)
        self.recorder.record("end", arg=i)
        sys.exit(self.codes[i])
