"""grader/source.py and grader/races.py: pointing feedback at the student's lines (a join inside
the loop that starts; the read and the write of a lost update)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from grader import races, source


def _file(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "mod.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_a_read_and_a_later_write_of_a_global(tmp_path):
    path = _file(tmp_path, """\
        x = 0

        def task(step):
            global x
            temp = x      # read
            step()
            x = temp - 1  # write
        """)
    window = races.find(path, races.global_read, races.global_write)
    assert window == races.Window("task", 5, "temp = x", 7, "x = temp - 1")
    assert window.between() == ("between the read on line 5 (`temp = x`) and the write on "
                                "line 7 (`x = temp - 1`) in task()")


def test_an_augmented_assignment_is_a_read_and_a_write_on_one_line(tmp_path):
    path = _file(tmp_path, """\
        counter = 0
        def add():
            global counter
            counter += 1
        """)
    window = races.find(path, races.global_read, races.global_write)
    assert window is not None and window.read_line == window.write_line == 4
    assert "inside `counter += 1` on line 4 (in add)" in window.between()


def test_locals_and_functions_without_a_write_are_not_windows(tmp_path):
    path = _file(tmp_path, """\
        x = 0
        def reader():
            global x
            return x
        def local():
            x = 1
            return x + 1
        """)
    assert races.find(path, races.global_read, races.global_write) is None


def test_the_function_that_called_step_wins_over_an_earlier_window(tmp_path):
    path = _file(tmp_path, """\
        def search(q):
            db = q.get()
            print(db)
            q.put(db)

        def paid(q, step):
            db = q.get()
            q.put(db)
            step()
        """)
    assert races.find(path, races.QUEUE_TAKE, races.QUEUE_PUT).function == "search"
    window = races.find(path, races.QUEUE_TAKE, races.QUEUE_PUT, near=9)
    assert (window.function, window.read_line, window.write_line) == ("paid", 7, 8)


def test_nested_functions_are_their_own_scope(tmp_path):
    path = _file(tmp_path, """\
        def outer(path):
            data = open(path).read()
            def later():
                open(path, "w").write("x")
            return later
        """)
    assert races.find(path, races.FILE_READ, races.FILE_WRITE) is None


def test_unparseable_or_missing_source_gives_no_window(tmp_path):
    assert races.find(_file(tmp_path, "def f(:\n"), races.FILE_READ, races.FILE_WRITE) is None
    assert races.find(tmp_path / "absent.py", races.FILE_READ, races.FILE_WRITE) is None
    deep = "x = " + "(" * 5000 + ")" * 5000 + "\n"
    assert races.find(_file(tmp_path, deep), races.FILE_READ, races.FILE_WRITE) is None


def test_step_line_comes_from_the_first_step_event():
    class Run:
        events = [{"ev": "gate"}, {"ev": "step", "line": 12, "func": "task"},
                  {"ev": "step", "line": 30}]
    assert races.step_line(Run()) == 12
    assert races.step_line(object()) is None


def test_an_item_of_a_module_level_dict(tmp_path):
    path = _file(tmp_path, """\
        tickets = {"count": 3}
        def buy(step):
            left = tickets["count"]
            step()
            tickets["count"] = left - 1
        def count(tickets):
            tickets["count"] = tickets["count"] - 1   # a parameter, not the module's dict
        """)
    window = races.find(path, races.global_read, races.global_write)
    assert (window.function, window.read_line, window.write_line) == ("buy", 3, 5)


def test_a_join_inside_the_loop_that_starts(tmp_path):
    path = _file(tmp_path, """\
        def run(task, durations):
            for d in durations:
                p = Process(target=task, args=(d,))
                p.start()
                p.join()   # waits here
        """)
    text = source.join_in_start_loop(path)
    assert text.startswith("`p.join()` on line 5 is inside the loop that starts them "
                           "(`for d in durations:`, line 2)"), text
    assert "second loop" in text
    assert "second loop" not in source.join_in_start_loop(path, advice=False)
    assert source.where_joined_in_start_loop(path).startswith(" Here, `p.join()` on line 5")


def test_start_all_then_join_all_and_string_joins_are_fine(tmp_path):
    path = _file(tmp_path, """\
        import os
        def run(workers, parts):
            for w in workers:
                w.start()
                print(", ".join(parts), os.path.join("a", "b"))
            for w in workers:
                w.join()
        """)
    assert source.join_in_start_loop(path) == ""
    assert source.where_joined_in_start_loop(path) == ""
