"""Public tests for t09_socket_server. Run them with `pytest` in this folder.

The clients are the kit's scenario: they connect to your server, talk to it and report what
happened, with a timeout on everything, so a stuck server fails the tests instead of hanging.
"""
import functools

from _kit.testing import run_exercise

ROUNDS = [[f"hello from client {i}\n" for i in range(3)], [f"bye from client {i}\n" for i in range(3)]]
# seconds the clients wait: for each round's answers, for a thread to end after a client
# closed, for stop() to return (a right server answers and ends its threads in milliseconds)
ANSWER_WAIT, CLOSE_WAIT, STOP_WAIT = 0.5, 0.5, 1.0


@functools.lru_cache(maxsize=None)      # one conversation, judged by several tests
def talk():
    r = run_exercise(__file__, "", ROUNDS, ANSWER_WAIT, CLOSE_WAIT, STOP_WAIT, timeout=15,
                     mode="scenario", scenario="workers_t09_socket_server.serve_clients")
    assert r.returned, r.explain()
    out = r.value
    assert out.get("start") == "returned", f"start_server('127.0.0.1', 0) failed: {out.get('start_error')}"
    assert not out.get("connect_errors"), f"the clients could not connect: {out['connect_errors']}"
    return out


def test_answers_in_upper_case():
    out = talk()
    assert out["answers"][0][0] == ROUNDS[0][0].upper(), (
        f"client 0 sent {ROUNDS[0][0]!r} and got back {out['answers'][0][0]!r}")


def test_clients_are_served_at_the_same_time():
    out = talk()
    answered = [i for i in range(3) if out["answers"][0][i] == ROUNDS[0][i].upper()
                and out["answers"][1][i] == ROUNDS[1][i].upper()]
    assert len(answered) == 3, (
        f"3 clients were connected at the same time, but only {len(answered)} got answers: "
        f"your server serves one client at a time. Start a thread per client in the accept loop")


def test_a_closed_client_frees_its_thread():
    out = talk()
    assert len(out["after_close"]) < len(out["threads_open"]), (
        f"a client disconnected, but no thread of your server ended ({out['after_close']}). "
        f"When a client closes, recv() returns b'' -- no exception -- so check for it and leave "
        f"the loop")


def test_stop_ends_the_server():
    out = talk()
    assert out["stop"] == "returned", (
        f"stop() did not return within {STOP_WAIT} s (your server's threads: "
        f"{', '.join(out['threads_after_stop'])}). Is it waiting for a thread that never ends, "
        f"such as one still looping after its client has gone?")
    assert out["stop_seconds"] < STOP_WAIT, f"stop() took {out['stop_seconds']:.2f} s"
    assert not out["threads_after_stop"], f"threads still alive after stop(): {out['threads_after_stop']}"
