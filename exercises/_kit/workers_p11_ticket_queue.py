"""Workers for p11_ticket_queue.

`Gate` (from workers_p10_ticket_file) is the buyers' `step()`: each buyer calls it after taking
the count and before deciding. It holds every caller until all buyers are inside it at once,
or until nobody new has come for `patience` seconds. A buyer that keeps the count while it
decides is alone in the gate (the others wait for the count), breaks it once and runs on; a
buyer that put the count back first is joined there by every other buyer, all holding the
same count -- so the overselling is certain, and `step` / `step_end` events show who was
deciding at the same time.
"""
from __future__ import annotations

from .workers_p10_ticket_file import Gate

__all__ = ["Gate"]
