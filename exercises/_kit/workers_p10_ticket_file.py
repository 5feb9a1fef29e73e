"""Workers and the scenario for p10_ticket_file (and the Gate that p11_ticket_queue reuses).

`Gate` is a turnstile shared by processes: each caller waits inside it until `parties` callers
have arrived, or until nobody new has arrived for `patience` seconds (then the gate is broken
and every later caller walks straight through, like a broken `threading.Barrier`). Callers of
code that runs them concurrently all meet inside it at once; code that lets only one caller in
at a time breaks it once, after `patience`, and runs on. Either way the events say which
happened, without depending on how fast the machine is, and a race that needs several callers
between a read and a write becomes certain rather than likely.

The gate's state is a folder of arrival files next to the run's events file, so it works for
processes started with fork, spawn or forkserver (the worker is a picklable top-level class).
"""
from __future__ import annotations

import json
import os
import secrets
import threading
from types import ModuleType

from .events import Recorder, clock, getpid, sleep
from .workers import called_from

BROKEN = "broken"


class Gate:
    """`step()`: records `<label>` on entry, waits as described above, records `<label>_end`
    with `how` ("all": every party arrived, "broken": the gate gave up waiting) and `inside`
    (how many callers had arrived when this one left)."""

    def __init__(self, recorder: Recorder, parties: int, patience: float = 1.0,
                 label: str = "step") -> None:
        self.recorder = recorder
        self.parties = parties
        self.patience = patience
        self.label = label
        # Made here, in the process that builds the worker, before it is handed to any child.
        self.folder = os.path.join(os.path.dirname(os.path.abspath(recorder.path)),
                                   f"gate-{label}-{secrets.token_hex(6)}")
        os.makedirs(self.folder, exist_ok=True)

    def __call__(self, *args: object) -> None:
        self.recorder.record(self.label, **called_from())
        how, inside = self.wait()
        self.recorder.record(f"{self.label}_end", how=how, inside=inside)

    def wait(self) -> tuple[str, int]:
        me = f"{getpid()}-{threading.get_ident()}-{secrets.token_hex(4)}"
        with open(os.path.join(self.folder, me), "x"):
            pass
        seen, since = 0, clock()
        while True:
            names = os.listdir(self.folder)
            if BROKEN in names:
                return "broken", len(names) - 1
            if len(names) >= self.parties:
                return "all", len(names)
            if len(names) != seen:
                seen, since = len(names), clock()
            elif clock() - since > self.patience:
                with open(os.path.join(self.folder, BROKEN), "w"):
                    pass
                return "broken", len(names)
            sleep(0.005)


def read_count(path: str) -> int | None:
    """The `count` in the JSON database, or None if it cannot be read as one."""
    for _ in range(20):            # a writer may have truncated the file this very moment
        try:
            with open(path, encoding="utf-8") as f:
                count = json.load(f)["count"]
            return count if type(count) is int else None
        except (OSError, ValueError, KeyError, TypeError):
            sleep(0.01)
    return None


class Search(Gate):
    """`search(db_path) -> int`: the buyers' "check the remaining tickets" step. Reads the
    count, then waits in the gate for the other buyers (records `search` / `search_end`), and
    returns the count it read. Buyers that check concurrently all meet in the gate and then
    go on to buy at the same moment."""

    def __init__(self, recorder: Recorder, parties: int, patience: float = 3.0) -> None:
        super().__init__(recorder, parties, patience, label="search")

    # the parameter is named for the student (the base class calls it `arg`)
    def __call__(self, db_path: object = None, *rest: object) -> int | None:  # type: ignore[override]
        self.recorder.record("search")
        count = read_count(str(db_path))
        how, inside = self.wait()
        self.recorder.record("search_end", how=how, inside=inside, count=count)
        return count


def sell(module: ModuleType, recorder: Recorder, tickets: int, buyers: int, delay: float,
         patience: float = 3.0) -> dict:
    """Scenario: a fresh database holding `tickets`, then
    `module.sell_tickets(db_path, buyers, delay, search)`; returns what it returned (`sold`)
    and the count left in the database afterwards (`left`)."""
    db_path = os.path.abspath(f"db-{secrets.token_hex(4)}.json")   # cwd: the run's scratch folder
    with open(db_path, "w", encoding="utf-8") as f:
        json.dump({"count": tickets}, f)
    search = Search(recorder, parties=buyers, patience=patience)
    sold = module.sell_tickets(db_path, buyers, delay, search)
    return {"sold": sold, "left": read_count(db_path)}
