"""Workers for t02_shared: `work(item)` records where it ran and returns a value the checker
can recompute (the item and a salt the student's code is not told)."""
from __future__ import annotations

from .events import Recorder, sleep


class Work:
    def __init__(self, recorder: Recorder, salt: str = "", seconds: float = 0.1) -> None:
        self.recorder = recorder
        self.salt = salt
        self.seconds = seconds
        recorder.record("caller")       # built by the probe in the thread that calls the student

    def __call__(self, item: object) -> str:
        self.recorder.record("start", arg=item)
        sleep(self.seconds)
        self.recorder.record("end", arg=item)
        return f"{item}-{self.salt}"
