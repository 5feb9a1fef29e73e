"""How many grading workers to run: as many as the CPU has room for, measured, not a guess.

A grading worker spends most of its time waiting on the student's sleeps, joins and timeouts:
one correct submission takes ~38 s of wall time and ~8 s of CPU on a 2-core machine
(bench/RESULTS.md), so one worker per core leaves the machine idle most of the time. With
`--jobs` not given, the batch starts one worker per core and then admits another whenever
the whole machine's CPU was at least IDLE_TO_ADMIT idle over the last ADMIT_EVERY seconds, up
to WORKERS_PER_CORE per core (and as many as memory allows). On a machine that other work
keeps busy it stays at one per core, so the timing checks keep their margins.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass

WORKERS_PER_CORE = 4            # the ceiling; measured in bench/RESULTS.md (2026-12-05)
IDLE_TO_ADMIT = 0.30            # fraction of all cores idle over the last window
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
        """How many workers may run now (`running` are running): one more than before when
        the CPU had room over the last window and every allowed slot is taken."""
        if not self.adaptive or self.allowed >= self.ceiling:
            return self.allowed
        now = time.monotonic()
        if now - self._at < ADMIT_EVERY:
            return self.allowed
        current = _cpu_times()
        if current is not None and self._last is not None and running >= self.allowed:
            idle = current[0] - self._last[0]
            total = current[1] - self._last[1]
            if total > 0 and idle / total >= IDLE_TO_ADMIT:
                self.allowed += 1
        self._last, self._at = current, now
        return self.allowed
