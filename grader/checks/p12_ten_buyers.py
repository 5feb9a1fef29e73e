"""Hidden checks for p12_ten_buyers: the flash sale (a Queue(stock) as the stock).

Every run goes through the scenario `workers_p12_ten_buyers.sale`, which watches each Queue
the caller makes, in every process that uses it: each buyer's put() ("put_try"/"put": may it
wait forever, did it get a place), each item the caller takes out ("got", in order), and
every process started by exec ("spawned"). The scenario makes the latecomer certain: buyers
past the stock wait until the caller gets or joins (or 2 s), and a get() while the sale is on
waits until every buyer has tried, so a place freed while the sale is on always goes to one.
A winner is real only if a process with that pid, started by the run, put that very pid in and
got a place. Sizes differ from the public tests (7 phones for 53 buyers, 12 for 8, 3 for 9
under spawn), so a hard-coded answer fails.
"""
from __future__ import annotations

from grader.evidence import child_pids, difference
from grader.harness import Student, fail

SCENARIO = "workers_p12_ten_buyers.sale"
BUYERS, STOCK = 53, 7                 # the main sale, under fork
SMALL_BUYERS, SMALL_STOCK = 8, 12     # more phones than buyers
# A sale under spawn: every buyer is a fresh interpreter (slow on a loaded machine), so it is small.
SPAWN_BUYERS, SPAWN_STOCK = 9, 3


def _sale_run(student: Student):
    return student.shared_call("", BUYERS, STOCK, scenario=SCENARIO, start_method="fork",
                               sample_processes=True, timeout=15)


def _sale(student: Student):
    run = _sale_run(student)
    student.require(run)
    return run


def _no_sale(run, buyers: int) -> str:
    """Why the run shows no sale by buyer processes, or ""."""
    started = len(_buyer_pids(run))     # start() recorded as it returns: certain, not racy
    if started == 0:
        return f"flash_sale({buyers}, ...) started no buyer process"
    if started < buyers:
        return f"flash_sale({buyers}, ...) started only {started} of the {buyers} buyer processes"
    if not {e["pid"] for e in _events(run, "put_try")} & _buyer_pids(run):
        return (f"flash_sale({buyers}, ...) started {started} processes, but none of them tried "
                f"to put its id into a multiprocessing Queue")
    return ""


def _events(run, kind: str) -> list[dict]:
    return [e for e in run.events if e["ev"] == kind]


def _buyer_pids(run) -> set[int]:
    """Processes the run really started, by every witness: the fork hook and the sampler
    (grader.evidence.child_pids), and the exec hook of the scenario (spawn)."""
    return child_pids(run) | {e["child"] for e in _events(run, "spawned")}


def _as_id(x: object) -> int | None:
    if type(x) is int:
        return x
    if type(x) is str and x.strip().isdigit():   # the notes put f'{os.getpid()}'
        return int(x)
    return None


def _ranking(run, stock: int, buyers: int) -> list:
    """The returned ranking, checked for shape: a list of `min(stock, buyers)` distinct ints."""
    value = run.value
    want = min(stock, buyers)
    sale = f"{stock} phones and {buyers} buyers"
    if not isinstance(value, list):
        fail(f"flash_sale({buyers}, {stock}) should return the ranking as a list of ids; it "
             f"returned {value!r}")
    if any(type(i) is not int for i in value):
        odd = next(i for i in value if type(i) is not int)
        fail(f"the ranking should hold ints (os.getpid() of each winner); it holds {odd!r}"
             + (" — a str: put os.getpid() itself, not f'{os.getpid()}'" if isinstance(odd, str) else ""))
    if len(set(value)) != len(value):
        twice = sorted({i for i in value if value.count(i) > 1})
        fail(f"{', '.join(map(str, twice))} {'appears' if len(twice) == 1 else 'appear'} more "
             f"than once in the ranking {value}: each buyer tries once, and wins at most once")
    if len(value) != want:
        hint = ""
        if len(value) == want - 1:
            hint = " — one short: range(1, stock) counts 1..stock-1"
        elif buyers < stock and len(value) < want:
            hint = " — with fewer buyers than phones every buyer wins"
        fail(f"with {sale} there are {want} winners; the ranking has {len(value)}{hint}")
    return value


def _strangers(run, ranking: list) -> list:
    """Ids in the ranking that are not the pid of a buyer the run started and that put that
    very pid into the queue and got a place."""
    started = _buyer_pids(run)
    placed = {e["pid"] for e in _events(run, "put")
              if e.get("ok") and _as_id(e.get("item")) == e["pid"]}
    return [i for i in ranking if _as_id(i) == run.probe_pid
            or _as_id(i) not in started or _as_id(i) not in placed]


def _started(run) -> int:
    """How many processes the run started (a resource tracker included), by every witness
    (_buyer_pids). Not the fork hook alone: it records in the child once the child runs, and a
    buyer forked just before the sale returned may not have run yet on a loaded machine (50 of
    53 counted, once in 20 runs of bench/flake.py); start() returning in the parent has."""
    return len(_buyer_pids(run))


def _not_gone(run) -> str:
    """Why buyers were still there on return, or "" if none was."""
    running = [p for p in run.children_after if p.state != "Z"]
    zombies = [p for p in run.children_after if p.state == "Z"]
    if not running and not zombies:
        return ""
    tried = {e["pid"] for e in _events(run, "put_try") if e.get("waits")}
    put = {e["pid"] for e in _events(run, "put")}
    waiting = [p for p in running if p.inner_pid in tried - put]
    parts = []
    if waiting:
        parts.append(f"{len(waiting)} were waiting in put() for a place that would never be "
                     f"freed: a put() that may block waits forever once the phones are gone. "
                     f"Use put(..., block=False) and catch queue.Full (sold out)")
    if len(running) > len(waiting):
        parts.append(f"{len(running) - len(waiting)} were still running: join() every buyer "
                     f"before you return")
    if zombies:
        parts.append(f"{len(zombies)} had ended but were never joined (zombies): join() every "
                     f"buyer")
    total = len(running) + len(zombies)
    return (f"when flash_sale returned, {total} buyer processes were left behind: "
            + "; ".join(parts) + ".")


def test_ranking(student: Student) -> None:
    run = _sale(student)
    ranking = _ranking(run, STOCK, BUYERS)
    why = _no_sale(run, BUYERS)
    if why:
        fail(f"the ranking {ranking} has the right shape, but {why}, so it is no sale's "
             f"ranking")


def test_real_buyers(student: Student) -> None:
    run = _sale(student)
    value = run.value if isinstance(run.value, list) else []
    if _started(run) < BUYERS:
        fail(f"flash_sale({BUYERS}, {STOCK}) started {_started(run)} processes: every one of "
             f"the {BUYERS} buyers should be a process of its own")
    if not value:
        fail(f"the ranking {run.value!r} holds no buyer at all")
    if run.probe_pid in [_as_id(i) for i in value]:
        fail("the caller's own pid is in the ranking: each buyer should put os.getpid() in its "
             "own process")
    strangers = _strangers(run, value)
    if strangers:
        fail(f"{strangers[:5]} {'is' if len(strangers) == 1 else 'are'} not the pid of a buyer "
             f"that put its own id into the queue: each buyer should put its own os.getpid(), "
             f"and the ranking should be what came out of the queue")


def test_queue_order(student: Student) -> None:
    run = _sale(student)
    why = _no_sale(run, BUYERS)
    if why:
        fail(why + ", so the ranking is no buyers' queue order")
    value = run.value
    got = [e.get("item") for e in _events(run, "got") if e["pid"] == run.probe_pid]
    if not got:
        fail("flash_sale took nothing out of a multiprocessing Queue with get(): the ranking "
             "is what get() returns, in that order")
    # judged on as many ids as the ranking holds (how many is the ranking check's business)
    expected = got[:len(value)] if isinstance(value, (list, tuple)) and value else got[:STOCK]
    diff = difference(value, expected, noun="id")
    if diff:
        fail(f"the ranking should be the ids in the order get() took them out of the queue, "
             f"{expected}; it is {value}: {diff}"
             + (" (do not sort or reorder it)" if "another order" in diff else ""))


def test_sold_out(student: Student) -> None:
    run = _sale(student)
    why = _no_sale(run, BUYERS)
    if why:
        fail(why + ", so no buyer could have waited or sold out")
    tries = _events(run, "put_try")
    if not tries:
        fail("no buyer put anything into a multiprocessing Queue: each buyer should try "
             "q.put(os.getpid(), block=False) on a Queue(stock)")
    waiting = [e for e in tries if e.get("waits")]
    if waiting:
        fail(f"{len(waiting)} buyers called put() in a way that waits for a free place when the "
             f"queue is full: the phones are gone, nobody will free a place, and they wait "
             f"forever. Use put(..., block=False) and catch queue.Full (sold out).")
    placed = [e for e in _events(run, "put") if e.get("ok")]
    if len(placed) > STOCK:
        fail(f"{len(placed)} buyers got a place in the queue for {STOCK} phones: the queue was "
             f"read while the sale was still on, and every get() freed a place for a "
             f"latecomer. Let every buyer try (join them all) before you take the winners out.")
    if len(placed) < STOCK:
        fail(f"only {len(placed)} buyers got a place in the queue for {STOCK} phones and "
             f"{BUYERS} buyers: is the queue a Queue(stock)?")


def test_buyers_exit(student: Student) -> None:
    run = _sale(student)
    why = _no_sale(run, BUYERS)
    if why:
        fail(why + ", so there was no buyer to see out")
    why = _not_gone(run)
    if why:
        fail(why)


def test_small_crowd(student: Student) -> None:
    run = student.call("", SMALL_BUYERS, SMALL_STOCK, scenario=SCENARIO, start_method="fork",
                       sample_processes=True, timeout=5)    # the reference: 0.3-1.4 s
    if run.status == "timeout":
        fail(f"with {SMALL_STOCK} phones and {SMALL_BUYERS} buyers flash_sale never "
             f"returned: only {SMALL_BUYERS} ids ever reach the queue, so a get() for one more "
             f"waits forever. Take min(buyers, stock) winners. ({run.explain()})")
    student.require(run)
    ranking = _ranking(run, SMALL_STOCK, SMALL_BUYERS)
    if _started(run) < SMALL_BUYERS:
        fail(f"{SMALL_BUYERS} buyers, but flash_sale started {_started(run)} processes")
    strangers = _strangers(run, ranking)
    if strangers:
        fail(f"{strangers[:5]} are not pids of buyers that put their own id into the queue: "
             f"each buyer puts its own os.getpid()")
    why = _not_gone(run)
    if why:
        fail(why)


def test_spawn_sale(student: Student) -> None:
    run = student.call("", SPAWN_BUYERS, SPAWN_STOCK, scenario=SCENARIO, start_method="spawn",
                       sample_processes=True, timeout=28)
    student.require(run)
    ranking = _ranking(run, SPAWN_STOCK, SPAWN_BUYERS)
    if _started(run) < SPAWN_BUYERS:
        fail(f"under spawn, {SPAWN_BUYERS} buyers, but flash_sale started {_started(run)} processes")
    strangers = _strangers(run, ranking)
    if strangers:
        fail(f"under spawn, {strangers[:5]} are not pids of buyers that put their own id into "
             f"the queue: each buyer puts its own os.getpid()")
    why = _not_gone(run)
    if why:
        fail("under spawn, " + why)


def test_defaults(student: Student) -> None:
    why = _no_sale(_sale_run(student), BUYERS)
    if why:
        fail(why + ", so flash_sale's defaults would only name a sale that never happens")
    run = student.call("", scenario="workers_p12_ten_buyers.signature", timeout=8)
    params = student.require(run)
    if not isinstance(params, dict) or params.get("buyers") != 100 or params.get("stock") != 10:
        fail(f"flash_sale's defaults should be the notes' sale, flash_sale(buyers=100, "
             f"stock=10); its parameters are {params!r}")
