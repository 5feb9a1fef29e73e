"""Workers for t08_gil: real CPU work and a pure wait, each recording when it really ran.

`cpu_answer` is shared with the trusted side, which checks the results without redoing the work.
"""
from __future__ import annotations

from .events import Recorder, sleep

MODULUS = 1_000_003


def cpu_answer(n: int) -> int:
    """What CpuWork returns for n, in closed form: sum of i*i for i < n, mod MODULUS."""
    return (n - 1) * n * (2 * n - 1) // 6 % MODULUS


class CpuWork:
    """`work(n)`: records start, computes sum(i*i for i < n) step by step in pure Python (CPU
    only: no sleep, no I/O, so threads of one process take turns at the GIL), records end."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder

    def __call__(self, n: int) -> int:
        self.recorder.record("start", arg=n)
        total = 0
        for i in range(n):
            total = (total + i * i) % MODULUS
        self.recorder.record("end", arg=n)
        return total


class IoWait:
    """`wait(job)`: records start, waits `seconds` (like a network reply: the GIL is released
    while waiting), records end, returns "job:salt"."""

    def __init__(self, recorder: Recorder, seconds: float = 0.3, salt: str = "") -> None:
        self.recorder, self.seconds, self.salt = recorder, seconds, salt

    def __call__(self, job: object) -> str:
        self.recorder.record("start", arg=job)
        sleep(self.seconds)
        self.recorder.record("end", arg=job)
        return f"{job}:{self.salt}"
