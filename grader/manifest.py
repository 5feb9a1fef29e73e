"""course.yaml → Course: strict validation into frozen, typed objects.

Every problem is reported at once, each naming the file, the key path and the line, what was
found and what was expected; an unknown key gets "did you mean …?".
"""
from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import yaml

from .errors import ManifestError

Kind = Literal["timing", "ordering", "state", "isolation", "api"]
Visibility = Literal["hidden", "after_due_date", "after_published", "visible"]
KINDS: tuple[str, ...] = ("timing", "ordering", "state", "isolation", "api")
VISIBILITIES: tuple[str, ...] = ("hidden", "after_due_date", "after_published", "visible")
TOPICS: tuple[str, ...] = ("processes", "threads", "asyncio", "concepts")
CHECKS_DIR = Path(__file__).resolve().parent / "checks"
# policies.time_budget: below Gradescope's default timeout (10 min), at most its maximum (40 min)
DEFAULT_TIME_BUDGET = 480.0
TIME_BUDGET_RANGE = (60.0, 2400.0)


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024             # per process (RLIMIT_DATA)
    run_memory_mb: int = 4096         # all the processes of one run together (memory cgroup)
    processes: int = 256
    cpu_seconds: int = 60
    output_kb: int = 8192
    file_mb: int = 64
    open_files: int = 256


@dataclass(frozen=True)
class LatePolicy:
    grace_minutes: int = 0
    penalty_per_day: float = 0.0      # fraction of the score lost per started day late
    max_days_late: int | None = None  # later than this scores 0


@dataclass(frozen=True)
class Check:
    id: str
    kind: Kind
    points: float
    description: str
    visibility: Visibility
    timeout: float


@dataclass(frozen=True)
class Exercise:
    id: str
    title: str
    topic: str
    module: str                     # the module the checks import, e.g. "p05_join"
    files: tuple[str, ...]          # paths in a submission, relative to its root
    checks: tuple[Check, ...]
    notes: str = ""

    @property
    def max_points(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def module_dir(self) -> str:
        return self.files[0].rsplit("/", 1)[0] if "/" in self.files[0] else ""

    def check(self, check_id: str) -> Check:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    root: Path
    exercises: tuple[Exercise, ...]
    limits: Limits = field(default_factory=Limits)
    late: LatePolicy = field(default_factory=LatePolicy)
    due: datetime | None = None
    published: bool = False
    term: str = ""
    # seconds for grading one submission on an autograder platform (Gradescope): the whole
    # run, shared among the exercises (policies.time_budget)
    time_budget: float = DEFAULT_TIME_BUDGET

    @property
    def max_points(self) -> float:
        return sum(e.max_points for e in self.exercises)

    def exercise(self, exercise_id: str) -> Exercise:
        for e in self.exercises:
            if e.id == exercise_id:
                return e
        known = ", ".join(e.id for e in self.exercises)
        raise KeyError(f"no exercise {exercise_id!r} in course.yaml (known: {known})")


# ---------------------------------------------------------------------------- reading

class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, where: str, line: int | None, text: str) -> None:
        at = f":{line + 1}" if line is not None else ""
        self.items.append(f"{self.path}{at}: {where}: {text}")


@dataclass
class _Node:
    """A YAML value with the line it starts on."""
    value: Any
    line: int


def _plain(node: yaml.Node) -> _Node:
    if isinstance(node, yaml.MappingNode):
        out: dict[str, _Node] = {}
        for k, v in node.value:
            out[str(k.value)] = _plain(v)
        return _Node(out, node.start_mark.line)
    if isinstance(node, yaml.SequenceNode):
        return _Node([_plain(v) for v in node.value], node.start_mark.line)
    return _Node(yaml.SafeLoader("").construct_object(node, deep=True), node.start_mark.line)


def _peek_id(node: _Node, index: int) -> str:
    """The id of a list item, to name it in messages, or its position if it has none."""
    if isinstance(node.value, dict) and isinstance(getattr(node.value.get("id"), "value", None), str):
        return node.value["id"].value
    return f"#{index}"


def _keys(node: _Node, where: str, allowed: dict[str, bool], problems: _Problems) -> dict[str, _Node]:
    """Check a mapping's keys: `allowed` maps each key to whether it is required."""
    if not isinstance(node.value, dict):
        problems.add(where, node.line, f"expected a mapping, found {type(node.value).__name__}")
        return {}
    for key, child in node.value.items():
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" — did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(allowed)})"
            problems.add(f"{where}.{key}", child.line, f"unknown key {key!r}{hint}")
    for key, required in allowed.items():
        if required and key not in node.value:
            problems.add(where, node.line, f"missing required key {key!r}")
    return node.value


def _get(mapping: dict[str, _Node], key: str, where: str, kind: type | tuple[type, ...],
         problems: _Problems, default: Any = None, choices: tuple[str, ...] = ()) -> Any:
    if key not in mapping:
        return default
    node = mapping[key]
    value = node.value
    if kind in (float, (int, float)) and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    ok = isinstance(value, kind) and not (isinstance(value, bool) and kind is not bool)
    if not ok:
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        problems.add(f"{where}.{key}", node.line, f"expected {expected}, found {value!r}")
        return default
    if choices and value not in choices:
        close = difflib.get_close_matches(str(value), choices, n=1)
        hint = f" — did you mean {close[0]!r}?" if close else ""
        problems.add(f"{where}.{key}", node.line,
                     f"{value!r} is not one of {', '.join(choices)}{hint}")
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        problems.add(f"{where}.{key}", node.line, f"must not be negative, found {value!r}")
        return default
    return value


def load(path: str | Path = "course.yaml") -> Course:
    path = Path(path)
    if path.is_dir():
        path = path / "course.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError([f"{path}: no such file — run from the course folder or pass its path"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError([f"{path}: cannot read it: {exc}"]) from exc
    problems = _Problems(path)
    try:
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise ManifestError([f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc
    if tree is None:
        raise ManifestError([f"{path}: the file is empty; it needs course:, defaults: and exercises:"])
    root = _plain(tree)
    top = _keys(root, "(top)", {"course": True, "defaults": False, "policies": False,
                                "exercises": True}, problems)
    course_map = _keys(top["course"], "course", {"id": True, "title": True, "term": False,
                                                 "due": False, "published": False},
                       problems) if "course" in top else {}
    defaults = _keys(top["defaults"], "defaults", {"timeout": False, "visibility": False,
                                                   "limits": False}, problems) \
        if "defaults" in top else {}
    default_timeout = _get(defaults, "timeout", "defaults", (int, float), problems, 20.0)
    default_vis = _get(defaults, "visibility", "defaults", str, problems, "visible", VISIBILITIES)
    limits = Limits()
    if "limits" in defaults:
        fields = {name: False for name in Limits.__dataclass_fields__}
        lim = _keys(defaults["limits"], "defaults.limits", fields, problems)
        limits = Limits(**{k: int(_get(lim, k, "defaults.limits", int, problems, getattr(limits, k)))
                           for k in fields})
    late = LatePolicy()
    time_budget = DEFAULT_TIME_BUDGET
    if "policies" in top:
        pol = _keys(top["policies"], "policies", {"late": False, "time_budget": False}, problems)
        time_budget = _get(pol, "time_budget", "policies", (int, float), problems,
                           DEFAULT_TIME_BUDGET)
        low, high = TIME_BUDGET_RANGE
        if not low <= time_budget <= high:
            problems.add("policies.time_budget", pol["time_budget"].line,
                         f"seconds for one submission's whole run, between {low:g} and {high:g} "
                         f"(Gradescope stops a run at 40 minutes at most), found {time_budget:g}")
            time_budget = DEFAULT_TIME_BUDGET
        if "late" in pol:
            lp = _keys(pol["late"], "policies.late", {"grace_minutes": False,
                                                      "penalty_per_day": False,
                                                      "max_days_late": False}, problems)
            late = LatePolicy(
                grace_minutes=_get(lp, "grace_minutes", "policies.late", int, problems, 0),
                penalty_per_day=_get(lp, "penalty_per_day", "policies.late", (int, float),
                                     problems, 0.0),
                max_days_late=_get(lp, "max_days_late", "policies.late", int, problems, None))
            if not 0 <= late.penalty_per_day <= 1:
                problems.add("policies.late.penalty_per_day", lp["penalty_per_day"].line,
                             f"a fraction between 0 and 1, found {late.penalty_per_day}")
    due = None
    if "due" in course_map:
        raw = course_map["due"].value
        try:
            due = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
        except ValueError:
            problems.add("course.due", course_map["due"].line,
                         f"expected an ISO date and time like 2026-12-24T23:59:00+00:00, found {raw!r}")

    exercises: list[Exercise] = []
    ex_node = top.get("exercises")
    if ex_node is not None and not isinstance(ex_node.value, list):
        problems.add("exercises", ex_node.line, "expected a list of exercises")
    seen_ids: set[str] = set()
    for i, node in enumerate(ex_node.value if ex_node is not None and isinstance(ex_node.value, list) else []):
        where = f"exercises[{_peek_id(node, i)}]"
        ex = _keys(node, where, {"id": True, "title": True, "topic": True, "notes": False,
                                 "module": False, "files": False, "checks": True}, problems)
        ex_id = _get(ex, "id", where, str, problems, f"#{i}")
        where = f"exercises[{ex_id}]"
        if ex_id in seen_ids:
            problems.add(f"{where}.id", ex["id"].line, f"duplicate exercise id {ex_id!r}")
        seen_ids.add(ex_id)
        module = _get(ex, "module", where, str, problems, ex_id)
        files_node = ex.get("files")
        files: tuple[str, ...] = (f"{ex_id}/{module}.py",)
        if files_node is not None:
            if (not isinstance(files_node.value, list) or not files_node.value
                    or not all(isinstance(f.value, str) for f in files_node.value)):
                problems.add(f"{where}.files", files_node.line, "expected a non-empty list of paths")
            else:
                files = tuple(f.value for f in files_node.value)
                for f in files_node.value:
                    if f.value.startswith("/") or ".." in f.value.split("/"):
                        problems.add(f"{where}.files", f.line,
                                     f"{f.value!r} must be a relative path inside the submission")
        checks: list[Check] = []
        ch_node = ex.get("checks")
        if ch_node is not None and (not isinstance(ch_node.value, list) or not ch_node.value):
            problems.add(f"{where}.checks", ch_node.line, "expected a non-empty list of checks")
        check_ids: set[str] = set()
        for j, cnode in enumerate(ch_node.value if ch_node is not None and isinstance(ch_node.value, list) else []):
            cw = f"{where}.checks[{_peek_id(cnode, j)}]"
            ch = _keys(cnode, cw, {"id": True, "kind": True, "points": True, "description": True,
                                   "visibility": False, "timeout": False}, problems)
            cid = _get(ch, "id", cw, str, problems, f"#{j}")
            cw = f"{where}.checks[{cid}]"
            if not cid.isidentifier():
                problems.add(f"{cw}.id", ch["id"].line if "id" in ch else None,
                             f"{cid!r} must be a Python identifier (the check is test_{cid})")
            if cid in check_ids:
                problems.add(f"{cw}.id", ch["id"].line, f"duplicate check id {cid!r}")
            check_ids.add(cid)
            checks.append(Check(
                id=cid,
                kind=_get(ch, "kind", cw, str, problems, "state", KINDS),
                points=_get(ch, "points", cw, (int, float), problems, 0.0),
                description=_get(ch, "description", cw, str, problems, ""),
                visibility=_get(ch, "visibility", cw, str, problems, default_vis, VISIBILITIES),
                timeout=_get(ch, "timeout", cw, (int, float), problems, default_timeout)))
        exercises.append(Exercise(
            id=ex_id, title=_get(ex, "title", where, str, problems, ex_id),
            topic=_get(ex, "topic", where, str, problems, "processes", TOPICS),
            module=module, files=files, checks=tuple(checks),
            notes=str(_get(ex, "notes", where, (str, int, float), problems, ""))))
    if problems.items:
        raise ManifestError(problems.items)
    return Course(id=_get(course_map, "id", "course", str, problems, ""),
                  title=_get(course_map, "title", "course", str, problems, ""),
                  term=_get(course_map, "term", "course", str, problems, ""),
                  published=_get(course_map, "published", "course", bool, problems, False),
                  root=path.resolve().parent, exercises=tuple(exercises), limits=limits,
                  late=late, due=due, time_budget=float(time_budget))


# ---------------------------------------------------------------------------- cross-checks

def check_files(course: Course) -> list[str]:
    """Everything course.yaml names must exist: stubs, solutions, hidden checks."""
    problems: list[str] = []
    for ex in course.exercises:
        for folder in ("exercises", "solutions"):
            for f in ex.files:
                if not (course.root / folder / f).is_file():
                    problems.append(f"exercise {ex.id}: {folder}/{f} does not exist")
        ex_dir = course.root / "exercises" / (ex.module_dir or ex.id)
        for needed, what in (("README.md", "the lesson"), (f"test_{ex.module}.py", "public tests")):
            if not (ex_dir / needed).is_file():
                problems.append(f"exercise {ex.id}: {ex_dir.relative_to(course.root)}/{needed} "
                                f"({what}) does not exist")
        check_file = CHECKS_DIR / f"{ex.id}.py"
        if not check_file.is_file():
            problems.append(f"exercise {ex.id}: hidden checks {check_file} do not exist")
            continue
        defined = check_functions(check_file)
        for c in ex.checks:
            if c.id not in defined:
                problems.append(f"exercise {ex.id}: check {c.id!r} has no function "
                                f"test_{c.id} in {check_file}")
        for name in sorted(set(defined) - {c.id for c in ex.checks}):
            problems.append(f"exercise {ex.id}: {check_file} defines test_{name}, which "
                            f"course.yaml does not list (add it, or rename it to not start with test_)")
    return problems


def check_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {node.name[5:] for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
