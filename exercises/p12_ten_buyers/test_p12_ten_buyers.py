"""Public tests for p12_ten_buyers. Run them with `pytest` in this folder.

Each run happens in its own process with a time limit, so buyers that wait forever make a
test fail within seconds instead of hanging your terminal. To stay fast, the sale here has
30 buyers for the notes' 10 phones; the grader also tries other sizes.
"""
from functools import lru_cache

import pytest

from _kit.testing import run_exercise, together

BUYERS, STOCK = 30, 10


@lru_cache(maxsize=None)
def sale(buyers=BUYERS, stock=STOCK, timeout=12):
    return run_exercise(__file__, "flash_sale", buyers, stock, timeout=timeout)


@lru_cache(maxsize=None)
def signature():
    return run_exercise(__file__, "", mode="scenario", scenario="workers_p12_ten_buyers.signature",
                        timeout=10)


@pytest.fixture(scope="module", autouse=True)
def _runs_at_once():
    """The three sales are independent and mostly wait: make them at the same time."""
    together(sale, lambda: sale(6, 10, timeout=2.5), signature)


def ranking_of(r):
    assert r.returned, r.explain()
    assert isinstance(r.value, list), f"flash_sale should return a list of ids, it returned {r.value!r}"
    return r.value


def test_ten_winners():
    ranking = ranking_of(sale())
    assert all(type(i) is int for i in ranking), (
        f"the ids should be ints, as os.getpid() returns them, not {ranking[:3]!r}...")
    assert len(set(ranking)) == len(ranking), f"some buyer is ranked twice: {ranking}"
    assert len(ranking) == STOCK, (
        f"{STOCK} phones were for sale, but the ranking has {len(ranking)} winners"
        + (": range(1, 10) counts 1..9, one short." if len(ranking) == STOCK - 1 else "."))


def test_winners_are_real_buyers():
    r = sale()
    ranking = ranking_of(r)
    forked = {e["pid"] for e in r.events if e["ev"] == "forked"}
    assert r.probe_pid not in ranking, "the caller's own pid is in the ranking: buyers put os.getpid() in their own process"
    if forked:                            # the fork start method: every buyer's pid is known
        strangers = [i for i in ranking if i not in forked]
        assert not strangers, (f"{strangers} are not pids of processes flash_sale started: "
                               f"each buyer should put its own os.getpid()")


def test_every_buyer_goes_home():
    r = sale()
    ranking_of(r)
    running = [p for p in r.children_after if p.state != "Z"]
    zombies = [p for p in r.children_after if p.state == "Z"]
    assert not running, (
        f"{len(running)} buyers were still there when flash_sale returned: a buyer that finds "
        f"the queue full waits in put() forever. Use put(..., block=False) and catch "
        f"queue.Full (sold out), and join() every buyer.")
    assert not zombies, f"{len(zombies)} buyers had ended but were never joined: join() every buyer"


def test_more_phones_than_buyers():
    r = sale(6, 10, timeout=2.5)
    assert r.returned, (
        "with 10 phones and only 6 buyers, flash_sale never returned: only 6 ids ever reach "
        "the queue, so a get() for a 7th waits forever. Take min(buyers, stock) winners. "
        "(" + r.explain() + ")")
    ranking = ranking_of(r)
    assert len(ranking) == len(set(ranking)) == 6, f"6 buyers, 10 phones: everybody wins; got {ranking}"


def test_defaults_are_the_notes_sale():
    r = signature()
    assert r.returned, r.explain()
    assert r.value.get("buyers") == 100 and r.value.get("stock") == 10, (
        f"flash_sale's defaults should be the notes' sale, flash_sale(buyers=100, stock=10); "
        f"its parameters are {r.value!r}")
