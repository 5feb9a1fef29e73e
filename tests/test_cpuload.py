"""grader.cpuload: the batch admits another worker only when the CPU had room, up to the ceiling."""
from __future__ import annotations

import pytest

from grader import cpuload
from grader.cpuload import Admission


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch):
    """A fake /proc/stat: each `tick(idle_fraction)` adds 100 jiffies, that many idle."""
    state = {"idle": 0, "total": 0}
    clock = Clock()
    monkeypatch.setattr(cpuload, "_cpu_times", lambda: (state["idle"], state["total"]))
    monkeypatch.setattr(cpuload.time, "monotonic", clock)

    def tick(idle_fraction: float, seconds: float = cpuload.ADMIT_EVERY) -> None:
        state["idle"] += int(100 * idle_fraction)
        state["total"] += 100
        clock.now += seconds
    return tick


def test_a_fixed_number_is_never_exceeded(machine) -> None:
    admission = Admission.fixed(3)
    for _ in range(5):
        machine(1.0)
        assert admission.limit(running=3) == 3
    assert not admission.adaptive


def test_one_more_worker_per_window_while_the_cpu_is_idle_enough(machine) -> None:
    admission = Admission(floor=2, ceiling=5)
    assert admission.limit(running=0) == 2
    machine(0.5)
    assert admission.limit(running=2) == 3
    machine(0.5)
    assert admission.limit(running=3) == 4
    machine(0.5)
    assert admission.limit(running=4) == 5
    machine(0.9)
    assert admission.limit(running=5) == 5          # the ceiling


def test_no_admission_when_the_cpu_is_busy(machine) -> None:
    admission = Admission(floor=2, ceiling=8)
    for _ in range(4):
        machine(cpuload.IDLE_TO_ADMIT - 0.1)
        assert admission.limit(running=2) == 2


def test_one_fewer_worker_per_window_while_the_cpu_is_saturated(machine) -> None:
    """Other work started on the machine (or the workers saturate it): no new worker starts
    until fewer run, down to one per core, and more are admitted again once it has room."""
    admission = Admission(floor=2, ceiling=8)
    for expected in (3, 4, 5):
        machine(0.5)
        assert admission.limit(running=expected - 1) == expected
    for expected in (4, 3, 2, 2):
        machine(cpuload.IDLE_TO_SHED / 2)
        assert admission.limit(running=5) == expected
    machine(cpuload.IDLE_TO_SHED + 0.05)             # between the two thresholds: no change
    assert admission.limit(running=2) == 2
    machine(0.5)
    assert admission.limit(running=2) == 3


def test_no_admission_before_the_window_is_over(machine) -> None:
    admission = Admission(floor=2, ceiling=8)
    machine(1.0, seconds=cpuload.ADMIT_EVERY / 4)
    assert admission.limit(running=2) == 2


def test_no_admission_while_a_slot_is_free(machine) -> None:
    """Idle because there is nothing left to start (the end of a class) is no reason to
    raise the limit."""
    admission = Admission(floor=2, ceiling=8)
    machine(1.0)
    assert admission.limit(running=1) == 2


def test_measured_is_one_per_core_up_to_the_ceiling_bounded_by_memory(monkeypatch) -> None:
    monkeypatch.setattr(cpuload, "cores", lambda: 2)
    monkeypatch.setattr(cpuload, "_available_memory", lambda: 64 << 30)
    a = Admission.measured()
    assert (a.floor, a.ceiling) == (2, 2 * cpuload.WORKERS_PER_CORE)
    monkeypatch.setattr(cpuload, "_available_memory", lambda: 3 * cpuload.MEMORY_PER_WORKER)
    assert Admission.measured().ceiling == 3
    monkeypatch.setattr(cpuload, "_available_memory", lambda: 0)
    assert Admission.measured().ceiling == 2        # never below one per core


def test_proc_stat_is_read_on_linux() -> None:
    times = cpuload._cpu_times()
    if times is None:
        pytest.skip("no /proc/stat")
    idle, total = times
    assert 0 <= idle <= total and total > 0
