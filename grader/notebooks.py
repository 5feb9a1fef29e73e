"""nbgrader: one source notebook per exercise, autograded by the kit's own checks.

`write_notebooks(course, out)` makes `out` an nbgrader course folder: `nbgrader_config.py`
and `source/<exercise id>/<exercise id>.ipynb`, ready for `nbgrader generate_assignment`.
Each notebook has

* the lesson (the exercise's README) in a markdown cell;
* one solution cell holding the student's module as `%%writefile <module>.py`; in the source
  notebook it is the reference solution, with every part that differs from the stub between
  `### BEGIN SOLUTION` / `### END SOLUTION`, so the released notebook shows the stub with those
  parts replaced by nbgrader's "YOUR CODE HERE" stub;
* a read-only cell that grades the module once with the kit (`grade_here`: the hidden checks,
  each run of student code in the sandbox, as `grader grade` does);
* one locked, autograded test cell per check, named by the check id and worth the manifest's
  points, that fails with the check's message -- only when grader/visibility.py lets the
  student see it now (nbgrader's feedback shows the cell's output); else with the check's
  description and when its details will be shown.

nbgrader runs a student's cells in the same kernel as the test cells, so a student could
tamper with them; the authoritative grade is `grader grade` on the submitted module (the
notebook's `%%writefile` cell writes it beside the notebook).
"""
from __future__ import annotations

import ast
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from . import visibility
from .manifest import Course, Exercise
from .results import CheckResult, SubmissionResult

NBGRADER_SCHEMA = 3


def _meta(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
          points: float = 0.0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": NBGRADER_SCHEMA, "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _cell(kind: str, source: str, metadata: dict | None = None, cell_id: str = "") -> dict:
    meta = metadata or {}
    cell_id = cell_id or meta.get("nbgrader", {}).get("grade_id", "cell")
    cell = {"cell_type": kind, "id": cell_id.replace("_", "-"), "metadata": meta,
            "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def solution_regions(stub: str, solution: str) -> str:
    """The solution, with the body of every top-level function (or class) that differs from
    the stub's between nbgrader's solution delimiters, so the released notebook keeps each
    signature and docstring and asks for the body. The module docstring is the stub's."""
    sol_tree, stub_tree = ast.parse(solution), ast.parse(stub)
    lines = solution.splitlines()
    stub_lines = stub.splitlines()
    stub_defs = {n.name: ast.get_source_segment(stub, n) for n in stub_tree.body
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    regions: list[tuple[int, int, int]] = []        # (first line, last line, indent), 1-based
    for node in sol_tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if stub_defs.get(node.name) == ast.get_source_segment(solution, node):
            continue
        body = node.body
        head = body[0]
        if len(body) > 1 and isinstance(head, ast.Expr) and isinstance(
                head.value, ast.Constant) and isinstance(head.value.value, str):
            body = body[1:]
        regions.append((body[0].lineno, node.end_lineno or body[-1].lineno, body[0].col_offset))
    out: list[str] = []
    start = 0
    doc = _docstring_span(sol_tree)
    stub_doc = _docstring_span(stub_tree)
    if doc and stub_doc:
        out += stub_lines[stub_doc[0] - 1:stub_doc[1]]
        start = doc[1]
    for first, last, indent in regions:
        out += lines[start:first - 1]
        pad = " " * indent
        out += [f"{pad}### BEGIN SOLUTION", *lines[first - 1:last], f"{pad}### END SOLUTION"]
        start = last
    out += lines[start:]
    return "\n".join(out) + "\n"


def _docstring_span(tree: ast.Module) -> tuple[int, int] | None:
    first = tree.body[0] if tree.body else None
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return first.lineno, first.end_lineno or first.lineno
    return None


def notebook(course: Course, ex: Exercise, course_file: Path) -> dict:
    root = course.root
    readme = root / "exercises" / ex.id / "README.md"
    lesson = readme.read_text(encoding="utf-8") if readme.is_file() else f"# {ex.title}\n"
    module_file = ex.files[0]
    stub = (root / "exercises" / module_file).read_text(encoding="utf-8")
    solution = (root / "solutions" / module_file).read_text(encoding="utf-8")
    name = Path(module_file).name
    cells = [
        _cell("markdown", f"{lesson.rstrip()}\n\n*Edit the module in the next cell, then run the "
                          f"cells below it to see your score ({ex.max_points:g} points).*",
              cell_id="lesson"),
        _cell("code", f"%%writefile {name}\n{solution_regions(stub, solution)}",
              _meta(f"{ex.id}_module", solution=True)),
        _cell("code", f"from grader.notebooks import grade_here\n"
                      f"kit_result = grade_here({ex.id!r}, course={str(course_file)!r})\n"
                      f"print(kit_result.summary())",
              _meta(f"{ex.id}_grade_here", locked=True)),
    ]
    for check in ex.checks:
        cells.append(_cell("code", f"# {check.description} ({check.points:g} points)\n"
                                   f"kit_result.require({check.id!r})",
                           _meta(check.id, grade=True, locked=True, points=check.points)))
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"},
                         "language_info": {"name": "python"}}}


CONFIG = """\
# nbgrader configuration written by `grader notebooks`.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = {root!r}
# Each notebook grades its module with the kit's hidden checks, once, in one cell.
c.Execute.timeout = 900
"""


def write_notebooks(course: Course, out: Path, exercises: list[str] | None = None) -> list[Path]:
    course_file = course.root / "course.yaml"
    written = []
    chosen = [e for e in course.exercises if exercises is None or e.id in exercises]
    for ex in chosen:
        path = out / "source" / ex.id / f"{ex.id}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(notebook(course, ex, course_file), indent=1,
                                   ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    config = out / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG.format(course_id=course.id, root=str(out.resolve())),
                          encoding="utf-8")
    return written


# ------------------------------------------------------------------ inside the notebook

@dataclass(frozen=True)
class NotebookResult:
    result: SubmissionResult
    course: Course                  # its due date and publication decide what a cell may say

    def summary(self) -> str:
        return f"{self.result.score:g} / {self.result.max_score:g} points"

    def check(self, check_id: str) -> CheckResult:
        for c in self.result.checks:
            if c.check == check_id:
                return c
        raise KeyError(f"no check {check_id!r} was graded")

    def require(self, check_id: str) -> None:
        c = self.check(check_id)
        if c.status not in ("error", "failed"):
            return
        if not visibility.shown(c, self.course):
            raise AssertionError(f"{c.description}: failed; the details are shown after "
                                 f"{visibility.UNTIL.get(c.visibility, 'later')}")
        if c.status == "error":
            raise RuntimeError(f"the grader could not grade {check_id!r}: {c.message}")
        raise AssertionError(c.message or c.description)


def grade_here(exercise_id: str, course: str | None = None) -> NotebookResult:
    """Grade the module the notebook wrote into the current folder with the kit's checks."""
    from . import intake, manifest, pipeline
    from .sandbox import Sandbox
    loaded = manifest.load(os.environ.get("KIT_COURSE") or course or "course.yaml")
    ex = loaded.exercise(exercise_id)
    with tempfile.TemporaryDirectory(prefix="kit-nb-") as tmp:
        sub = Path(tmp) / "submission" / ex.files[0]
        sub.parent.mkdir(parents=True)
        module = Path.cwd() / Path(ex.files[0]).name
        if module.is_file():
            sub.write_bytes(module.read_bytes())
        ws = intake.take_in("notebook", sub.parents[len(Path(ex.files[0]).parts) - 1], loaded,
                            Path(tmp) / "ws")
        result = pipeline.grade_submission(pipeline.GradeRequest(
            loaded, ws, Sandbox(loaded.limits, loaded.root), exercises=(exercise_id,)))
    return NotebookResult(result, loaded)
