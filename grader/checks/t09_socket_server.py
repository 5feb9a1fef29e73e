"""Hidden checks for t09_socket_server: a thread per client, freed on close, a clean stop.

The clients are the checker's scenarios (exercises/_kit/workers_t09_socket_server.py), run
inside the sandbox, where only loopback is up; the lines they send are chosen here and the
answers are judged here.
"""
from __future__ import annotations

import secrets

from _kit.launch import Run
from grader.harness import Student, fail

CLIENTS = 5
WORDS = ["apple", "kiwi", "mango", "plum", "fig", "lime", "pear", "date", "yuzu", "cherry"]


def _line(i: int) -> str:
    return f"{secrets.choice(WORDS)} {secrets.token_hex(3)} from client {i}\n"


ROUNDS = [[_line(i) for i in range(CLIENTS)] for _ in range(2)]
STOP_WITHIN = 1.0


def _serve(student: Student, fresh: bool = False) -> dict:
    call = student.call if fresh else student.shared_call
    # Waits for answers, for a thread to end after its client closed, for stop(): upper
    # bounds, reached only by a wrong server (a right one answers and ends its threads in
    # milliseconds: at most 0.44 s for the whole scenario with 6 submissions graded at once and
    # both cores busy). stop() is judged against STOP_WITHIN, so its wait is longer than that.
    run: Run = call("", [list(r) for r in ROUNDS], 1.0, 1.0, STOP_WITHIN + 0.5, timeout=30,
                    scenario="workers_t09_socket_server.serve_clients")
    out = student.require(run)
    if not isinstance(out, dict):
        fail(f"the check's clients could not report: {out!r:.200}")
    if out.get("start") != "returned":
        fail(f"start_server('127.0.0.1', 0) failed: {out.get('start_error')}")
    if out.get("connect_errors"):
        fail("the clients could not connect to the address start_server returned: "
             + "; ".join(out["connect_errors"]))
    return out


def _answered(out: dict) -> list[int]:
    return [i for i in range(CLIENTS)
            if all(out["answers"][r][i] == ROUNDS[r][i].upper() for r in range(len(ROUNDS)))]


def test_answers(student: Student) -> None:
    out = _serve(student)
    for r, lines in enumerate(ROUNDS):
        if out["answers"][r][0] != lines[0].upper():
            fail(f"the first client sent {lines[0]!r} and got back {out['answers'][r][0]!r}; "
                 f"the server should answer each line with the same line upper-cased")


def test_concurrent_clients(student: Student) -> None:
    out = _serve(student)
    answered = _answered(out)
    if len(answered) < CLIENTS:
        fail(f"{CLIENTS} clients were connected at the same time and each sent {len(ROUNDS)} "
             f"lines; only {len(answered)} of them got their answers (server threads while they "
             f"were connected: {', '.join(out['threads_open']) or 'none'}). "
             + ("A server that serves a client inside its accept loop serves one client at "
                "a time: start a thread per client" if answered else
                "No client got an answer at all: accept each client and answer its lines."))


def test_thread_freed(student: Student) -> None:
    out = _serve(student)
    _require_served(out, "whether a client's thread ends")
    before, after = out["threads_open"], out["after_close"]
    if len(after) >= len(before):
        fail(f"after a client disconnected, none of your server's threads ended ({len(before)} "
             f"threads before, {len(after)} 2 s later: {', '.join(after)}). When a client "
             f"closes, recv() returns b'' -- on Linux that is no exception -- so a loop that "
             f"does not stop on b'' spins forever; with one thread per client, that thread "
             f"must end")


def _require_served(out: dict, what: str) -> None:
    """Fail closed: the server must have answered at least one client line."""
    if not any(out["answers"][r][i] == ROUNDS[r][i].upper()
               for r in range(len(ROUNDS)) for i in range(CLIENTS)):
        fail(f"the server never answered a client's line (it answered {out['answers'][0][0]!r} "
             f"to {ROUNDS[0][0]!r}), so {what} proves nothing: serve the clients first.")


def test_stop(student: Student) -> None:
    out = _serve(student)
    _require_served(out, "how it stops")
    for _ in range(2):                 # an upper time bound: a near miss may be retried
        seconds = out.get("stop_seconds")
        if out["stop"] != "returned" or seconds is None or seconds <= STOP_WITHIN:
            break
        out = _serve(student, fresh=True)
    problems = []
    if out["stop"] == "hung":
        problems.append("stop() had not returned 2.5 s after it was called. Is it joining a thread "
                        "that never ends, or an accept() that nothing wakes up? (Closing the "
                        "listening socket does not wake an accept() blocked in another thread "
                        "on Linux: give the socket a timeout and check a flag.)")
    elif out["stop"] == "raised":
        problems.append(f"stop() raised {out['stop_error']}.")
    elif out["stop_seconds"] > STOP_WITHIN:
        problems.append(f"stop() took {out['stop_seconds']:.2f} s; it should return within "
                        f"{STOP_WITHIN:g} s.")
    if out["threads_after_stop"]:
        problems.append(f"After stop() was called, these threads of your server were still "
                        f"alive: {', '.join(out['threads_after_stop'])}.")
    if not out["refused_after_stop"]:
        problems.append("After stop(), the server still accepted a connection: close the "
                        "listening socket.")
    if problems:
        fail(" ".join(problems))


def test_port_zero(student: Student) -> None:
    lines = [_line(0), _line(1)]
    run = student.call("", lines, timeout=15, scenario="workers_t09_socket_server.two_servers")
    out = student.require(run)
    if not isinstance(out, dict):
        fail(f"the check's clients could not report: {out!r:.200}")
    if out["errors"]:
        errors = "; ".join(map(str, out["errors"]))
        fail("starting two servers at once, each with port 0, failed: " + errors
             + (". Bind the port you are given: 0 asks the system for any free port."
                if "already in use" in errors else "."))
    ports = out["ports"]
    if 0 in ports or len(set(ports)) != 2:
        fail(f"two servers started with port 0 reported ports {ports}; return the port the "
             f"socket really got (server.getsockname())")
    if out["answers"] != [line.upper() for line in lines]:
        fail(f"each of the two servers should answer its client; they answered {out['answers']!r}")
