"""Scenarios for p02_concurrent (see docs/authoring.md)."""
from __future__ import annotations

from .events import Recorder, clock, read_events, sleep
from .workers import watch_starts


def settle(module, recorder: Recorder, task, durations: list, grace: float = 4.0) -> dict:
    """Call `module.run_all(task, durations)`, then give tasks it left running up to `grace`
    seconds to record their end, so that a check run under `spawn` sees every task even when
    run_all returned too early (that mistake is another check's business)."""
    watch_starts(recorder)
    module.run_all(task, durations)
    returned_at = clock()
    while clock() - returned_at < grace:
        done, _ = read_events(recorder.path, recorder.key)
        if sum(e["ev"] == "end" for e in done) >= len(durations):
            break
        sleep(0.02)
    return {"returned_at": returned_at}
