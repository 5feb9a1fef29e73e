"""Public tests for t01_create. Run them with `pytest` in this folder."""
from _kit.testing import run_exercise

NAMES = ["Chang Xin", "Li Ye", "Sea Dogs"]


def run(scenario):
    r = run_exercise(__file__, "", NAMES, 0.2, timeout=8, mode="scenario",
                     scenario=f"workers_t01_create.{scenario}")
    assert r.returned, r.explain()
    if "error" in r.value:
        hint = ""
        if "__init__() not called" in r.value["error"]:
            hint = (" — NamedThread.__init__ must call super().__init__() first, so that "
                    "Thread can set itself up")
        raise AssertionError(f"your code raised {r.value['error']}{hint}")
    caller = next(e for e in r.events if e["ev"] == "caller")
    starts = [e for e in r.events if e["ev"] == "start"]
    return r, caller, starts


def test_start_threads_runs_each_name_in_its_own_thread():
    r, caller, starts = run("start_threads")
    assert sorted(e["arg"] for e in starts) == sorted(NAMES), (
        f"task should run once for each of {NAMES}; it ran for {[e['arg'] for e in starts]}")
    assert all(e["pid"] == caller["pid"] for e in starts), "threads run in the same process"
    assert all(e["tid"] != caller["tid"] for e in starts), (
        "task ran in the calling thread: pass the function, Thread(target=task, args=(name,)), "
        "and start() it")
    assert all(e["thread"] == e["arg"] for e in starts), (
        f"each thread should be named after its name: {[(e['arg'], e['thread']) for e in starts]}")


def test_named_thread_runs_the_task():
    r, caller, starts = run("named_threads")
    assert [m["name"] for m in r.value["made"]] == NAMES, "NamedThread(name, task).name should be name"
    assert sorted(e["arg"] for e in starts) == sorted(NAMES), (
        f"NamedThread(name, task).start() should call task(name); task ran for "
        f"{[e['arg'] for e in starts]}")
    assert all(e["tid"] != caller["tid"] and e["pid"] == caller["pid"] for e in starts), (
        "task should run in the new thread, in the same process")
