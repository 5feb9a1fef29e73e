"""Every exercise has at least two alternative correct solutions, written independently of the
reference, and each must get full marks (issue 16).

The alternatives are ordinary fixtures, `tests/fixtures/<id>/alt_*.py`, listed in
`tests/expectations/<id>.yaml` with `fails: []`: tests/test_exercises.py grades them through
the real grader like every other fixture. This file checks (cheaply, without grading) that
they are there, that they are expected to score full, and that they really are other programs
than the reference, not a copy of it.
"""
from __future__ import annotations

import ast
import difflib

import pytest

from .conftest import ROOT
from .test_exercises import COURSE, EXPECT, IDS

# An alternative this close to the reference solution (difflib ratio over the code the student
# writes: docstrings, comments and the stub's given code left out) is a copy, not an alternative.
COPY_RATIO = 0.9


def _alternatives(ex_id: str) -> list[str]:
    return sorted(p.stem for p in (ROOT / "tests/fixtures" / ex_id).glob("alt_*.py"))


def _statements(text: str) -> list[str]:
    """The module's top-level statements as code, without docstrings or comments."""
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return [ast.unparse(s) for s in tree.body
            if not (isinstance(s, ast.If) and "__main__" in ast.unparse(s.test))]


def written(text: str, stub: str) -> str:
    """What a student writes: the module's code minus the statements the stub already gives."""
    given = set(_statements(stub))
    return "\n".join(s for s in _statements(text) if s not in given)


@pytest.mark.parametrize("ex_id", IDS)
def test_two_alternatives_expected_to_score_full(ex_id: str) -> None:
    alts = _alternatives(ex_id)
    assert len(alts) >= 2, (f"{ex_id}: {len(alts)} alternative solution(s) in "
                            f"tests/fixtures/{ex_id}/alt_*.py; at least 2 are needed")
    fixtures = EXPECT[ex_id].get("fixtures") or {}
    for name in alts:
        assert name in fixtures, f"{ex_id}/{name}.py has no entry in tests/expectations/{ex_id}.yaml"
        assert fixtures[name].get("fails") == [], (
            f"{ex_id}/{name} is a correct alternative: it must be expected to fail nothing "
            f"(`{name}: {{fails: []}}`), not {fixtures[name].get('fails')}")


@pytest.mark.parametrize("ex_id", IDS)
def test_alternatives_are_not_copies_of_the_reference(ex_id: str) -> None:
    ex_file = COURSE.exercise(ex_id).files[0]
    stub = (ROOT / "exercises" / ex_file).read_text(encoding="utf-8")
    reference = written((ROOT / "solutions" / ex_file).read_text(encoding="utf-8"), stub)
    texts = {}
    for name in _alternatives(ex_id):
        text = written((ROOT / "tests/fixtures" / ex_id / f"{name}.py").read_text(encoding="utf-8"),
                       stub)
        ratio = difflib.SequenceMatcher(None, reference, text, autojunk=False).ratio()
        assert ratio < COPY_RATIO, f"{ex_id}/{name} is a near-copy of the reference ({ratio:.2f})"
        texts[name] = text
    names = sorted(texts)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            ratio = difflib.SequenceMatcher(None, texts[a], texts[b], autojunk=False).ratio()
            assert ratio < COPY_RATIO, f"{ex_id}: {a} and {b} are near-copies ({ratio:.2f})"
