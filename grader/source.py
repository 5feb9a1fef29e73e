"""The student's source, read (never run) to point feedback at lines: parse it safely, quote a
line without its comment, and find the shapes the course warns about. The verdicts never come
from here; the checks decide from evidence and use these only to say *where*."""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import TypeGuard

from _kit.diagnosis import without_comment

MAX_SOURCE = 512 * 1024


@dataclass(frozen=True)
class Parsed:
    tree: ast.Module
    lines: list[str]

    def code(self, lineno: int) -> str:
        """Line `lineno`, stripped, without its comment."""
        return without_comment(self.lines[lineno - 1]) if 0 < lineno <= len(self.lines) else ""


def parse(path: Path) -> Parsed | None:
    """The file's syntax tree, or None if it cannot be read or parsed (including sources
    made to exhaust the parser)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:MAX_SOURCE]
        return Parsed(ast.parse(text), text.splitlines())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def own_nodes(scope: ast.AST) -> list[ast.AST]:
    """The nodes under `scope`, not those of functions or classes defined inside it."""
    found, todo = [], list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        found.append(node)
        todo.extend(ast.iter_child_nodes(node))
    return found


def _method_call(node: ast.AST, name: str) -> TypeGuard[ast.Call]:
    """`something.name(...)` with at most one argument: p.join(), t.join(timeout) -- not
    ", ".join(parts) or os.path.join(a, b)."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == name and len(node.args) <= 1
            and not isinstance(node.func.value, ast.Constant)
            and not (isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "path"))


def join_in_start_loop(path: Path, advice: bool = True) -> str:
    """'`p.join()` on line 23 is inside the loop that starts them (`for d in durations:`, line
    20): ...' where a loop both starts and, later in the same iteration, joins; '' if none."""
    parsed = parse(path)
    if parsed is None:
        return ""
    for loop in ast.walk(parsed.tree):
        if not isinstance(loop, (ast.For, ast.While)):
            continue
        nodes = own_nodes(loop)
        starts = sorted(n.lineno for n in nodes if _method_call(n, "start"))
        joins = sorted(n.lineno for n in nodes if _method_call(n, "join"))
        later = [j for j in joins if starts and j > starts[0]]
        if later:
            return (f"`{parsed.code(later[0])}` on line {later[0]} is inside the loop that "
                    f"starts them (`{parsed.code(loop.lineno)}`, line {loop.lineno}), so each "
                    f"join() waits for its task to end before the next start()."
                    + (" Start them all in one loop, then join them all in a second loop."
                       if advice else ""))
    return ""


def where_joined_in_start_loop(path: Path) -> str:
    """' Here, `p.join()` on line 15 is inside the loop that starts them (...)...', or ''."""
    where = join_in_start_loop(path, advice=False)
    return f" Here, {where}" if where else ""
