"""p10 · tickets in a file: checking may be concurrent, buying must be serial.

Course notes §9.1 -- reference solution. The remaining tickets live in a JSON file,
{"count": 3}. Each buyer is a process that first *checks* how many tickets are left (everybody
may do that at the same time), then *buys* under a lock shared by all buyers: read the file,
take a ticket if there is one, write the file back. Only one buyer at a time is inside that
read-modify-write, so no two buyers can sell the same ticket.

`sell_tickets(db_path, buyers, delay, search=search)` runs `buyers` buyer processes at the
same time and returns one bool per buyer (in buyer order): True if that buyer got a ticket.
Each buyer calls `search(db_path)` to check, then buys, waiting `delay` seconds (the payment)
between reading the count and writing it back.

Run it:  python p10_ticket_file.py      Test it:  pytest  (in this folder)
"""
import json
import os
import random
import time
from multiprocessing import Lock, Process, Queue


def search(db_path):
    """Check the remaining tickets (a slow network query). No lock needed: it only reads."""
    time.sleep(random.uniform(0.1, 0.5))
    with open(db_path, encoding="utf-8") as f:
        return json.load(f)["count"]


def buy(db_path, delay):
    """Take one ticket if there is one: read the count, pay, write the count back."""
    with open(db_path, encoding="utf-8") as f:
        db = json.load(f)
    if db["count"] <= 0:
        return False
    db["count"] -= 1
    time.sleep(delay)                       # paying takes a while ...
    with open(db_path, "w", encoding="utf-8") as f:
        json.dump(db, f)                    # ... and only now do the others see the new count
    return True


def buyer(i, db_path, delay, search, lock, answers):
    print(f"{os.getpid()} checked: {search(db_path)} tickets left")
    with lock:                  # buying is a read-modify-write: one buyer at a time
        ok = buy(db_path, delay)
    print(f"{os.getpid()} {'bought a ticket' if ok else 'found no ticket left'}")
    answers.put((i, ok))


def sell_tickets(db_path, buyers, delay, search=search):
    lock = Lock()
    answers = Queue()
    processes = [Process(target=buyer, args=(i, db_path, delay, search, lock, answers))
                 for i in range(buyers)]
    for p in processes:
        p.start()
    got = dict(answers.get() for _ in processes)   # one answer per buyer, before joining
    for p in processes:
        p.join()
    return [got[i] for i in range(buyers)]


if __name__ == "__main__":
    with open("db.json", "w", encoding="utf-8") as f:
        json.dump({"count": 3}, f)
    sold = sell_tickets("db.json", 5, 0.5)
    with open("db.json", encoding="utf-8") as f:
        left = json.load(f)["count"]
    print(f"{sum(sold)} tickets sold, {left} left in db.json (there were 3)")
