"""Workers and a scenario for t05_thread_lock (a Lock protects read-modify-write).

`GatedStep` is the `step()` the student's thread calls between reading x and writing x-1. It
turns the lost update into a certainty instead of a likelihood:

* the first call waits (up to `gate` seconds) until all `threads` worker threads are running,
  then (up to `settle` seconds) until all of them have called step(): without a lock every
  thread has read the same x before anyone writes it back; with a lock the others are queued
  at the lock, which is exactly what the lesson shows;
* every call then sleeps `pause` seconds, yielding the CPU between the read and the write.

It records "step" on entry (with how many worker threads were alive) and "step_end" on exit,
so a check sees who was between read and write, and when.
"""
from __future__ import annotations

from .workers import GatedStep, switching, worker_threads

__all__ = ["GatedStep", "switching", "worker_threads"]
