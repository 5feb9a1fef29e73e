"""The student bundle: what students get, and nothing else.

`build(course, out)` copies, for every exercise in course.yaml, the stub files it names, its
public tests (`test_*.py`) and its README, plus `exercises/_kit` (the shared instrumentation)
and `exercises/conftest.py`; it writes a `requirements.txt`, a minimal `pyproject.toml` (pytest
settings only) and a short README. Files are chosen by an allow-list: solutions, hidden checks
and anything else in an exercise folder are never copied. A stub that still holds an answer in
a comment (a commented-out line of code that is in the reference solution but not in the stub)
stops the release with the file and line.
"""
from __future__ import annotations

import ast
import io
import shutil
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GraderError
from .manifest import Course

REQUIREMENTS = "pytest>=8\n"
PYPROJECT = """\
# Settings for running the exercises' tests: `pip install -r requirements.txt`, then `pytest`.
[tool.pytest.ini_options]
testpaths = ["exercises"]
addopts = "-ra"
"""


class ReleaseError(GraderError):
    """The bundle cannot be written safely."""


@dataclass
class ReleaseReport:
    files: list[Path] = field(default_factory=list)     # relative to the bundle
    skipped: list[str] = field(default_factory=list)    # files left out, and why


def _code_lines(text: str) -> set[str]:
    return {" ".join(line.split()) for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")}


def answer_in_comments(stub: str, solution: str) -> list[tuple[int, str]]:
    """Comments in `stub` that are a line of code from `solution` the stub itself lacks."""
    wanted = {line for line in _code_lines(solution) - _code_lines(stub) if len(line) >= 6}
    found: list[tuple[int, str]] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(stub).readline))
    except (tokenize.TokenError, SyntaxError):
        return found
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        body = " ".join(tok.string.lstrip("#").split())
        if not body or body not in wanted:
            continue
        if _is_code(body):
            found.append((tok.start[0], body))
    return found


def _is_code(text: str) -> bool:
    for candidate in (text, text + "\n    pass"):     # `for x in y:` needs a body
        try:
            ast.parse(candidate)
            return True
        except SyntaxError:
            continue
    return False


def bundle_files(course: Course) -> tuple[list[str], list[str]]:
    """(files to release, notes on files left out), as paths relative to the course root."""
    root = course.root
    ex_dir = root / "exercises"
    chosen: list[str] = []
    skipped: list[str] = []
    for name in ("conftest.py",):
        if (ex_dir / name).is_file():
            chosen.append(f"exercises/{name}")
    kit = ex_dir / "_kit"
    if not kit.is_dir():
        raise ReleaseError(f"{kit}: missing; the public tests need it")
    for path in sorted(kit.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            chosen.append(path.relative_to(root).as_posix())
    for ex in course.exercises:
        folder = ex_dir / ex.id
        allowed = {f"exercises/{f}" for f in ex.files}
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            rel = path.relative_to(root).as_posix()
            if rel in allowed or (path.parent == folder and (
                    (path.name.startswith("test_") and path.suffix == ".py")
                    or path.name.lower() == "readme.md")):
                chosen.append(rel)
            else:
                skipped.append(f"{rel} (not a stub, public test or README named by course.yaml)")
        for f in ex.files:
            if not (ex_dir / f).is_file():
                raise ReleaseError(f"exercise {ex.id}: stub exercises/{f} does not exist")
    return chosen, skipped


def check_no_answers(course: Course) -> None:
    problems = []
    for ex in course.exercises:
        for f in ex.files:
            stub, solution = course.root / "exercises" / f, course.root / "solutions" / f
            if not solution.is_file():
                continue
            for line, text in answer_in_comments(stub.read_text(encoding="utf-8"),
                                                 solution.read_text(encoding="utf-8")):
                problems.append(f"{stub}:{line}: a comment holds a line of the reference "
                                f"solution ({text!r}); remove it before release")
    if problems:
        raise ReleaseError("\n".join(problems))


def build(course: Course, out: Path) -> ReleaseReport:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReleaseError(f"{out}: already exists and is not empty; choose a new folder "
                           f"(the bundle is never merged into old files)")
    check_no_answers(course)
    files, skipped = bundle_files(course)
    forbidden = [f for f in files if f.startswith(("solutions/", "grader/"))]
    if forbidden:  # the allow-list above cannot produce these; guard against future edits
        raise ReleaseError(f"refusing to release {', '.join(forbidden)}")
    report = ReleaseReport(skipped=skipped)
    tmp = out.with_name(f".{out.name}.partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for rel in files:
        target = tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(course.root / rel, target)
        report.files.append(Path(rel))
    extras = {
        "requirements.txt": REQUIREMENTS,
        "pyproject.toml": PYPROJECT,
        "README.md": _readme(course),
    }
    for name, text in extras.items():
        (tmp / name).write_text(text, encoding="utf-8")
        report.files.append(Path(name))
    if out.exists():
        out.rmdir()
    tmp.rename(out)
    return report


def _readme(course: Course) -> str:
    lines = [f"# {course.title}", "",
             "Each folder in `exercises/` is one exercise: a module with a bug to fix, its "
             "tests and a short lesson (README.md).", "",
             "    python -m venv .venv && .venv/bin/pip install -r requirements.txt",
             "    .venv/bin/pytest                       # every exercise",
             "    .venv/bin/pytest exercises/<exercise>  # one of them", "",
             "The tests fail until you fix the code. Each runs your code in its own process "
             "with a time limit, so a deadlock fails in seconds instead of hanging.", "",
             "| exercise | title | points |", "|---|---|---|"]
    lines += [f"| `{e.id}` | {e.title} | {e.max_points:g} |" for e in course.exercises]
    return "\n".join(lines) + "\n"
