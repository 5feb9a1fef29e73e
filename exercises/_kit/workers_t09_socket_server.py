"""Scenarios for t09_socket_server: the checker's clients, run inside the sandbox (its network
namespace has only loopback), driving the student's server and reporting plain data.

Every socket has a timeout and every call into the student's code runs in a helper thread that
is waited for with a timeout, so a server that blocks or spins cannot hang the scenario.
"""
from __future__ import annotations

import select
import socket
import sys
import threading
from typing import Any

from .events import Recorder, clock, sleep

HOST = "127.0.0.1"
# Taken when this module is imported: if the probe imports the scenario before the student's
# module, a student's monkeypatching of threading.enumerate cannot hide threads from it.
_enumerate = threading.enumerate


class _Discard:
    """Stands in for stdout while the scenario runs: a server printing in an endless loop
    must not fill the run's output."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _call(func, args: tuple, timeout: float, helpers: set):
    """func(*args) in a helper thread: ("returned", value, seconds) | ("raised", text, seconds)
    | ("hung", None, None)."""
    box: list = []

    def target() -> None:
        t0 = clock()
        try:
            box.append(("returned", func(*args), clock() - t0))
        except BaseException as exc:  # noqa: BLE001 - reported as data
            box.append(("raised", f"{type(exc).__name__}: {exc}", clock() - t0))

    t = threading.Thread(target=target, name="kit-helper", daemon=True)
    helpers.add(t)
    t.start()
    t.join(timeout)
    return box[0] if box else ("hung", None, None)


def _server_threads(baseline: set, helpers: set) -> list[str]:
    return sorted(t.name for t in _enumerate()
                  if t not in baseline and t not in helpers and t.is_alive())


def _exchange(clients: dict, lines: dict, timeout: float) -> dict:
    """Send each open client its line, then read until each has as many bytes back as it
    sent (or the deadline). Returns {index: text received}."""
    got = {i: b"" for i in lines}
    for i, line in lines.items():
        try:
            clients[i].sendall(line.encode())
        except OSError:
            pass
    want = {i: len(line.encode()) for i, line in lines.items()}
    deadline = clock() + timeout
    while True:
        waiting = [i for i in lines if len(got[i]) < want[i]]
        left = deadline - clock()
        if not waiting or left <= 0:
            break
        ready, _, _ = select.select([clients[i] for i in waiting], [], [], min(left, 0.1))
        for i in waiting:
            if clients[i] in ready:
                try:
                    chunk = clients[i].recv(4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    want[i] = len(got[i])     # closed by the server: stop waiting for it
                got[i] += chunk
    return {i: data.decode(errors="replace") for i, data in got.items()}


def _connect(address: tuple, n: int) -> tuple[dict, list[str]]:
    clients, errors = {}, []
    for i in range(n):
        try:
            clients[i] = socket.create_connection(address, timeout=2.0)
        except OSError as exc:
            errors.append(f"client {i}: {type(exc).__name__}: {exc}")
    return clients, errors


def _address(value: Any) -> tuple | None:
    try:
        address, stop = value
        host, port = address[0], address[1]
        if isinstance(host, str) and isinstance(port, int) and callable(stop):
            return (host, port)
    except (TypeError, ValueError, IndexError):
        pass
    return None


def serve_clients(module, recorder: Recorder, rounds: list, answer_wait: float = 1.5,
                  close_wait: float = 1.0, stop_wait: float = 2.0):
    """`rounds`: lines to send, one list per round, one line per client. Returns what happened:

    answers      [[text each client got back in round r] for each round], all clients open
    threads_open server threads while every client was connected
    after_close  server threads left once client 0 closed (waited for up to `close_wait` s)
    stop         "returned" | "raised" | "hung" (after `stop_wait` s) and stop_seconds
    threads_after_stop   server threads still alive after stop() (waited for up to 1 s)
    refused_after_stop   True if connecting to the address failed after stop()
    """
    real_stdout = sys.stdout
    sys.stdout = _Discard()
    try:
        return _serve_clients(module, rounds, answer_wait, close_wait, stop_wait)
    finally:
        sys.stdout = real_stdout


def _serve_clients(module, rounds: list, answer_wait: float, close_wait: float,
                   stop_wait: float) -> dict:
    out: dict = {}
    helpers: set = set()
    baseline = set(_enumerate())
    status, value, _ = _call(module.start_server, (HOST, 0), 3.0, helpers)
    out["start"] = status if status != "returned" else "returned"
    if status != "returned":
        out["start_error"] = value if status == "raised" else "start_server did not return within 3 s"
        return out
    address = _address(value)
    if address is None:
        out["start"] = "bad_value"
        out["start_error"] = f"start_server returned {value!r:.120}, not ((host, port), stop)"
        return out
    stop = value[1]
    out["port"] = address[1]
    n = len(rounds[0])
    clients, errors = _connect(address, n)
    out["connect_errors"] = errors
    if errors:
        return out
    try:
        out["answers"] = []
        for lines in rounds:
            got = _exchange(clients, dict(enumerate(lines)), answer_wait)
            out["answers"].append([got[i] for i in range(n)])
        out["threads_open"] = _server_threads(baseline, helpers)

        clients[0].close()
        deadline = clock() + close_wait
        while True:
            now = _server_threads(baseline, helpers)
            if len(now) < len(out["threads_open"]) or clock() > deadline:
                break
            sleep(0.02)
        out["after_close"] = now
    finally:
        for c in clients.values():
            c.close()

    status, value, seconds = _call(stop, (), stop_wait, helpers)
    out["stop"] = status
    out["stop_seconds"] = seconds
    out["stop_error"] = value if status == "raised" else None
    deadline = clock() + (1.0 if status == "returned" else 0.0)
    while True:
        left = _server_threads(baseline, helpers)
        if not left or clock() > deadline:
            break
        sleep(0.02)
    out["threads_after_stop"] = left
    try:
        socket.create_connection(address, timeout=1.0).close()
        out["refused_after_stop"] = False
    except OSError:
        out["refused_after_stop"] = True
    return out


def two_servers(module, recorder: Recorder, lines: list):
    """Starts two servers on port 0 at once; each gets one client and one line. Returns the
    ports and the answers (or the error)."""
    real_stdout = sys.stdout
    sys.stdout = _Discard()
    helpers: set = set()
    out: dict = {"ports": [], "answers": [], "errors": []}
    keep = []                      # clients stay open until the scenario ends
    try:
        for line in lines:
            status, value, _ = _call(module.start_server, (HOST, 0), 3.0, helpers)
            address = _address(value) if status == "returned" else None
            if address is None:
                out["errors"].append(value if status == "raised" else
                                     f"start_server gave {status}: {value!r:.120}")
                continue
            out["ports"].append(address[1])
            clients, errors = _connect(address, 1)
            keep.append(clients)
            if errors:
                out["errors"].extend(errors)
                continue
            out["answers"].append(_exchange(clients, {0: line}, 2.0)[0])
        return out
    finally:
        sys.stdout = real_stdout
