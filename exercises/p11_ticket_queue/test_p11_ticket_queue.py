"""Public tests for p11_ticket_queue. Run them with `pytest` in this folder.

The tests pass their own `step`: it holds each buyer until every buyer is inside it (or until
nobody new has come for 0.4 s). A buyer that keeps the count while it decides is alone
there; a buyer that put the count back first is joined by all the others, holding the same
count -- so if the count is not a token while deciding, overselling is certain.
"""
import functools

from _kit.testing import run_exercise, worker

TICKETS, BUYERS = 2, 5


@functools.cache
def _run():       # one sale, shared by the tests below
    return run_exercise(__file__, "sell_with_queue", TICKETS, BUYERS,
                        worker("workers_p11_ticket_queue.Gate", parties=BUYERS, patience=0.4),
                        timeout=12)


def sale():
    r = _run()
    assert r.returned, r.explain() + (
        "\nDoes every buyer that takes the count put it back, also when no ticket is left?"
        if r.status == "timeout" else "")
    sold = r.value
    assert isinstance(sold, list) and len(sold) == BUYERS and all(type(x) is bool for x in sold), (
        f"sell_with_queue should return a list of {BUYERS} bools, one per buyer; it returned {sold!r}")
    return r, sold


def test_exactly_the_tickets_are_sold():
    _, sold = sale()
    assert sum(sold) <= TICKETS, (
        f"{sum(sold)} buyers got a ticket, but there were only {TICKETS}: the count went back "
        f"into the queue before the buyer had decided, so others took the same count. Take it, "
        f"call step(), decide, and only then put it back.")
    assert sum(sold) == TICKETS, f"only {sum(sold)} buyers got a ticket, though there were {TICKETS}"


def test_buyers_decide_one_at_a_time():
    r, _ = sale()
    starts = sorted(e["t"] for e in r.events if e["ev"] == "step")
    ends = sorted(e["t"] for e in r.events if e["ev"] == "step_end")
    assert len(starts) == len(ends) == BUYERS, f"step() was called {len(starts)} times, not {BUYERS}"
    overlapping = sum(1 for s, e in zip(starts[1:], ends) if s < e)
    assert not overlapping, (
        "several buyers were deciding at the same time, each with its own copy of the count: "
        "keep the count out of the queue while you decide.")


def test_every_buyer_gets_an_answer_and_exits():
    r, _ = sale()
    pids = {e["pid"] for e in r.events if e["ev"] == "step"}
    assert len(pids) == BUYERS and r.probe_pid not in pids, (
        f"each of the {BUYERS} buyers should call step() once, in its own process")
    assert not r.children_after, (
        f"{len(r.children_after)} buyer processes were not joined when sell_with_queue returned")
