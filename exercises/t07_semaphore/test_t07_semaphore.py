"""Public tests for t07_semaphore. Run them with `pytest` in this folder.

`visit` is a checker's worker: it records when each visitor enters and leaves the room, so
the tests count how many were inside at once.
"""
import functools

from _kit.testing import run_exercise, worker

VISITORS, CAPACITY, STAY = 12, 3, 0.1


@functools.cache
def call():
    """One run of your code, shared by the tests below."""
    return run_exercise(__file__, "visit_room", worker("SleepTask", seconds=STAY), VISITORS,
                        CAPACITY, timeout=15)


def run():
    r = call()
    assert r.returned, r.explain()
    return r


def peak(r):
    inside = most = 0
    for e in r.events:
        if e["ev"] == "start":
            inside += 1
            most = max(most, inside)
        elif e["ev"] == "end":
            inside -= 1
    return most


def test_never_more_than_capacity():
    most = peak(run())
    assert most <= CAPACITY, (
        f"{most} visitors were in the room at once, but it holds {CAPACITY}: every visitor "
        f"must hold one shared Semaphore({CAPACITY}) while inside")


def test_room_fills_up():
    most = peak(run())
    assert most >= CAPACITY, (
        f"at most {most} visitor(s) were in the room at once, but {CAPACITY} may be: a "
        f"Semaphore({CAPACITY}) lets {CAPACITY} in together (a Lock lets in only one)")


def test_every_visitor_once():
    r = run()
    came = sorted(e["arg"] for e in r.events if e["ev"] == "end" and e["t"] <= r.call_end)
    assert came == list(range(VISITORS)), (
        f"visitors 0..{VISITORS - 1} should each visit once before visit_room returns; "
        f"these did: {came}")
