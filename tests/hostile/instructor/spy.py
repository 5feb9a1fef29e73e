"""Read the instructor's secrets, the course and the grader's environment and memory; call home."""
import os
import socket
from multiprocessing import Process

TARGETS = ["__HOME__/.ssh/id_rsa", "__KIT__/course.yaml", "__KIT__/solutions/p05_join/p05_join.py",
           "__KIT__/grader/checks/p05_join.py"]


def _spy():
    found = []
    for path in TARGETS:
        try:
            with open(path) as f:
                found.append(f.read())
        except OSError:
            pass
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        for part in ("environ", "cmdline"):
            try:
                with open(f"/proc/{pid}/{part}", "rb") as f:
                    data = f.read()
                if b"__TOKEN__" in data:
                    found.append(data.decode(errors="replace"))
            except OSError:
                pass
        try:
            with open(f"/proc/{pid}/mem", "rb") as f:
                f.read(1)
                found.append(f"read the memory of {pid}")
        except OSError:
            pass
    try:
        with socket.create_connection(("127.0.0.1", __PORT__), timeout=1) as s:
            s.sendall(b"hello from the sandbox")
            found.append("connected to the host's loopback")
    except OSError:
        pass
    return found


def run_and_wait(task, durations):
    found = _spy()
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    if found:
        raise RuntimeError("LEAKED: " + " | ".join(found))
