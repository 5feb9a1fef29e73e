"""No import cycles between the grader's modules (nor the kit's), at module level or inside
functions: each stage imports only the stages before it (docs/architecture.md)."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

from .conftest import ROOT

PACKAGES = {"grader": ROOT / "grader", "_kit": ROOT / "exercises" / "_kit"}


def _module_name(package: str, base: Path, path: Path) -> str:
    parts = [package, *path.relative_to(base).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package, base in PACKAGES.items():
        for path in sorted(base.rglob("*.py")):
            found[_module_name(package, base, path)] = path
    return found


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def import_graph() -> dict[str, set[str]]:
    """module -> the project modules it imports anywhere in its body (`from . import x` counts as
    importing `x`; importing a package's submodule does not count as importing the package's
    other submodules)."""
    modules = _modules()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(module, path, node)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_graph_sees_relative_imports_inside_functions():
    graph = import_graph()
    assert "grader.student_id" in graph["grader.cli"]
    assert "grader.errors" in graph["grader.student_id"]
    assert {"grader.pipeline", "grader.intake", "grader.sandbox"} <= graph["grader.gradescope"]
    assert "_kit.procfs" in graph["grader.batch"]


def test_cycles_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_between_project_modules():
    assert cycles(import_graph()) == []


# The stages of docs/architecture.md and what each may import: a module of a stage imports only
# modules of the stages listed for it (its own included). Every module belongs to one stage.
STAGES: dict[str, tuple[str, ...]] = {
    "core": ("grader", "grader.errors", "grader.manifest", "grader.results", "grader.student_id",
             "grader.visibility", "grader.late", "grader.progress"),
    "intake": ("grader.intake", "grader.lms_intake", "grader.submissions", "grader.fingerprint"),
    "trust": ("grader.sandbox", "grader.tamper"),
    "checks": ("grader.harness", "grader.evidence", "grader.source", "grader.races",
               "grader.checks"),
    "grading": ("grader.pipeline", "grader.grading", "grader.worker"),
    "outputs": ("grader.feedback", "grader.gradebook", "grader.report"),
    "batch": ("grader.batch", "grader.cpuload", "grader.shards", "grader.slurm"),
    "exports": ("grader.exporters", "grader.gradescope", "grader.gradescope_text",
                "grader.gradescope_files", "grader.gradescope_limits", "grader.notebooks",
                "grader.release", "grader.roster"),
    "cli": ("grader.cli", "grader.__main__", "grader.lms_commands"),
    "kit": ("_kit",),
}
MAY_IMPORT: dict[str, set[str]] = {
    "kit": {"kit"},                      # the untrusted side: nothing of the grader, ever
    "core": {"core"},
    "intake": {"core", "intake"},
    "trust": {"core", "trust", "kit"},
    "checks": {"core", "intake", "trust", "checks", "kit"},
    "outputs": {"core", "outputs"},
    "grading": {"core", "intake", "trust", "checks", "grading", "outputs"},
    "batch": {"core", "intake", "trust", "outputs", "batch", "kit"},
    "exports": {"core", "intake", "trust", "grading", "outputs", "exports"},
    "cli": set(STAGES),
}


def stage_of(module: str) -> str | None:
    best: tuple[int, str] | None = None
    for stage, prefixes in STAGES.items():
        for prefix in prefixes:
            if module == prefix or (prefix != "grader" and module.startswith(prefix + ".")):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), stage)
    return best[1] if best else None


def test_every_module_belongs_to_a_stage():
    assert [m for m in import_graph() if stage_of(m) is None] == []


def test_each_stage_imports_only_what_docs_architecture_allows():
    wrong = []
    for module, targets in import_graph().items():
        stage = stage_of(module)
        for target in sorted(targets):
            if stage is not None and stage_of(target) not in MAY_IMPORT[stage]:
                wrong.append(f"{module} ({stage}) imports {target} ({stage_of(target)})")
    assert wrong == []


# --- the probe's watchdog thread ----------------------------------------------------------
# An import in a second thread while the main thread imports (the scenario, the student's
# module) can see a half-initialised module: `typing.ClassVar` missing killed the watchdog of
# 9 of 48 t06 stub runs under load, and every deadlock became a 20 s timeout. The watchdog's
# modules are imported by the main thread before it starts; an import left in its functions
# must be a built-in module or sit in a `try` that survives the failure.

def _tolerated(handlers: list[ast.ExceptHandler]) -> bool:
    return any(isinstance(h.type, ast.Name) and h.type.id in ("Exception", "BaseException")
               for h in handlers)


def _risky_imports(tree: ast.AST, guarded: bool = False) -> list[int]:
    found = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom) and not guarded:
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names]
            if not all(n in sys.builtin_module_names for n in names):
                found.append(node.lineno)
        inner = guarded or (isinstance(node, ast.Try) and _tolerated(node.handlers))
        if isinstance(node, ast.Try):       # only the body is guarded, not the handlers
            for part in node.body:
                found += _risky_imports(ast.Module(body=[part], type_ignores=[]), inner)
            for part in [*node.handlers, *node.orelse, *node.finalbody]:
                found += _risky_imports(part, guarded)
        else:
            found += _risky_imports(node, guarded)
    return found


def test_risky_imports_finds_an_unguarded_import():
    tree = ast.parse("def f():\n    import sys\n    from _kit import procfs\n"
                     "    try:\n        import json\n    except Exception:\n        pass\n")
    assert _risky_imports(tree) == [3]


def test_the_probe_watchdog_thread_cannot_die_of_an_import():
    tree = ast.parse((ROOT / "exercises/_kit/sandbox_main.py").read_text())
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    for name in ("watchdog", "lifeline_cut"):
        assert _risky_imports(functions[name]) == [], name
