"""p11 · the count in a Queue: a token that only one buyer can hold.

Course notes §9.2 -- reference solution. The tickets left are a dict, {"count": 3}, kept in a `Queue(1)`: a queue
with room for exactly one item. Taking it out with `get()` is like taking the only key to the
ticket office -- while you hold it, every other buyer's `get()` waits. So a buyer can check and
change the count safely, *as long as it puts the count back only after it has decided*.

`sell_with_queue(tickets, buyers, step=pay)` runs `buyers` buyer processes at the same time
and returns one bool per buyer (in buyer order): True if that buyer got a ticket. Each buyer
checks the count (take it, look, put it back), then buys: take the count, call `step()` (the
payment), decide, put the count back.

Run it:  python p11_ticket_queue.py      Test it:  pytest  (in this folder)
"""
import os
import time
from multiprocessing import Process, Queue


def pay():
    """Paying takes a while."""
    time.sleep(0.2)


def search(q):
    """Check the remaining tickets: take the count, look at it, put it straight back."""
    db = q.get()
    print(f"{os.getpid()} checked: {db['count']} tickets left")
    q.put(db)


def paid(q, step):
    """Take a ticket if there is one; True if this buyer got one."""
    db = q.get()            # we hold the count: every other buyer's get() now waits
    step()
    ok = db["count"] > 0
    if ok:
        db["count"] -= 1
    q.put(db)               # put it back only once we have decided, sold or not
    return ok


def buyer(i, q, step, answers):
    search(q)
    ok = paid(q, step)
    print(f"{os.getpid()} {'bought a ticket' if ok else 'found no ticket left'}")
    answers.put((i, ok))


def sell_with_queue(tickets, buyers, step=pay):
    q = Queue(1)                    # room for one item: the count is a token
    q.put({"count": tickets})
    answers = Queue()
    processes = [Process(target=buyer, args=(i, q, step, answers)) for i in range(buyers)]
    for p in processes:
        p.start()
    got = dict(answers.get() for _ in processes)   # one answer per buyer, before joining
    for p in processes:
        p.join()
    return [got[i] for i in range(buyers)]


if __name__ == "__main__":
    sold = sell_with_queue(3, 5)
    print(f"{sum(sold)} tickets sold (there were 3)")
