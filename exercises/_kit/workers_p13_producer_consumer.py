"""Workers for p13_producer_consumer: a producer's items and a consumer's work.

`Produce`: `produce(name)` returns an iterator over that producer's items. It records `made`
(with the item, the producer's name and the item's number) just before handing out each
item, so the time between two `made` events includes the student's `put()` of the previous
item: with a bounded queue and slow consumers, a producer visibly waits. `first_pause` delays
the first item (consumers that give up on an empty queue, or sentinels sent too early, then
show every time, not just sometimes).

Consumption is `SleepTask(seconds=...)` from workers.py: `consume(item)` records `start` and
`end` with `arg=item`.
"""
from __future__ import annotations

from collections.abc import Iterator

from .events import Recorder, sleep


class Produce:
    def __init__(self, recorder: Recorder, items: int = 4, pause: float = 0.0,
                 first_pause: float = 0.0, tag: str = "item") -> None:
        self.recorder = recorder
        self.items = items
        self.pause = pause
        self.first_pause = first_pause
        self.tag = tag

    def __call__(self, name: object = None) -> Iterator[str]:
        return self._items(name)

    def _items(self, name: object) -> Iterator[str]:
        if self.first_pause:
            sleep(self.first_pause)
        for k in range(self.items):
            if k and self.pause:
                sleep(self.pause)
            item = f"{self.tag}-{name}-{k}"
            self.recorder.record("made", item=item, producer=repr(name), k=k)
            yield item
