"""Hollow submissions score 0 in every exercise (issue 16).

Four hollow students (tests/hollow.py: every body `pass`; every body `raise
NotImplementedError`; every function returning a plausible constant; a module that only prints
the solution's output) are graded once, together, through the real batch path (`grader grade`'s
plan → worker processes → results.json), and every exercise of every one must score 0: a check
passes only on positive evidence that the behaviour it judges happened.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import batch, manifest, results
from grader.sandbox import Sandbox

from . import hollow
from .conftest import ROOT

COURSE = manifest.load(ROOT / "course.yaml")
IDS = [e.id for e in COURSE.exercises]

# The first test also grades the batch (the module-scoped fixture): minutes on 2 loaded cores.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, results.SubmissionResult]:
    """variant -> its graded result (all exercises), from one batch of the four students."""
    tmp = tmp_path_factory.mktemp("hollow")
    subs = [(v, hollow.write_submission(tmp / "in" / v, v)) for v in hollow.VARIANTS]
    out, staging = tmp / "out", tmp / "staging"
    todo, _ = batch.plan(COURSE, subs, out, staging)
    calibration = batch.calibrate(Sandbox(COURSE.limits, COURSE.root))
    outcomes = batch.run(COURSE, todo, out, staging, jobs=2, calibration=calibration)
    failed = {o.job.student: o.error for o in outcomes if o.result is None}
    assert not failed, f"the batch could not grade: {failed}"
    return {o.job.student: o.result for o in outcomes}


@pytest.mark.parametrize("ex_id", IDS)
@pytest.mark.parametrize("variant", hollow.VARIANTS)
def test_hollow_scores_zero(graded, variant: str, ex_id: str) -> None:
    checks = [c for c in graded[variant].checks if c.exercise == ex_id]
    assert checks, f"{ex_id} was not graded for {variant}"
    errors = [f"{c.check}: {c.message}" for c in checks if c.status == "error"]
    assert not errors, "grader errors:\n" + "\n".join(errors)
    scored = [f"{c.check}: {c.score:g} points" for c in checks if c.score > 0]
    assert not scored, (f"the {variant!r} hollow {ex_id} scored, though it does nothing:\n"
                        + "\n".join(scored))


@pytest.mark.parametrize("variant", hollow.VARIANTS[:3])
def test_hollow_variants_keep_the_stubs_interface(variant: str) -> None:
    """Cheap: a hollow module still defines what the stub defines (so the checks call real,
    hollow functions, not missing ones), and its bodies really are hollow."""
    import ast
    for ex in COURSE.exercises:
        stub = (ROOT / "exercises" / ex.files[0]).read_text(encoding="utf-8")
        text = hollow.hollow_source(ex.id, stub, variant)
        assert _defined(text) == _defined(stub), ex.id
        for fn in (n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef)):
            body = [s for s in fn.body if not (isinstance(s, ast.Expr)
                                               and isinstance(s.value, ast.Constant))]
            assert len(body) == 1 and isinstance(body[0], (ast.Pass, ast.Raise, ast.Return)), (
                f"{ex.id}.{fn.name} is not hollow: {ast.unparse(fn)}")


def _defined(text: str) -> set[str]:
    """Top-level functions and classes, and the classes' methods."""
    import ast
    out = set()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            out.add(node.name)
        if isinstance(node, ast.ClassDef):
            out |= {f"{node.name}.{m.name}" for m in node.body if isinstance(m, ast.FunctionDef)}
    return out


def test_print_only_prints_the_solutions_output() -> None:
    for ex in COURSE.exercises:
        text = hollow.hollow_source(ex.id, "", "print_only")
        assert "def " not in text and "print(" in text, ex.id
        assert Path(hollow.OUTPUTS / f"{ex.id}.out").stat().st_size > 0, ex.id
