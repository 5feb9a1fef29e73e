"""Public tests for p10_ticket_file. Run them with `pytest` in this folder.

The tests give your buyers their own `search`: it reads the count and then waits until every
buyer is checking, so that all buyers go on to buy at the same moment -- if buying is not
under one shared lock, two of them *will* read the same count.
"""
import functools

from _kit.testing import run_exercise

TICKETS, BUYERS, DELAY = 2, 5, 0.2


@functools.cache
def _run():       # one sale, shared by the tests below
    return run_exercise(__file__, "", TICKETS, BUYERS, DELAY, timeout=15, mode="scenario",
                        scenario="workers_p10_ticket_file.sell")


def sale():
    r = _run()
    assert r.returned, r.explain()
    sold, left = r.value["sold"], r.value["left"]
    assert isinstance(sold, list) and len(sold) == BUYERS and all(type(x) is bool for x in sold), (
        f"sell_tickets should return a list of {BUYERS} bools, one per buyer; it returned {sold!r}")
    return r, sold, left


def test_no_ticket_is_oversold():
    _, sold, _ = sale()
    assert sum(sold) <= TICKETS, (
        f"{sum(sold)} buyers got a ticket, but there were only {TICKETS}: two buyers read the "
        f"same count before either wrote it back. Buy under the lock (one Lock, shared by all).")
    assert sum(sold) == TICKETS, f"only {sum(sold)} buyers got a ticket, though there were {TICKETS}"


def test_count_on_disk_matches_sales():
    _, sold, left = sale()
    assert left == TICKETS - sum(sold), (
        f"{sum(sold)} of {TICKETS} tickets were sold, but the file says {left} are left: a "
        f"buyer wrote back a count it had read before another buyer's write. Buy under the lock.")


def test_every_buyer_gets_an_answer():
    r, sold, _ = sale()
    pids = {e["pid"] for e in r.events if e["ev"] == "search"}
    assert len(pids) == BUYERS and r.probe_pid not in pids, (
        f"each of the {BUYERS} buyers should check once, in its own process; checks ran in "
        f"{len(pids)} processes")


def test_buyers_check_at_the_same_time():
    r, _, _ = sale()
    starts = [e["t"] for e in r.events if e["ev"] == "search"]
    ends = [e["t"] for e in r.events if e["ev"] == "search_end"]
    assert len(starts) == len(ends) == BUYERS, f"search was called {len(starts)} times, not {BUYERS}"
    assert max(starts) < min(ends), (
        "the buyers checked the tickets one after another: checking only reads, so hold the "
        "lock only while buying, and start every buyer before waiting for any.")
