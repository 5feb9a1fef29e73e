"""Public tests for p01_create. Run them with `pytest` in this folder."""
from functools import lru_cache

from _kit.testing import run_exercise, worker

NAMES = ["Chang Xin", "Li Ye", "Sea Dogs"]


@lru_cache(maxsize=None)      # the tests below judge different aspects of the same run
def scenario(name, *args):
    r = run_exercise(__file__, "", worker("workers_p01_create.NameTask"), *args, timeout=10,
                     mode="scenario", scenario=f"workers_p01_create.{name}")
    assert r.returned, r.explain()
    return r


def test_start_workers_gives_each_task_its_name():
    r = scenario("start_and_join", tuple(NAMES))
    got = [e["arg"] for e in r.events if e["ev"] == "start"]
    split = [a for a in got if isinstance(a, list)]
    assert not split, (
        f"task received the letters of a name as separate arguments, {split[0]}: "
        f"args=(name) is just name in brackets; a one-element tuple needs a comma: args=(name,)")
    assert sorted(got) == sorted(NAMES), f"task should run once for each of {NAMES}; it ran for {got}"


def test_start_workers_runs_tasks_in_children():
    r = scenario("start_and_join", tuple(NAMES))
    pids = {e["pid"] for e in r.events if e["ev"] == "start"}
    assert pids and r.probe_pid not in pids, (
        "the tasks ran in the calling process: use Process(target=task, args=(name,)) and "
        "start() it, do not call task(name) yourself")


def test_named_worker_runs_its_task_in_a_child():
    r = scenario("named_worker", "Sea Dogs")
    starts = [e for e in r.events if e["ev"] == "start"]
    assert starts, (
        "NamedWorker('Sea Dogs', task).start() never called task: start() makes the new "
        "process call the method named run() -- is yours called run?")
    assert starts[0]["pid"] != r.probe_pid, "the task ran in the calling process, not in a child"
    assert starts[0]["arg"] == "Sea Dogs" and r.value["name"] == "Sea Dogs", (
        f"the worker's name should stay 'Sea Dogs'; it is {r.value['name']!r}")
