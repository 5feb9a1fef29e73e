"""The shard contract: which students a part grades, what a part records, what merge checks.

A class is graded in N parts, K = 1..N, each by
`grader grade SUBMISSIONS --out PART_DIR --shard K/N [--plan PLAN]`, on any machines:

* without `--plan` a student belongs to part (sha256(id) mod N) + 1: nothing to share;
* with `--plan` (plan.json, written by `grader slurm` or `balance`) the parts are of about
  equal estimated cost, so one slow part does not hold the class.

Before grading, every part writes PART_DIR/part.json: K/N, the split (hash or the plan's
digest), the fingerprint of the course (grader, course.yaml, hidden checks, exercises), and
each of its students with the fingerprint their result must carry. `merge` joins parts only
when they are all N parts of one split, graded with the course.yaml given, and every listed
student has a result with that fingerprint; otherwise it names the parts and the students and
writes nothing.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import __version__, gradebook, results
from .errors import GraderError
from .fingerprint import course_fingerprint
from .manifest import Course

PART_FILE = "part.json"
PLAN_SCHEMA = 1


# ------------------------------------------------------------------------------- plans
@dataclass(frozen=True)
class Plan:
    """Students of parts 1..N (each part sorted), and the cost estimate that balanced them."""
    parts: tuple[tuple[str, ...], ...]
    costs: Mapping[str, float]

    @property
    def n(self) -> int:
        return len(self.parts)

    @property
    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.parts).encode()).hexdigest()[:12]

    def part_of(self, student: str) -> int:
        for k, members in enumerate(self.parts, 1):
            if student in members:
                return k
        raise KeyError(student)

    def to_dict(self) -> dict:
        return {"schema": PLAN_SCHEMA, "digest": self.digest,
                "parts": [{"part": k, "estimated_seconds": round(sum(self.costs.get(s, 0.0)
                                                                      for s in members), 1),
                           "students": list(members)}
                          for k, members in enumerate(self.parts, 1)],
                "costs": {s: round(c, 2) for s, c in sorted(self.costs.items())}}

    @classmethod
    def from_dict(cls, d: dict) -> Plan:
        return cls(tuple(tuple(p["students"]) for p in d["parts"]),
                   {s: float(c) for s, c in d.get("costs", {}).items()})


def balance(costs: Mapping[str, float], n: int) -> Plan:
    """Split the students into `n` parts of about equal total cost: the costliest first, each
    into the part with the least cost so far (ties: fewer students, then the lower part).
    Deterministic: the same costs give the same plan on every machine."""
    if not costs:
        raise GraderError("no submissions to split into parts")
    n = max(1, min(n, len(costs)))
    loads = [0.0] * n
    parts: list[list[str]] = [[] for _ in range(n)]
    for student in sorted(costs, key=lambda s: (-costs[s], s)):
        i = min(range(n), key=lambda i: (loads[i], len(parts[i]), i))
        parts[i].append(student)
        loads[i] += costs[student]
    return Plan(tuple(tuple(sorted(p)) for p in parts), dict(costs))


def save_plan(plan: Plan, path: Path) -> None:
    results.write_atomic(path, json.dumps(plan.to_dict(), indent=1, ensure_ascii=False) + "\n")


def load_plan(path: Path) -> Plan:
    try:
        return Plan.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GraderError(f"--plan {path}: not a plan written by `grader slurm` ({exc})") from None


@dataclass(frozen=True)
class PlanPart:
    """Part k of n of a balanced plan: what `batch.in_shard` accepts instead of (k, n)."""
    k: int
    n: int
    students: frozenset[str]
    digest: str

    def holds(self, student: str) -> bool:
        return student in self.students


def select(shard: tuple[int, int], plan: Plan, plan_path: Path,
           students: Iterable[str]) -> PlanPart:
    """Part K of the plan, after checking that the plan covers exactly the class given (a
    student the plan does not know would be graded by no part)."""
    k, n = shard
    if plan.n != n:
        raise GraderError(f"--shard {k}/{n}: the plan {plan_path} has {plan.n} part(s); "
                          f"use --shard K/{plan.n}")
    given = set(students)
    planned = {s for members in plan.parts for s in members}
    problems = []
    if given - planned:
        problems.append(f"not in the plan: {', '.join(sorted(given - planned))}")
    if planned - given:
        problems.append(f"in the plan but not among the submissions: "
                        f"{', '.join(sorted(planned - given))}")
    if problems:
        raise GraderError(f"--plan {plan_path} was made for another class ({'; '.join(problems)});"
                          f" make a new plan (run `grader slurm` again)")
    return PlanPart(k, n, frozenset(plan.parts[k - 1]), plan.digest)


def resolve(shard: tuple[int, int] | PlanPart | None, plan_path: str | None,
            students: Iterable[str]) -> tuple[int, int] | PlanPart | None:
    """What `grader grade --shard K/N [--plan PLAN]` grades: part K of the hash split, or of
    the plan."""
    if plan_path is None or isinstance(shard, PlanPart):
        return shard
    if shard is None:
        raise GraderError(f"--plan {plan_path} needs --shard K/N: which part of the plan to grade")
    return select(shard, load_plan(Path(plan_path)), Path(plan_path), students)


# ------------------------------------------------------------------------------- part.json
@dataclass(frozen=True)
class Part:
    k: int
    n: int
    split: str                          # "hash" or "plan:<digest>"
    course: str                         # batch.course_fingerprint of the course it graded
    grader: str
    exercises: tuple[str, ...] | None
    students: Mapping[str, tuple[str, str]]     # student -> (results folder, fingerprint)

    @property
    def label(self) -> str:
        return f"part {self.k} of {self.n}"

    def to_dict(self) -> dict:
        return {"part": self.k, "of": self.n, "split": self.split, "course": self.course,
                "grader": self.grader,
                "exercises": list(self.exercises) if self.exercises is not None else None,
                "students": {s: {"folder": f, "fingerprint": fp}
                             for s, (f, fp) in sorted(self.students.items())}}

    @classmethod
    def from_dict(cls, d: dict) -> Part:
        ex = d.get("exercises")
        return cls(int(d["part"]), int(d["of"]), str(d["split"]), str(d["course"]),
                   str(d.get("grader", "")), tuple(ex) if ex is not None else None,
                   {s: (v["folder"], v["fingerprint"]) for s, v in d["students"].items()})


def write_part(out_dir: Path, shard: tuple[int, int] | PlanPart, course_hash: str,
               jobs: Iterable, exercises: list[str] | None) -> Part:   # jobs: batch.Job
    """PART_DIR/part.json, written before grading starts, so a part that dies still says
    what it should have held."""
    if isinstance(shard, PlanPart):
        k, n, split = shard.k, shard.n, f"plan:{shard.digest}"
    else:
        (k, n), split = shard, "hash"
    part = Part(k, n, split, course_hash, __version__,
                tuple(exercises) if exercises else None,
                {j.student: (j.folder, j.fingerprint) for j in jobs})
    results.write_atomic(out_dir / PART_FILE, json.dumps(part.to_dict(), indent=1,
                                                         ensure_ascii=False) + "\n")
    return part


def read_part(src: Path) -> Part:
    path = src / PART_FILE
    try:
        return Part.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise GraderError(f"{src}: no {PART_FILE}; merge joins the folders written by "
                          f"`grader grade --shard K/N`") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GraderError(f"{path}: unreadable ({exc}); grade this part again") from None


# ------------------------------------------------------------------------------- status
def result_state(path: Path, student: str, fingerprint: str) -> str:
    """"graded", "grader_errors" (graded, but retried by a rerun), "stale" (graded from
    another submission or course) or "missing"."""
    try:
        r = results.load(path)
    except (OSError, ValueError, KeyError):
        return "missing"
    if r.student != student or r.fingerprint != fingerprint:
        return "stale"
    return "grader_errors" if r.grader_errors else "graded"


def ungraded(src: Path, part: Part) -> dict[str, list[str]]:
    """{"missing": [...], "stale": [...]}: the students of `part` without a usable result."""
    out: dict[str, list[str]] = {"missing": [], "stale": []}
    for student, (folder, fp) in sorted(part.students.items()):
        state = result_state(src / folder / "results.json", student, fp)
        if state in out:
            out[state].append(student)
    return out


# ------------------------------------------------------------------------------- merge
def check(sources: list[Path], course: Course) -> list[tuple[Path, Part]]:
    """The parts, if they are one complete, consistent set graded with `course`; otherwise
    a GraderError naming every problem."""
    problems: list[str] = []
    parts: list[tuple[Path, Part]] = []
    for src in sources:
        if not src.is_dir():
            problems.append(f"{src}: not a folder of results")
            continue
        try:
            parts.append((src, read_part(src)))
        except GraderError as exc:
            problems.append(str(exc))
    splits = sorted({(p.n, p.split) for _, p in parts})
    if len(splits) > 1:
        problems.append("the folders come from different splits of the class: " + "; ".join(
            f"{src} is {p.label} ({p.split})" for src, p in parts))
    elif splits:
        n = splits[0][0]
        by_k: dict[int, list[Path]] = {}
        for src, p in parts:
            by_k.setdefault(p.k, []).append(src)
        for k in range(1, n + 1):
            if k not in by_k:
                problems.append(f"part {k} of {n} is missing: grade it with --shard {k}/{n} "
                                f"and merge again")
            elif len(by_k[k]) > 1:
                problems.append(f"part {k} of {n} is given twice: "
                                f"{', '.join(map(str, by_k[k]))}")
    for src, p in parts:
        now = course_fingerprint(course, list(p.exercises) if p.exercises else None)
        if p.course != now:
            why = (f"grader {p.grader}, this is grader {__version__}" if p.grader != __version__
                   else f"a different {course.root / 'course.yaml'} or hidden checks")
            problems.append(f"{src} ({p.label}) was graded with {why}: grade it again")
            continue
        gaps = ungraded(src, p)
        if gaps["missing"]:
            problems.append(f"{src} ({p.label}): {len(gaps['missing'])} student(s) not graded: "
                            f"{', '.join(gaps['missing'])}")
        if gaps["stale"]:
            problems.append(f"{src} ({p.label}): the results of {', '.join(gaps['stale'])} "
                            f"are not of the submission this part planned")
    owner: dict[str, Path] = {}
    for src, p in parts:
        for student in p.students:
            if student in owner:
                problems.append(f"student {student!r} is in both {owner[student]} and {src}")
            owner[student] = src
    if problems:
        raise GraderError("merge refused; nothing was written:\n  - " + "\n  - ".join(problems))
    return parts


def merge(out_dir: Path, sources: list[Path], course: Course) -> int:
    """Copy the results of every student of the parts into `out_dir` and rebuild its
    gradebook, only after `check` found the parts complete and consistent."""
    parts = check(sources, course)
    out_dir.mkdir(parents=True, exist_ok=True)
    count = 0
    for src, part in parts:
        for folder, _ in part.students.values():
            copy_result(src / folder, out_dir / folder)
            count += 1
    gradebook.write(course, out_dir)
    return count


def copy_result(src: Path, target: Path) -> None:
    """Replace the folder `target` by a copy of `src`, never leaving half of one."""
    if target.resolve() == src.resolve():
        return
    tmp = target.parent / f".{target.name}.merging"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
