"""Public tests for p13_producer_consumer. Run them with `pytest` in this folder.

The tests pass their own `produce` and `consume`, which record when each item is made and
consumed: 2 producers of 6 items each, 1 slow consumer, Queue(2).
"""
import functools

from _kit.testing import run_exercise, worker

PRODUCERS, ITEMS, CONSUMERS, MAXSIZE = 2, 6, 1, 2


@functools.cache
def _run():       # one pipeline, shared by the tests below
    produce = worker("workers_p13_producer_consumer.Produce", items=ITEMS, pause=0.0,
                     first_pause=0.3, tag="bun")
    # a right pipeline takes about 0.7 s (12 items at 0.03 s after the first pause)
    return run_exercise(__file__, "pipeline", produce, worker("SleepTask", seconds=0.03),
                        PRODUCERS, CONSUMERS, MAXSIZE, timeout=4)


def made_and_eaten():
    r = _run()
    made = {e["item"]: e for e in r.events if e["ev"] == "made"}
    eaten = [e["arg"] for e in r.events if e["ev"] == "start"]
    return r, made, eaten


def test_every_item_is_consumed_once():
    _, made, eaten = made_and_eaten()
    assert len(made) == PRODUCERS * ITEMS, (
        f"each of the {PRODUCERS} producers should put all {ITEMS} items of produce(i); "
        f"{len(made)} items were made")
    assert sorted(eaten) == sorted(made), (
        f"every item should be consumed exactly once; {len(set(made) - set(eaten))} were never "
        f"consumed and {len(eaten) - len(set(eaten))} were consumed twice")


def test_pipeline_returns_when_all_is_consumed():
    r, _, _ = made_and_eaten()
    assert r.returned, (
        "pipeline never returned: the consumers never stop (`while 1` with nothing that ends "
        "the loop). After the producers are done, put one sentinel (e.g. None) per consumer "
        "into the queue and stop a consumer when it takes one.\n" + r.explain())


def test_each_producers_items_in_order():
    _, made, eaten = made_and_eaten()
    for name in {m["producer"] for m in made.values()}:
        ks = [made[i]["k"] for i in eaten if i in made and made[i]["producer"] == name]
        assert ks == sorted(ks), f"producer {name}'s items were consumed out of order: {ks}"


def test_bounded_queue_makes_producers_wait():
    r, _, _ = made_and_eaten()
    backlog = peak = 0
    for e in r.events:
        backlog += (e["ev"] == "made") - (e["ev"] == "start")
        peak = max(peak, backlog)
    bound = MAXSIZE + PRODUCERS + CONSUMERS
    assert peak <= bound, (
        f"{peak} items were made but not yet consumed at one time; with Queue({MAXSIZE}) the "
        f"producers should wait, keeping it at most {bound}. Use Queue(maxsize), and put each "
        f"item as produce(i) hands it out.")
