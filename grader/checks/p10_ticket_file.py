"""Hidden checks for p10_ticket_file: concurrent checking, serial buying under one lock.

Each run gets its own database file in the sandbox's fresh scratch folder (the scenario
`workers_p10_ticket_file.sell` writes it, calls `sell_tickets(db_path, buyers, delay, search)`
and reads the count left). The checker's `search` is a gate: the buyers' checks all meet in
it and then every buyer goes on to buy at the same moment, so a buy that is not under a
shared lock reads a stale count every time, not just sometimes.
"""
from __future__ import annotations

from grader import races, source
from grader.evidence import all_overlap, child_pids, intervals, no_children, shape_difference
from grader.harness import Student, fail

SCENARIO = "workers_p10_ticket_file.sell"
# Other sizes than the public tests (2 tickets, 5 buyers): scarce, and plenty.
SCARCE = {"tickets": 3, "buyers": 8, "delay": 0.25}
PLENTY = {"tickets": 9, "buyers": 5, "delay": 0.2}
LOCK_HINT = ("Buy (read the count, take a ticket, write it back) while holding the lock, "
             "and make it one Lock created in sell_tickets and passed to every buyer.")


def _sell(student: Student, case: dict, start_method: str,
          answers: bool = True):
    run = student.shared_call("", case["tickets"], case["buyers"], case["delay"],
                              scenario=SCENARIO, start_method=start_method, timeout=15,
                              sample_processes=True)
    value = student.require(run)
    if not isinstance(value, dict):       # the scenario's own answer: cannot happen
        raise RuntimeError(f"scenario returned {value!r}")
    sold, left = value["sold"], value["left"]
    buyers = case["buyers"]
    if answers and not (isinstance(sold, list) and len(sold) == buyers
            and all(type(x) is bool for x in sold)):
        fail(f"sell_tickets(db_path, {buyers}, ...) should return a list of {buyers} bools, one "
             f"per buyer in buyer order; it returned {sold!r}: "
             + shape_difference(sold, buyers, bool, "answer"))
    why = no_children(run, buyers)
    if not why and not {e["pid"] for e in run.events if e["ev"] == "search"} & child_pids(run):
        why = "no buyer process checked the tickets with search(db_path)"
    if why:
        fail(f"{why} for {buyers} buyers, so no buyer process checked or bought a ticket"
             + (f" (the file still says {left} left)" if left == case["tickets"] else "")
             + ": each buyer must be a Process that reads and updates the file")
    return run, sold, left


def _lost_where(student: Student) -> str:
    """' Buyers overwrote each other's count between the read on line 33 (...) and ...'"""
    window = races.find(student.source, races.FILE_READ, races.FILE_WRITE)
    return f" They overwrote each other's count {window.between()}." if window else ""


def _left_text(left: object) -> str:
    return "could not be read as {\"count\": <int>}" if left is None else f"says {left}"


def test_no_oversell(student: Student) -> None:
    _, sold, _ = _sell(student, SCARCE, "fork")
    n, tickets, buyers = sum(sold), SCARCE["tickets"], SCARCE["buyers"]
    if n > tickets:
        fail(f"{n} of {buyers} buyers were told they got a ticket, but there were only {tickets}: "
             f"tickets were oversold. Several buyers read the same count before any of them "
             f"wrote it back.{_lost_where(student)} {LOCK_HINT}")
    if n < min(tickets, buyers):
        fail(f"only {n} of {buyers} buyers got a ticket, though there were {tickets} tickets")


def test_count_matches_sales(student: Student) -> None:
    _, sold, left = _sell(student, SCARCE, "fork")
    n, tickets = sum(sold), SCARCE["tickets"]
    if type(left) is int and left < 0:
        fail(f"the count in the file went negative ({left}): a buyer took a ticket that was "
             f"not there. {LOCK_HINT}")
    if left != tickets - n:
        should = (f"should say {tickets - n} are left" if n <= tickets else
                  "cannot be right (more were sold than existed)")
        fail(f"{n} of {tickets} tickets were sold, so the file {should}; it "
             f"{_left_text(left)}. A buyer wrote back a count it had read before another "
             f"buyer's write (a lost update).{_lost_where(student)} {LOCK_HINT}")


def test_plenty_of_tickets(student: Student) -> None:
    """Started with `spawn`: the buyers must be picklable top-level functions."""
    _, sold, left = _sell(student, PLENTY, "spawn")
    tickets, buyers = PLENTY["tickets"], PLENTY["buyers"]
    if not all(sold):
        fail(f"with {tickets} tickets for {buyers} buyers everybody should get one; the "
             f"answers were {sold}")
    if left != tickets - buyers:
        fail(f"{buyers} of {tickets} tickets were sold, so the file should say "
             f"{tickets - buyers} are left; it {_left_text(left)}. Buyers overwrote each "
             f"other's count (lost updates).{_lost_where(student)} {LOCK_HINT}")


def test_every_buyer_answered(student: Student) -> None:
    run, _, _ = _sell(student, SCARCE, "fork")
    buyers = SCARCE["buyers"]
    checks = [e for e in run.events if e["ev"] == "search"]
    pids = {e["pid"] for e in checks}
    if len(checks) != buyers:
        fail(f"search(db_path) should be called once by each of the {buyers} buyers; it was "
             f"called {len(checks)} times")
    if run.probe_pid in pids:
        fail("the buyers ran in the calling process; each buyer must be its own Process")
    if len(pids) != buyers:
        fail(f"expected {buyers} buyer processes, one per buyer; the checks ran in {len(pids)}")
    unseen = pids - child_pids(run)
    if unseen:
        fail(f"buyers reported pids {sorted(unseen)} that no process started by your code had")


def test_concurrent_check(student: Student) -> None:
    run, _, _ = _sell(student, SCARCE, "fork", answers=False)
    ivs = intervals(run, "search", "search_end")
    if len(ivs) != SCARCE["buyers"]:
        fail(f"search(db_path) should be called once by each of the {SCARCE['buyers']} buyers; "
             f"it was called {len(ivs)} times")
    if not all_overlap(ivs):
        fail("the buyers checked the remaining tickets one after another, not at the same "
             "time: checking only reads, so it needs no lock. Start every buyer before "
             "waiting for any, and hold the lock only while buying, not while checking."
             + source.where_joined_in_start_loop(student.source))
