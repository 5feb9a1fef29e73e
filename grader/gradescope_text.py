"""Student-facing text on Gradescope: short, readable, and never the course's hidden files.

Every `output` of the Gradescope results.json goes through `StudentText.clean`:

* text of the hidden files (grader/checks/*.py, course.yaml) is removed line by line: a line
  that holds WINDOW or more characters of their code (whitespace squashed) is replaced by a
  note. The prose of the checks' own messages (string literals with spaces: what `fail(...)`
  says) and of course.yaml's descriptions is meant for students and stays, and so does text that
  is also in the kit's public files or the student's own upload. The sandbox is what keeps the
  student's code from reading the course at all; this is the second layer for the levels where
  it cannot (a container without user namespaces);
* Python reprs are shortened (`<concurrent.futures._base.Future object at 0x7f…>` becomes
  `<Future>`), and a repr a check cut off in the middle ends with `…` instead of half a word;
* lines longer than LINE_CHARS and outputs longer than OUTPUT_CHARS are cut at a word
  boundary; control characters (terminal escapes) are dropped.
"""
from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

WINDOW = 20                 # characters of hidden code that count as a leak
LINE_CHARS = 300
OUTPUT_CHARS = 2000
REMOVED = "[a line holding text of the course's hidden files was removed]"

_WS = re.compile(r"\s+")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# <pkg.mod.Name object: <pkg.mod.Name object at 0x…>> (the kit's Opaque around a repr)
_NESTED = re.compile(r"<(?:[\w.]+\.)?(\w+) object: <(?:[\w.]+\.)?\w+ object at 0x[0-9a-fA-F]+>>")
_PLAIN = re.compile(r"<(?:[\w.]+\.)?(\w+) object at 0x[0-9a-fA-F]+>")
_OPAQUE = re.compile(r"<(?:[\w.]+\.)?(\w+) object: [^<>]{0,80}>")
# the same, cut before its closing '>' (a check shortened the list's repr to N characters)
_CUT = re.compile(r"<(?:[\w.]+\.)?\w+ object(?::? ?<?(?:[\w.]+\.)?(?:\w+)?(?: object)?)?"
                  r"(?: at 0x[0-9a-fA-F]*)?(?=[^>\w]|$)(?!>)")


def _squash(text: str) -> str:
    return _WS.sub(" ", text)


def _windows(text: str) -> set[str]:
    text = _squash(text)
    return {text[i:i + WINDOW] for i in range(len(text) - WINDOW + 1)}


def _prose_of_python(text: str) -> list[str]:
    """String literals with spaces in them (messages), not docstrings."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return []
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and n.value.count(" ") >= 2 and id(n) not in docstrings]


def _prose_of_yaml(text: str) -> list[str]:
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and value.count(" ") >= 2:
            out.append(value)
    try:
        walk(yaml.safe_load(text))
    except yaml.YAMLError:
        pass
    return out


@dataclass(frozen=True)
class StudentText:
    hidden: frozenset[str]                  # WINDOW-character pieces of hidden code
    renames: tuple[tuple[str, str], ...] = ()   # (path in course.yaml, path the student uploaded)

    @classmethod
    def build(cls, hidden_files: Iterable[Path], public_files: Iterable[Path] = (),
              renames: dict[str, str] | None = None,
              public_text: Iterable[str] = ()) -> "StudentText":
        secret: set[str] = set()
        public: set[str] = set()
        for path in hidden_files:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            secret |= _windows(text)
            prose = _prose_of_yaml(text) if path.suffix in (".yaml", ".yml") else \
                _prose_of_python(text) if path.suffix == ".py" else []
            for s in prose:
                public |= _windows(s)
        for path in public_files:
            try:
                public |= _windows(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
        for s in public_text:          # names the kit itself shows: files, exercise ids
            public |= _windows(s)
        return cls(frozenset(secret - public), tuple(sorted((renames or {}).items())))

    def leaks(self, line: str) -> bool:
        text = _squash(line)
        return any(text[i:i + WINDOW] in self.hidden for i in range(len(text) - WINDOW + 1))

    def clean(self, text: str, trusted: bool = False) -> str:
        """`text` for the student. `trusted`: written by the kit itself from what it knows
        (not from a run of the student's code), so it is only tidied, never masked."""
        text = _CONTROL.sub("", _ANSI.sub("", text.replace("\r\n", "\n")))
        for declared, uploaded in self.renames:
            text = text.replace(declared, uploaded)
        lines: list[str] = []
        for line in text.split("\n"):
            if not trusted and self.leaks(line):
                if not lines or lines[-1] != REMOVED:
                    lines.append(REMOVED)
                continue
            lines.append(line if trusted else shorten(tidy_reprs(line), LINE_CHARS))
        return shorten("\n".join(lines), OUTPUT_CHARS * (4 if trusted else 1))


def tidy_reprs(text: str) -> str:
    text = _NESTED.sub(lambda m: f"<{m.group(1)}>", text)
    text = _PLAIN.sub(lambda m: f"<{m.group(1)}>", text)
    text = _OPAQUE.sub(lambda m: f"<{m.group(1)}>", text)
    def cut(m: re.Match) -> str:
        before = text[:m.start()]
        return "…]" if before.count("[") > before.count("]") else "…"
    text = _CUT.sub(cut, text)
    return text


def shorten(text: str, limit: int) -> str:
    """`text`, cut at a word boundary to at most `limit` characters (with ' …')."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 2]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + " …"
