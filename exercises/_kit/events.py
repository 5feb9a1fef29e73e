"""Events recorded by checker-supplied workers, on a clock captured before student code runs.

Each event is one signed JSON line appended to a file with O_APPEND (atomic for small writes,
so processes and threads can share the file). The signature is an HMAC with a per-run key the
trusted side chose: a line printed or written by student code without the key is discarded.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time

# Captured at import, before any student module is imported: monkeypatching
# time.monotonic later does not move this clock.
clock = time.monotonic
sleep = time.sleep
getpid = os.getpid


def sign(key: bytes, line: str) -> str:
    return hmac.new(key, line.encode(), hashlib.sha256).hexdigest()[:32]


class Recorder:
    """Appends signed events to `path`. Picklable, so it travels to spawned processes."""

    def __init__(self, path: str, key: str) -> None:
        self.path = path
        self.key = key

    def record(self, kind: str, **data: object) -> None:
        thread = threading.current_thread()
        entry = {"ev": kind, "t": clock(), "pid": getpid(), "tid": thread.ident,
                 "thread": thread.name, **data}
        line = json.dumps(entry, separators=(",", ":"), sort_keys=True, default=repr)
        payload = f"{sign(self.key.encode(), line)} {line}\n".encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            os.write(fd, payload)
        finally:
            os.close(fd)


def read_events(path: str, key: str) -> tuple[list[dict], int]:
    """The verified events of a run, in time order, and how many lines failed verification."""
    events: list[dict] = []
    rejected = 0
    try:
        with open(path, "rb") as f:
            raw = f.read(64 * 1024 * 1024)
    except FileNotFoundError:
        return events, 0
    for raw_line in raw.splitlines():
        try:
            sig, line = raw_line.decode().split(" ", 1)
            if not hmac.compare_digest(sig, sign(key.encode(), line)):
                raise ValueError("bad signature")
            events.append(json.loads(line))
        except (ValueError, UnicodeDecodeError):
            rejected += 1
    events.sort(key=lambda e: e["t"])
    return events, rejected
