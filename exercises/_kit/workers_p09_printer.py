"""Workers and scenarios for p09_printer (see docs/authoring.md).

`Printer` is the shared resource the jobs fight over. It makes an unlocked program interleave
*certainly*, not just probably: every process's first call waits until all the jobs' processes
exist, and after its first line a job waits until some other process has printed (up to
`first_wait`). Without a lock another job always gets in there; with the lock held for the
whole job nobody can, and the wait simply runs out."""
from __future__ import annotations

import os

from .events import Recorder, clock, getpid, read_events, sleep


class Printer:
    """`printer(line)`: records the line (pid, time) and makes the printing slow.

    `expect` is the number of job processes. Each process announces its arrival as it begins
    (an at-fork hook under fork, unpickling under spawn and forkserver), before any of the
    student's code runs in it."""

    def __init__(self, recorder: Recorder, expect: int, pause: float = 0.02,
                 first_wait: float = 0.4, arrive_wait: float = 1.0) -> None:
        self.recorder = recorder
        self.expect = expect
        self.pause = pause
        self.first_wait = first_wait
        self.arrive_wait = arrive_wait
        self._pid_in: int | None = None
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._arrived)

    def _arrived(self) -> None:
        self.recorder.record("arrive")

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._arrived()

    def _wait(self, done, limit: float) -> None:
        until = clock() + limit
        while clock() < until:
            if done(read_events(self.recorder.path, self.recorder.key)[0]):
                return
            sleep(0.005)

    def __call__(self, line: object) -> None:
        me = getpid()
        first = self._pid_in != me
        if first:
            self._pid_in = me
            self._wait(lambda evs: len({e["pid"] for e in evs if e["ev"] == "arrive"})
                       >= self.expect, self.arrive_wait)
        t0 = clock()
        self.recorder.record("line", arg=line)
        if first:
            self._wait(lambda evs: any(e["ev"] == "line" and e["pid"] != me and e["t"] > t0
                                       for e in evs), self.first_wait)
        else:
            sleep(self.pause)


def settle(module, recorder: Recorder, jobs: list, printer, grace: float = 8.0) -> dict:
    """Call print_jobs(jobs, printer), note when it returned, then give jobs it left running
    up to `grace` seconds to finish, so that the evidence is complete whatever it did."""
    module.print_jobs(jobs, printer)
    returned_at = clock()
    total = sum(len(job) for job in jobs)
    while clock() - returned_at < grace:
        if sum(e["ev"] == "line" for e in read_events(recorder.path, recorder.key)[0]) >= total:
            break
        sleep(0.02)
    return {"returned_at": returned_at}
