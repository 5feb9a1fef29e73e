"""No lesson gives the exercise away (issue 16): a README teaches the idea on another example,
so none of its code blocks may be a near-copy of the reference solution's code, nor hold most
of the lines that fix the stub.

Two measures, over normalised lines (comments, blank lines and whitespace removed, one kind of
quote): a window of a README block as long as a solution function's body whose difflib ratio to
that body reaches NEAR_COPY; and the share of the solution's *fixing* lines (lines of a
function that the stub's version of it does not have) that a single block contains verbatim.
"""
from __future__ import annotations

import ast
import builtins
import difflib
import keyword
import re
from collections import Counter

import pytest

from grader import manifest

from .conftest import ROOT

COURSE = manifest.load(ROOT / "course.yaml")
IDS = [e.id for e in COURSE.exercises]
NEAR_COPY = 0.8          # ratio of a README window to a solution body
FIXED_SHARE = 0.6        # share of the fixing lines one block may not reach
MIN_LINES = 3            # bodies shorter than this are too small to be "given away"

_BLOCK = re.compile(r"```[a-zA-Z]*\n(.*?)```", re.S)


_KEEP = set(keyword.kwlist) | set(dir(builtins))
_NAME = re.compile(r"(\.?)\b([A-Za-z_][A-Za-z0-9_]*)\b")


def _norm(line: str) -> str:
    """One line without its comment and whitespace, one kind of quote, and the names a writer
    chooses (variables, parameters, functions) all written `v`: attribute and method names,
    classes (Capitalised), keywords and builtins stay, so renaming does not hide a copy."""
    line = re.sub(r"#.*$", "", line) if "#" in line and not re.search(r"['\"].*#.*['\"]", line) else line
    line = _NAME.sub(lambda m: m.group(0) if (m.group(1) or m.group(2) in _KEEP
                                              or m.group(2)[0].isupper()) else "v", line)
    return re.sub(r"\s+", "", line).replace('"', "'")


def _lines(code: str) -> list[str]:
    return [n for n in (_norm(x) for x in code.splitlines()) if n]


def _defs(text: str) -> dict[str, list[str]]:
    """name -> the normalised lines of that top-level function's (or class's) body."""
    out = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:]
            out[node.name] = _lines("\n".join(ast.unparse(s) for s in body))
    return out


def _written(ex_id: str) -> dict[str, tuple[list[str], list[str]]]:
    """The solution's functions that differ from the stub's: name -> (body, fixing lines)."""
    rel = COURSE.exercise(ex_id).files[0]
    stub = _defs((ROOT / "exercises" / rel).read_text(encoding="utf-8"))
    out = {}
    for name, body in _defs((ROOT / "solutions" / rel).read_text(encoding="utf-8")).items():
        given = stub.get(name, [])
        if body == given:
            continue
        fixing = list((Counter(body) - Counter(given)).elements())
        out[name] = (body, fixing)
    return out


def _blocks(text: str) -> list[list[str]]:
    return [b for b in (_lines(m) for m in _BLOCK.findall(text)) if b]


def near_copies(ex_id: str, readme: str | None = None) -> list[str]:
    """What in the README (or in the text `readme`) gives the solution away."""
    if readme is None:
        readme = (ROOT / "exercises" / ex_id / "README.md").read_text(encoding="utf-8")
    found = []
    for name, (body, fixing) in _written(ex_id).items():
        for k, block in enumerate(_blocks(readme), 1):
            if len(body) >= MIN_LINES:
                n = len(body)
                windows = [block[i:i + n] for i in range(max(1, len(block) - n + 1))]
                best = max(difflib.SequenceMatcher(None, "\n".join(body), "\n".join(w),
                                                   autojunk=False).ratio() for w in windows)
                if best >= NEAR_COPY:
                    found.append(f"code block {k} is a near-copy of the solution's {name}() "
                                 f"(ratio {best:.2f})")
                    continue
            have = Counter(block)
            hits = sum(1 for line in fixing if have[line] > 0)
            if len(fixing) >= 2 and hits / len(fixing) >= FIXED_SHARE:
                found.append(f"code block {k} holds {hits} of the {len(fixing)} lines that fix "
                             f"{name}() in the solution")
    return found


@pytest.mark.parametrize("ex_id", IDS)
def test_readme_does_not_give_the_solution_away(ex_id: str) -> None:
    found = near_copies(ex_id)
    assert not found, (f"exercises/{ex_id}/README.md: " + "; ".join(found)
                       + ". Teach the idea on another example (other names, another task).")


# The p05 lesson as it was before issue 16: it showed the exercise's fixed code.
OLD_P05 = """The fix is to separate the two steps:

```python
processes = [Process(target=task, args=(d,)) for d in durations]
for p in processes:
    p.start()       # all three are running now
for p in processes:
    p.join()        # the waits overlap: the total is the longest task, about 3 s
```
"""
# Renamed but the same code, amid other lines, is still a copy.
RENAMED_P05 = """```
import time
procs = [Process(target=job, args=(s,)) for s in secs]
for q in procs:
    q.start()
for q in procs:
    q.join()
print("done")
```"""


@pytest.mark.parametrize("text,says", [
    (OLD_P05, "near-copy of the solution's run_and_wait()"),
    (RENAMED_P05, "near-copy of the solution's run_and_wait()"),
])
def test_the_measure_catches_a_copy(text: str, says: str) -> None:
    found = near_copies("p05_join", text)
    assert found and says in found[0], found


def test_the_fixing_lines_are_caught_in_a_short_block() -> None:
    """p12's fix, its put without blocking and the except, is caught even where the block is
    too different in length for the ratio."""
    text = "```python\ntry:\n    q.put(os.getpid(), block=False)\nexcept queue.Full:\n    pass\n```"
    found = near_copies("p12_ten_buyers", text)
    assert found, found
