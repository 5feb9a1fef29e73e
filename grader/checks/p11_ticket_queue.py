"""Hidden checks for p11_ticket_queue: the count in a Queue(1) is a token held while deciding.

The buyers' `step` is the checker's gate (workers_p11_ticket_queue.Gate): it holds every buyer
that calls it until all buyers are inside at once, or until nobody new has come for
`patience` seconds. Buyers that hold the count while deciding are alone in it (the gate gives
up once, after `patience`); buyers that put the count back before deciding all meet there with
the same count, so the overselling is certain and the `step` events show it.
"""
from __future__ import annotations

from grader import races
from grader.evidence import child_pids, intervals, no_children, peak_concurrency, shape_difference
from grader.harness import Student, fail, worker

# Other sizes than the public tests (2 tickets, 5 buyers).
SCARCE = {"tickets": 3, "buyers": 7}
PLENTY = {"tickets": 8, "buyers": 5}
PATIENCE = 1.0
TOKEN_HINT = ("Take the count with get(), call step(), decide, and put it back only then: "
              "while you hold it, no other buyer can read it.")


def _run(student: Student, case: dict, start_method: str):
    return student.shared_call(
        "sell_with_queue", case["tickets"], case["buyers"],
        worker("workers_p11_ticket_queue.Gate", parties=case["buyers"], patience=PATIENCE),
        timeout=12, start_method=start_method, sample_processes=True)


def _no_buyers(run, case: dict) -> str:
    """Why there is no evidence that buyer processes bought, or ""."""
    why = no_children(run, case["buyers"])
    if why:
        return f"{why} for {case['buyers']} buyers"
    if not {e["pid"] for e in run.events if e["ev"] == "step"} & (child_pids(run) - {run.probe_pid}):
        return "no buyer process called step() while holding the count"
    return ""


def _answers(student: Student, case: dict, start_method: str):
    run = _run(student, case, start_method)
    sold = student.require(run)
    buyers = case["buyers"]
    if not (isinstance(sold, list) and len(sold) == buyers
            and all(type(x) is bool for x in sold)):
        fail(f"sell_with_queue({case['tickets']}, {buyers}, step) should return a list of "
             f"{buyers} bools, one per buyer in buyer order; it returned {sold!r}: "
             + shape_difference(sold, buyers, bool, "answer"))
    why = _no_buyers(run, case)
    if why:
        fail(f"{why}, so the answers {sold} were not decided by buyers holding the count")
    return run, sold


def _given_back_early(student: Student, run) -> str:
    """Where the count went back into the queue before the buyer had decided, if the
    source shows it: the put after the get comes before the line that called step()."""
    step = races.step_line(run)
    window = races.find(student.source, races.QUEUE_TAKE, races.QUEUE_PUT, near=step)
    if window is None or step is None or window.write_line > step:
        return "The count went back into the queue before the buyer had decided"
    return (f"The count went back into the queue on line {window.write_line} "
            f"(`{window.write_code}`), right after it was taken on line {window.read_line} "
            f"(`{window.read_code}`) and before step() on line {step} and the decision")


def test_exact_sales(student: Student) -> None:
    run, sold = _answers(student, SCARCE, "fork")
    n, tickets, buyers = sum(sold), SCARCE["tickets"], SCARCE["buyers"]
    if n > tickets:
        fail(f"{n} of {buyers} buyers were told they got a ticket, but there were only "
             f"{tickets}: tickets were oversold. {_given_back_early(student, run)}, so other "
             f"buyers took the same count. {TOKEN_HINT}")
    if n < min(tickets, buyers):
        fail(f"only {n} of {buyers} buyers got a ticket, though there were {tickets} tickets")


def test_one_at_a_time(student: Student) -> None:
    run = _run(student, SCARCE, "fork")
    why = _no_buyers(run, SCARCE)
    if why:
        fail(f"{why}, so no two buyers could ever have decided at the same time"
             + ("" if run.returned else f" ({run.explain()})"))
    ivs = intervals(run, "step", "step_end")
    if len(ivs) != SCARCE["buyers"]:
        fail(f"each of the {SCARCE['buyers']} buyers should call step() once while buying; it "
             f"was called {len(ivs)} times" + ("" if run.returned else f" ({run.explain()})"))
    peak = peak_concurrency(ivs)
    if peak > 1:
        fail(f"{peak} buyers were deciding at the same time, each with its own copy of the "
             f"count: the count is only a token while a buyer keeps it out of the queue. "
             f"{_given_back_early(student, run)}. {TOKEN_HINT}")


def test_plenty_of_tickets(student: Student) -> None:
    """Started with `spawn`: the buyers must be picklable top-level functions."""
    _, sold = _answers(student, PLENTY, "spawn")
    if not all(sold):
        fail(f"with {PLENTY['tickets']} tickets for {PLENTY['buyers']} buyers everybody should "
             f"get one; the answers were {sold}")


def test_every_buyer_answered(student: Student) -> None:
    run, _ = _answers(student, SCARCE, "fork")
    buyers = SCARCE["buyers"]
    pids = {e["pid"] for e in run.events if e["ev"] == "step"}
    if run.probe_pid in pids:
        fail("the buyers ran in the calling process; each buyer must be its own Process")
    if len(pids) != buyers:
        fail(f"expected {buyers} buyer processes, each calling step() once; step() was called "
             f"from {len(pids)} processes")
    unseen = pids - child_pids(run)
    if unseen:
        fail(f"buyers reported pids {sorted(unseen)} that no process started by your code had")


def test_no_buyer_blocks(student: Student) -> None:
    run = _run(student, SCARCE, "fork")
    if not run.returned:
        hint = ""
        if run.status == "timeout":
            hint = (" A buyer that takes the count must always put it back -- also when no "
                    "ticket is left -- or every buyer after it waits in get() forever; and "
                    "collect every answer before joining the buyers.")
        fail(run.explain() + hint)
    why = _no_buyers(run, SCARCE)
    if why:
        fail(f"{why}, so nothing shows that buyers never wait forever for the count")


def test_all_exit(student: Student) -> None:
    run = _run(student, SCARCE, "fork")
    student.require(run)
    why = _no_buyers(run, SCARCE)
    if why:
        fail(f"{why}, so no buyer process that bought was there to join")
    left = [f"pid {p.inner_pid} ({'zombie' if p.state == 'Z' else 'still running'})"
            for p in run.children_after]
    if left:
        fail("when sell_with_queue returned, these buyer processes had not been joined: "
             + ", ".join(left))
