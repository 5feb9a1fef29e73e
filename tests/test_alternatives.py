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
import yaml

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


# --- the course notes' own programs (issue 16, item 6) -----------------------------------------

NOTES = ROOT / "tests/fixtures/_notes"
MAIN = "if __name__ == '__main__':"


def _notes_programs() -> list[dict]:
    return yaml.safe_load((NOTES / "programs.yaml").read_text(encoding="utf-8"))["programs"]


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def test_every_program_of_the_notes_is_listed() -> None:
    """Each `if __name__ == '__main__':` block of the notes is one listed program (once), and
    every program listed by a quote is really in the notes."""
    notes = (NOTES / "course-notes.txt").read_text(encoding="utf-8")
    mains = [p["main"] for p in _notes_programs() if "main" in p]
    assert sorted(mains) == list(range(1, notes.count(MAIN) + 1)), (
        f"tests/fixtures/_notes/programs.yaml lists main blocks {sorted(mains)}; the notes "
        f"have {notes.count(MAIN)}")
    flat = _squeeze(notes)
    for p in _notes_programs():
        if "quote" in p:
            assert _squeeze(p["quote"]) in flat, f"not in the notes: {p['quote']!r}"
        if "same_as" in p:
            assert p["same_as"] in mains, p
        elif p.get("exercise") is None:
            assert p.get("why"), f"a program no exercise grades needs a `why`: {p}"
        else:
            assert p["exercise"] in IDS and p.get("fixtures"), p


@pytest.mark.parametrize("program", [p for p in _notes_programs() if p.get("fixtures")],
                         ids=lambda p: f"{p['exercise']}-{p.get('main', p['section'])}")
def test_the_notes_programs_are_fixtures_expected_to_lose_exactly_their_bug(program) -> None:
    """Each listed program, adapted to its exercise, is a fixture (or the stub / the reference)
    whose expectation is what the list says: full marks for a correct one, exactly the checks
    of its bug for a buggy one. tests/test_exercises.py grades them against it."""
    ex_id = program["exercise"]
    for name, fails in program["fixtures"].items():
        if name == "solution":
            assert fails == [], f"{ex_id}: the reference fails nothing"
            continue
        expect = EXPECT[ex_id]["stub"] if name == "stub" else (
            (EXPECT[ex_id].get("fixtures") or {}).get(name))
        assert expect is not None, f"{ex_id}/{name} has no entry in tests/expectations/{ex_id}.yaml"
        if name != "stub":
            assert (ROOT / "tests/fixtures" / ex_id / f"{name}.py").is_file(), f"{ex_id}/{name}.py"
        assert sorted(expect["fails"]) == sorted(fails), (
            f"{ex_id}/{name} ({program['program']}) is expected to fail {expect['fails']}; "
            f"the notes' program should lose exactly {fails}")
