"""How many grading workers to run: as many as the CPU has room for, measured, not a guess.

A grading worker spends most of its time waiting on the student's sleeps, joins and timeouts:
one correct submission takes ~40 s of wall time and ~6.5 s of CPU on a 2-core machine
(bench/RESULTS.md), so one worker per core leaves the machine idle most of the time. With
`--jobs` not given, the batch starts one worker per core and then admits another whenever
the whole machine's CPU was at least IDLE_TO_ADMIT idle over the last ADMIT_EVERY seconds, up
to WORKERS_PER_CORE per core (and as many as memory allows); when the CPU was less than
IDLE_TO_SHED idle over a window (other work started, or the workers themselves saturate it),
it starts no new worker until one fewer runs, down to one per core, so the timing checks keep
their margins. On a machine that other work keeps busy it stays at one per core.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

WORKERS_PER_CORE = 6            # the ceiling; measured in bench/RESULTS.md (2026-12-05: at 4,
                                # a class of 100 ran 7.7 at a time on average, CPU 52% busy)
IDLE_TO_ADMIT = 0.30            # fraction of all cores idle over the last window
IDLE_TO_SHED = 0.10             # below this, one worker fewer
ADMIT_EVERY = 2.0               # seconds between two admissions
MEMORY_PER_WORKER = 400 << 20   # a worker and its runs, generously (measured peak ~60 MB + runs)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):        # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs since boot, from /proc/stat; None where it is absent."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != b"cpu":
        return None
    values = [int(v) for v in fields[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)        # idle + iowait
    return idle, sum(values[:8])                                     # guest time is in user


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", "rb") as f:
            for line in f:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


@dataclass
class Admission:
    """Decides, as the batch loop asks, how many workers may run now."""

    floor: int
    ceiling: int
    allowed: int = 0
    _last: tuple[int, int] | None = None
    _at: float = 0.0

    def __post_init__(self) -> None:
        self.allowed = self.floor
        self._last, self._at = _cpu_times(), time.monotonic()

    @classmethod
    def fixed(cls, jobs: int) -> Admission:
        return cls(floor=jobs, ceiling=jobs)

    @classmethod
    def measured(cls) -> Admission:
        n = cores()
        ceiling = n * WORKERS_PER_CORE
        memory = _available_memory()
        if memory is not None:
            ceiling = max(n, min(ceiling, memory // MEMORY_PER_WORKER))
        return cls(floor=n, ceiling=ceiling)

    @property
    def adaptive(self) -> bool:
        return self.ceiling > self.floor

    def limit(self, running: int) -> int:
        """How many workers may run now (`running` are running), decided once a window: one
        more than before when the CPU had room and every allowed slot is taken, one fewer when
        the CPU was saturated (the running workers go on; no new one starts until fewer run)."""
        if not self.adaptive:
            return self.allowed
        now = time.monotonic()
        if now - self._at < ADMIT_EVERY:
            return self.allowed
        current = _cpu_times()
        if current is not None and self._last is not None:
            idle = current[0] - self._last[0]
            total = current[1] - self._last[1]
            if total > 0 and idle / total < IDLE_TO_SHED:
                self.allowed = max(self.floor, self.allowed - 1)
            elif (total > 0 and idle / total >= IDLE_TO_ADMIT and running >= self.allowed):
                self.allowed = min(self.ceiling, self.allowed + 1)
        self._last, self._at = current, now
        return self.allowed
