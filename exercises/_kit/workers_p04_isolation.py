"""Workers and scenarios for p04_isolation (see docs/authoring.md)."""
from __future__ import annotations

from .events import Recorder
from .workers import watch_starts


class Num:
    """A number that records every time it is added or converted, and in which process, so a
    check sees where the sum was really computed. `sum(items)`, `total += item`, `int(item)`
    all work; the result of an addition is a plain int."""

    def __init__(self, recorder: Recorder, value: int) -> None:
        self.recorder = recorder
        self.value = value

    def _use(self, how: str) -> int:
        self.recorder.record("use", arg=self.value, how=how)
        return self.value

    def __add__(self, other: object) -> object:
        if not isinstance(other, (int, float, Num)):
            return NotImplemented
        return self._use("add") + (int(other) if isinstance(other, Num) else other)

    def __radd__(self, other: object) -> object:
        return self.__add__(other)

    def __int__(self) -> int:
        return self._use("int")

    __index__ = __int__

    def __float__(self) -> float:
        return float(self._use("float"))

    def __repr__(self) -> str:
        return repr(self.value)


_PLAIN = (int, float, str, bytes, bool, type(None), list, tuple, dict, set, frozenset)


def _snapshot(module) -> dict[str, str | None]:
    """The module's globals: the repr of each plain value (data), None for any other object
    (a function, a class, a Pool, a Process, a Queue: tools, not results)."""
    out: dict[str, str | None] = {}
    for name, value in vars(module).items():
        if name.startswith("__"):
            continue
        if not isinstance(value, _PLAIN):
            out[name] = None
            continue
        try:
            out[name] = repr(value)[:200]
        except Exception:  # noqa: BLE001 - a strange value is simply not compared
            continue
    return out


def _data_changed(before: dict[str, str | None], after: dict[str, str | None]) -> list[str]:
    """Names whose plain data changed. A name that holds an object on either side is not data:
    a child_total that makes its Pool or worker once (`_pool = None`, later a Pool) and reuses
    it keeps no result in the module, and is as correct as one that makes a child per call."""
    names = set(before) | set(after)
    objects = {n for n in names if (n in before and before[n] is None)
               or (n in after and after[n] is None)}
    return sorted(n for n in names - objects if before.get(n) != after.get(n))


def two_calls(module, recorder: Recorder, first: list, second: list) -> dict:
    """Call child_total twice and report whether the module's plain module-level values
    (lists, dicts, numbers, strings) changed in the calling process; every process it starts
    is recorded from the parent's side."""
    watch_starts(recorder)
    before = _snapshot(module)
    totals = [module.child_total(list(first)), module.child_total(list(second))]
    after = _snapshot(module)
    changed = _data_changed(before, after)
    return {"totals": [t if type(t) is int else repr(t)[:100] for t in totals],
            "changed": {n: [before.get(n), after.get(n)] for n in changed}}


def total(module, recorder: Recorder, items: list) -> object:
    """child_total(items), with every process it starts recorded from the parent's side."""
    watch_starts(recorder)
    return module.child_total(items)
