"""The fast lane's rule (tests/lanes.py): listed tests and repeated isolation levels are slow."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .lanes import SLOW, mark_slow


@dataclass
class _Spec:
    id: str


@dataclass
class _Item:
    path: Path
    originalname: str
    callspec: _Spec | None = None
    marks: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.originalname + (f"[{self.callspec.id}]" if self.callspec else "")

    def add_marker(self, mark: pytest.MarkDecorator) -> None:
        self.marks.append(mark.name)


def _item(test: str, param: str | None = None) -> _Item:
    file, function = test.split("::")
    return _Item(Path("tests") / file, function, _Spec(param) if param else None)


def test_listed_tests_and_every_level_after_the_first_are_slow():
    items = [
        _item("test_hostile.py::test_hostile", "sleep_forever-namespaces"),
        _item("test_hostile.py::test_hostile", "sleep_forever-userns"),
        _item("test_hostile.py::test_hostile", "sleep_forever-session"),
        _item("test_hostile.py::test_hostile", "config_files-best"),
        _item("test_diagnosis.py::test_x", "namespaces-fork"),
        _item("test_diagnosis.py::test_x", "namespaces-spawn"),
        _item("test_diagnosis.py::test_x", "uid-fork"),
        _item("test_cli.py::test_plain"),
        _item(next(iter(SLOW))),
    ]
    mark_slow(items)
    assert [(i.path.name, i.name) for i in items if "slow" in i.marks] == [
        ("test_hostile.py", "test_hostile[sleep_forever-userns]"),
        ("test_hostile.py", "test_hostile[sleep_forever-session]"),
        ("test_diagnosis.py", "test_x[uid-fork]"),
        (Path(next(iter(SLOW)).split("::")[0]).name, next(iter(SLOW)).split("::")[1]),
    ]


def test_every_listed_slow_test_exists():
    """A renamed test must not silently fall into the fast lane's list of the slow."""
    root = Path(__file__).parent
    missing = [key for key in SLOW
               if f"def {key.split('::')[1].split('[')[0]}(" not in (root / key.split("::")[0]).read_text()]
    assert missing == []


def test_a_single_parametrization_can_be_listed():
    key = "test_hostile.py::test_hostile[import_loop-best]"
    assert key in SLOW
    items = [_item("test_hostile.py::test_hostile", "import_loop-best"),
             _item("test_hostile.py::test_hostile", "config_files-best")]
    mark_slow(items)
    assert [i.marks for i in items] == [["slow"], []]
