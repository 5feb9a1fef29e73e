"""Hollow submissions: programs that look like an answer but do nothing, made from the stubs.

A grade must mean the code did the thing (issue 16), so every one of these must score 0 in
every exercise. Each variant is the exercise's stub rewritten with `ast`:

* ``pass``           every function and method body is its docstring (if any) and `pass`;
* ``not_implemented`` every body is `raise NotImplementedError`;
* ``constant``        every function returns a fixed value of the type the real one returns
                      (a plausible answer: e.g. p06's `(False, -15)`, p12's `[1, ..., 10]`),
                      computed without starting anything;
* ``print_only``      a module that only prints what the reference solution prints as a
                      program (captured once into tests/fixtures/_hollow/<id>.out) and
                      defines nothing else.

    python -m tests.hollow --write DIR          # DIR/<variant>/<exercise files>, for a look
    python -m tests.hollow --refresh-output     # re-capture the solutions' printed output
"""
from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUTS = ROOT / "tests" / "fixtures" / "_hollow"
VARIANTS = ("pass", "not_implemented", "constant", "print_only")

# What each graded function returns in the `constant` variant: a value of the right type,
# where one is plausible the very value a correct run would give. Unlisted functions return
# None (what their real versions return).
CONSTANTS: dict[str, dict[str, str]] = {
    "p01_create": {"start_workers": "[]"},
    "p03_pids": {"child_ids": "(4242, 4241)"},
    "p04_isolation": {"child_total": "45"},
    "p06_terminate": {"stop_after": "(False, -15)"},
    "p08_zombies": {"run_and_reap": "[0, 1, 0]"},
    "p10_ticket_file": {"sell_tickets": "[True, True, True, False, False, False, False, False]",
                        "search": "3", "buy": "True"},
    "p11_ticket_queue": {"sell_with_queue": "[True, True, True, False, False, False, False]",
                         "search": "3", "paid": "True"},
    "p12_ten_buyers": {"flash_sale": "list(range(1, 11))"},
    "t02_shared": {"collect_with_processes": "[]", "collect_with_threads": "[0, 1, 4, 9, 16]",
                   "square": "0"},
    "t03_thread_api": {"describe": "[('MainThread', True)]", "count_running": "1",
                       "current_name": "'MainThread'"},
    "t04_daemon_threads": {"run_program": "['123', '456', 'main-------', 'end123', 'end456']"},
    "t05_thread_lock": {"decrement": "0"},
    "t06_deadlock": {"run_workers": "[]"},
    "t08_gil": {"run_cpu_bound": "[]", "run_io_bound": "[]", "count": "0", "nap": "0"},
    "t09_socket_server": {"start_server": "(('127.0.0.1', 0), lambda: None)"},
    "t10_pools": {"map_with_pool": "[]", "task": "0"},
    "t11_callbacks": {"crawl_and_analyze": "{}", "get": "''", "parse": "0"},
}


def _course_files() -> dict[str, str]:
    """exercise id -> the module file a submission provides (relative to its root)."""
    from grader import manifest
    course = manifest.load(ROOT / "course.yaml")
    return {ex.id: ex.files[0] for ex in course.exercises}


def _body(node: ast.FunctionDef | ast.AsyncFunctionDef, tail: list[ast.stmt]) -> list[ast.stmt]:
    doc = node.body[0] if (node.body and isinstance(node.body[0], ast.Expr)
                           and isinstance(node.body[0].value, ast.Constant)
                           and isinstance(node.body[0].value.value, str)) else None
    return ([doc] if doc is not None else []) + tail


class _Hollow(ast.NodeTransformer):
    def __init__(self, variant: str, constants: dict[str, str]) -> None:
        self.variant, self.constants = variant, constants

    def visit_FunctionDef(self, node):
        if self.variant == "pass":
            tail: list[ast.stmt] = [ast.Pass()]
        elif self.variant == "not_implemented":
            tail = [ast.Raise(exc=ast.Name("NotImplementedError", ast.Load()), cause=None)]
        else:
            value = self.constants.get(node.name, "None")
            tail = [ast.Return(value=ast.parse(value, mode="eval").body)]
        node.body = _body(node, tail)
        return node                       # nested functions go with the body they were in

    visit_AsyncFunctionDef = visit_FunctionDef


def hollow_source(ex_id: str, stub: str, variant: str) -> str:
    """The stub's text made hollow in the way `variant` names."""
    if variant == "print_only":
        text = (OUTPUTS / f"{ex_id}.out").read_text(encoding="utf-8")
        return (f'"""{ex_id}: prints what the solution prints, and nothing more."""\n'
                f"print({text!r}, end='')\n")
    if variant not in VARIANTS:
        raise ValueError(f"unknown hollow variant {variant!r}; choose one of {VARIANTS}")
    tree = _Hollow(variant, CONSTANTS.get(ex_id, {})).visit(ast.parse(stub))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def write_submission(dest: Path, variant: str, exercises: list[str] | None = None) -> Path:
    """A submission folder (laid out like exercises/) holding the hollow variant of every
    exercise's stub, or of the named ones."""
    for ex_id, rel in _course_files().items():
        if exercises is not None and ex_id not in exercises:
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        stub = (ROOT / "exercises" / rel).read_text(encoding="utf-8")
        target.write_text(hollow_source(ex_id, stub, variant), encoding="utf-8")
    return dest


def refresh_outputs(timeout: float = 60) -> None:
    """Run each reference solution as a program once and keep what it printed."""
    OUTPUTS.mkdir(parents=True, exist_ok=True)
    for ex_id, rel in _course_files().items():
        path = ROOT / "solutions" / rel
        try:
            done = subprocess.run([sys.executable, path.name], cwd=path.parent, timeout=timeout,
                                  capture_output=True, text=True, stdin=subprocess.DEVNULL)
            out = done.stdout
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        (OUTPUTS / f"{ex_id}.out").write_text(out, encoding="utf-8")
        print(f"{ex_id}: {len(out.splitlines())} lines")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.hollow")
    parser.add_argument("--write", metavar="DIR", help="write every variant under DIR")
    parser.add_argument("--refresh-output", action="store_true",
                        help="re-capture the solutions' printed output")
    args = parser.parse_args(argv)
    if args.refresh_output:
        refresh_outputs()
    if args.write:
        for variant in VARIANTS:
            write_submission(Path(args.write) / variant, variant)
    return 0


if __name__ == "__main__":
    sys.exit(main())
