"""Where, in the student's source, a lost update happens: the read and the write of a
read-modify-write, so that a race check can say "between the read on line 21 (`temp = x`)
and the write on line 23 (`x = temp - 1`)".

The verdict never comes from here: the checks decide from their evidence that updates were
lost; this only points at the lines. The source is parsed, never run (it is the student's
file as intake took it). Within one function, in source order, a *read* is followed by the
next *write*; what counts as each is the exercise's (a global variable, a file, a queue).
Where the function is known from the run (the line that called the checker's `step()`), that
function's window wins; otherwise the first window with a pause (a call) inside it.
"""
from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import source

# (node, the module-level names the function shares: declared `global`, or used without
# being bound in the function) -> bool
Access = Callable[[ast.AST, set[str]], bool]


@dataclass(frozen=True)
class Window:
    function: str
    read_line: int
    read_code: str
    write_line: int
    write_code: str

    def between(self) -> str:
        """'between the read on line 21 (`temp = x`) and the write on line 23 (`x = temp - 1`)'"""
        if self.read_line == self.write_line:
            return (f"inside `{self.read_code}` on line {self.read_line} (in {self.function}), "
                    f"which reads and writes back in separate steps")
        return (f"between the read on line {self.read_line} (`{self.read_code}`) and the "
                f"write on line {self.write_line} (`{self.write_code}`) in {self.function}()")


# --- what counts as a read and a write ------------------------------------------------------

def global_read(node: ast.AST, shared: set[str]) -> bool:
    """A read of a module-level variable: `x`, `x += 1`, `db["count"]`."""
    if isinstance(node, ast.AugAssign):
        return _base(node.target) in shared
    return isinstance(node, ast.Name) and node.id in shared and isinstance(node.ctx, ast.Load)


def global_write(node: ast.AST, shared: set[str]) -> bool:
    """A write of a module-level variable: `x = ...`, `x -= 1`, `db["count"] = ...`."""
    if isinstance(node, (ast.Name, ast.Subscript, ast.Attribute)) and \
            isinstance(node.ctx, (ast.Store, ast.Del)):
        return _base(node) in shared
    return False


def _base(node: ast.AST) -> str:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def calls(*names: str) -> Access:
    """A call to a function or method with one of these names: calls("get") matches q.get()."""
    def match(node: ast.AST, globals_: set[str]) -> bool:
        if not isinstance(node, ast.Call):
            return False
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else \
            func.id if isinstance(func, ast.Name) else ""
        return name in names
    return match


FILE_READ = calls("load", "read", "readline", "readlines", "read_text")
FILE_WRITE = calls("dump", "write", "writelines", "write_text")
QUEUE_TAKE = calls("get", "get_nowait")
QUEUE_PUT = calls("put", "put_nowait")


def step_line(run: object, ev: str = "step") -> int | None:
    """The student's line that called the checker's step(), from the run's first `ev` event."""
    for e in getattr(run, "events", []):
        if e.get("ev") == ev and isinstance(e.get("line"), int):
            return e["line"]
    return None


# --- the search -----------------------------------------------------------------------------

def find(path: Path, read: Access, write: Access, near: int | None = None) -> Window | None:
    """The read-modify-write window in the file at `path`, or None if there is none (or the
    file cannot be read or parsed)."""
    parsed = source.parse(path)
    if parsed is None:
        return None
    tree = parsed.tree
    module_names = {t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
                    for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                    for t in ast.walk(target) if isinstance(t, ast.Name)}
    windows = []
    for func in ast.walk(tree):
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found = _window(func, read, write, parsed, module_names)
            if found is not None:
                windows.append((*found, (func.lineno, func.end_lineno or func.lineno)))
    if near is not None:         # the function that called step(): its window, wherever
        around = [w for w, _, span in windows if span[0] <= near <= span[1]]
        if around:
            return around[0]
    paused = [w for w, pause, _ in windows if pause]
    candidates = paused or [w for w, _, _ in windows]
    return candidates[0] if candidates else None


def _window(func: ast.FunctionDef | ast.AsyncFunctionDef, read: Access, write: Access,
            parsed: source.Parsed, module_names: set[str]) -> tuple[Window, bool] | None:
    nodes = source.own_nodes(func)
    declared = {n for node in nodes if isinstance(node, ast.Global) for n in node.names}
    bound = {n.id for n in nodes if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)}
    globals_ = declared | (module_names - bound)
    where = lambda node: (node.lineno, node.col_offset)  # noqa: E731
    reads = sorted(where(n) for n in nodes if hasattr(n, "lineno") and read(n, globals_))
    writes = sorted(where(n) for n in nodes if hasattr(n, "lineno") and write(n, globals_))
    for r in reads:
        after = [w for w in writes if w[0] >= r[0]]
        if after:
            r_line, w_line = r[0], after[0][0]
            pause = any(isinstance(n, ast.Call) and r_line < n.lineno < w_line for n in nodes)
            return Window(func.name, r_line, parsed.code(r_line), w_line,
                          parsed.code(w_line)), pause
    return None
