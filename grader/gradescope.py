"""Gradescope: the autograder bundle, and what its `run_autograder` does on Gradescope.

The bundle (`grader gradescope --out autograder.zip`) follows Gradescope's "Autograder
Specifications": `setup.sh` and `run_autograder` at the root of the zip; Gradescope unpacks the
zip into /autograder/source, runs setup.sh once when it builds the image, and runs
run_autograder (from /autograder, as root) for every submission, which must write
/autograder/results/results.json. The student's files are in /autograder/submission.

The bundle is built from the course folder (course.yaml's directory) -- its `grader/` with the
hidden checks, `exercises/_kit` and course.yaml, the files `grader grade` uses there -- never
solutions/; `requirements.txt` pins the exact versions installed where it was built, and
`kit-bundle.json` records the sha256 of every file (run_autograder reports any difference).

`run` grades one submission within `policies.time_budget` seconds (below Gradescope's default
10-minute timeout): each exercise gets a share of the time left, in proportion to its checks'
timeouts, and its checks' timeouts are cut to fit (a stuck exercise fails on its share, with a
note saying so). results.json is written atomically before grading starts (every exercise "not
graded yet") and after each exercise, so a kill at any moment leaves a valid file with what was
graded and a clear note for the rest; a watchdog ends the run soon after the budget. Checks
this machine cannot run (t08's multi-core checks on one CPU) are not scored against the
student: their points are shared among the exercise's other checks, with a neutral note.
Student-facing text goes through `gradescope_text.StudentText` (no hidden file's text, short).

For testing, every path can be moved with environment variables: KIT_AUTOGRADER_DIR (default
/autograder), KIT_PYTHON (the interpreter; default the venv setup.sh made) and KIT_TIME_BUDGET.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import stat
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from .errors import GraderError
from .manifest import Course

TEMPLATES = Path(__file__).resolve().parent / "gradescope_files"
BUNDLE_INFO = "kit-bundle.json"
# What `run` imports; with their dependencies, pinned to the versions installed here.
RUNTIME_REQUIREMENTS = ("pytest", "pyyaml")
RESERVE = 5.0               # seconds kept at the end of the budget for the last write
HARD_STOP_AFTER = 20.0      # the watchdog ends the run this long after the budget
MIN_CHECK_SECONDS = 1.0     # less than this per check: the exercise is not started
# Each exercise is sure to get this fraction of its proportional part of the budget; the rest
# goes to whichever exercise needs it first (a correct submission never needs it all).
FLOOR_FRACTION = 0.5
MAX_LISTED = 20


# ---------------------------------------------------------------------------- the bundle

def pinned_requirements(names: tuple[str, ...] = RUNTIME_REQUIREMENTS) -> str:
    """`name==version` for `names` and everything they need on Linux, as installed here."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
    env = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "extra": ""}
    pins: dict[str, str] = {}
    todo = list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in pins:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            raise GraderError(f"{name} is not installed here, so the bundle cannot pin its "
                              f"version: `pip install {name}` and build again") from None
        pins[name] = dist.version
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate(env):
                todo.append(req.name)
    lines = [f"{name}=={version}" for name, version in sorted(pins.items())]
    return ("# Exact versions, as installed where the bundle was built (grader gradescope).\n"
            + "\n".join(lines) + "\n")


def _add(zf: zipfile.ZipFile, arcname: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(arcname, date_time=(2020, 1, 1, 0, 0, 0))
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def _files(base: Path, prefix: str) -> list[tuple[str, Path]]:
    return [(f"{prefix}/{p.relative_to(base).as_posix()}", p) for p in sorted(base.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]


def bundle_members(course: Course) -> list[tuple[str, Path]]:
    """(name in the zip, file) from the course folder; solutions are never among them."""
    root = course.root
    grader_dir, kit_dir = root / "grader", root / "exercises" / "_kit"
    for folder, what in ((grader_dir / "checks", "the hidden checks"), (kit_dir, "the kit")):
        if not folder.is_dir():
            raise GraderError(f"{folder}: missing ({what}); the bundle is built from the "
                              f"course folder, {root}, the one `grader grade` uses")
    members = [("course.yaml", root / "course.yaml"), *_files(grader_dir, "grader"),
               *_files(kit_dir, "exercises/_kit")]
    bad = [name for name, path in members if "solutions" in path.relative_to(root).parts]
    if bad:
        raise GraderError(f"refusing to put {', '.join(bad)} in the bundle (solutions)")
    return members


def _template(course: Course, name: str) -> bytes:
    own = course.root / "grader" / "gradescope_files" / name
    return (own if own.is_file() else TEMPLATES / name).read_bytes()


def build_bundle(course: Course, out: Path) -> Path:
    from . import __version__
    if out.suffix != ".zip":
        raise GraderError(f"--out must be a .zip file, given: {out}")
    entries: list[tuple[str, bytes, bool]] = [
        ("setup.sh", _template(course, "setup.sh"), True),
        ("run_autograder", _template(course, "run_autograder"), True),
        ("requirements.txt", pinned_requirements().encode(), False)]
    entries += [(name, path.read_bytes(), False) for name, path in bundle_members(course)]
    info = {"course": course.id, "built_from": str(course.root), "grader_version": __version__,
            "sha256": {name: hashlib.sha256(data).hexdigest() for name, data, _ in entries}}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.partial")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name, data, executable in entries:
            _add(zf, name, data, executable)
        _add(zf, BUNDLE_INFO, (json.dumps(info, indent=2, sort_keys=True) + "\n").encode())
    tmp.replace(out)
    return out


def verify_bundle(source: Path) -> list[str]:
    """Files of the unpacked bundle whose sha256 differs from kit-bundle.json's."""
    try:
        recorded = json.loads((source / BUNDLE_INFO).read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError):
        return [f"{BUNDLE_INFO}: missing or unreadable"]
    bad = []
    for name, digest in recorded.items():
        try:
            if hashlib.sha256((source / name).read_bytes()).hexdigest() != digest:
                bad.append(f"{name}: changed since the bundle was built")
        except OSError:
            bad.append(f"{name}: missing")
    return bad


# ---------------------------------------------------------------------------- the upload

@dataclass(frozen=True)
class Staging:
    found: dict[str, str]           # declared path -> the path it had in the upload
    unusable: dict[str, str]        # exercise id -> why nothing was taken for it
    notes: tuple[str, ...]          # for the student: which copy was graded
    uploaded: tuple[str, ...]       # every file of the upload (relative paths)


def _upload_files(submission: Path) -> list[Path]:
    if not submission.is_dir():
        return []
    out = []
    for p in sorted(submission.rglob("*")):
        rel = p.relative_to(submission).parts
        if any(part.startswith((".", "__MACOSX")) or part == "__pycache__" for part in rel):
            continue
        if p.is_file() and not p.is_symlink():
            out.append(p)
    return out


def stage_submission(course: Course, submission: Path, dest: Path) -> Staging:
    """Copy each declared file of `submission` to its declared path under `dest`: from that
    path, else from the one file with its name nearest the top of the upload (Gradescope's
    drag and drop puts files flat; a zip or a repository keeps folders). Two copies at the
    same depth are not guessed between: the exercise gets the reason."""
    from .intake import MAX_FILE_BYTES
    dest.mkdir(parents=True)
    files = _upload_files(submission)
    rel = {p: p.relative_to(submission).as_posix() for p in files}
    found: dict[str, str] = {}
    unusable: dict[str, str] = {}
    notes: list[str] = []
    for ex in course.exercises:
        for declared in ex.files:
            direct = submission / declared
            name = Path(declared).name
            if direct in rel:
                chosen = direct
            else:
                same = [p for p in files if p.name == name]
                if not same:
                    continue
                top = min(len(p.relative_to(submission).parts) for p in same)
                nearest = [p for p in same if len(p.relative_to(submission).parts) == top]
                if len(nearest) > 1:
                    unusable[ex.id] = (f"{len(nearest)} files named {name} in your upload ("
                                       + ", ".join(rel[p] for p in nearest[:5])
                                       + f"), so none was graded: keep one, at the top of your "
                                       f"upload or at {declared}")
                    continue
                chosen = nearest[0]
                others = [rel[p] for p in same if p != chosen]
                if others:
                    notes.append(f"{name}: graded {rel[chosen]}; ignored the other copies "
                                 f"({', '.join(others[:5])})")
            if chosen.stat().st_size > MAX_FILE_BYTES:
                unusable[ex.id] = (f"{rel[chosen]} is larger than {MAX_FILE_BYTES // 1024} KiB,"
                                   f" so it was not graded")
                continue
            target = dest / declared
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(chosen, target)
            found[declared] = rel[chosen]
    return Staging(found, unusable, tuple(notes), tuple(rel[p] for p in files))


@dataclass(frozen=True)
class Metadata:
    student: str = "submission"
    submitted_at: str | None = None
    due: datetime | None = None


def read_metadata(path: Path) -> Metadata:
    """submission_metadata.json: the student, the submission time, the due date (the
    student's own, with an extension, where Gradescope gives one)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Metadata()
    if not isinstance(meta, dict):
        return Metadata()
    users = meta.get("users") or [{}]
    user = users[0] if isinstance(users[0], dict) else {}
    student = str(user.get("email") or user.get("name") or "submission")
    due_text = ((user.get("assignment") or {}).get("due_date")
                or (meta.get("assignment") or {}).get("due_date"))
    try:
        due = datetime.fromisoformat(str(due_text)) if due_text else None
    except ValueError:
        due = None
    created = meta.get("created_at")
    return Metadata(student, str(created) if created else None, due)


# ---------------------------------------------------------------------------- the run

class _Writer:
    """Writes results.json atomically; the watchdog's final write is the last one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.closed = False

    def write(self, data: dict, final: bool = False) -> None:
        from .results import write_atomic
        with self.lock:
            if self.closed:
                return
            write_atomic(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            self.closed = final


def _no_grade(reason: str, elapsed: float) -> dict:
    return {"score": 0.0, "execution_time": round(elapsed, 2),
            "output": "The autograder could not grade this submission; this is not your "
                      "mistake, and your instructor can see why. Please tell them.",
            "stdout_visibility": "hidden", "tests": [], "extra_data": {"grader_error": reason}}


def _placeholder(course: Course, ex_id: str, message: str):
    from .results import CheckResult
    ex = course.exercise(ex_id)
    return [CheckResult(exercise=ex.id, check=c.id, kind=c.kind, status="error", score=0.0,
                        max_score=c.points, description=c.description, visibility=c.visibility,
                        message=message) for c in ex.checks]


def cut_timeouts(course: Course, ex_id: str, seconds: float) -> tuple[Course, float]:
    """The course with `ex_id`'s check timeouts scaled to fit `seconds` together, and the
    factor (1.0 when they already fit)."""
    ex = course.exercise(ex_id)
    total = sum(c.timeout for c in ex.checks) or 1.0
    factor = min(1.0, seconds / total)
    if factor >= 1.0:
        return course, 1.0
    cut = replace(ex, checks=tuple(replace(c, timeout=c.timeout * factor) for c in ex.checks))
    return replace(course, exercises=tuple(cut if e.id == ex_id else e
                                           for e in course.exercises)), factor


def shares_floor(weights: dict[str, float], seconds: float) -> dict[str, float]:
    """What each exercise is sure to get: FLOOR_FRACTION of its part of `seconds`, in
    proportion to its checks' timeouts (`weights`)."""
    total = sum(weights.values()) or 1.0
    return {ex: max(seconds, 0.0) * w / total * FLOOR_FRACTION for ex, w in weights.items()}


def share_of(weight: float, floor: float, left: float, later_floors: float) -> float:
    """Seconds for the next exercise: all its checks' timeouts (`weight`) if the time
    `left` allows it after keeping the later exercises' floors, else what remains of it,
    and never less than its own floor (while there is time at all)."""
    if weight <= 0 or left <= 0:
        return 0.0
    return min(weight, max(left - later_floors, min(floor, left)))


def _ran_out(check) -> bool:
    return check.status != "passed" and (check.evidence.get("status") == "timeout"
                                         or "ran out of its" in check.message
                                         or "did not finish within" in check.message)


def gradescope_results(result, course: Course, text, *, notes: list[str],
                       extra: dict) -> dict:
    """The kit's results.json for Gradescope: every output cleaned, the points of checks
    this machine could not run shared among their exercise's other checks, the score after
    the late penalty, and the notes for the student at the top."""
    data = result.to_dict()
    by_ex: dict[str, list[dict]] = {}
    for t in data["tests"]:
        by_ex.setdefault(t["extra_data"]["exercise"], []).append(t)
    shared_out: list[str] = []
    for ex_id, tests in by_ex.items():
        skipped = [t for t in tests if t["extra_data"]["outcome"] == "skipped"]
        counted = [t for t in tests if t["extra_data"]["outcome"] != "skipped"]
        if not skipped:
            continue
        full = sum(t["extra_data"]["points"] for t in tests)
        base = sum(t["extra_data"]["points"] for t in counted)
        for t in skipped:
            reason = t["output"]
            t.update(status="passed", score=0.0, max_score=0.0, output=(
                "Not run on this machine, and not counted: " + reason
                + (" Its points count through this exercise's other checks." if base else "")))
        if base:
            factor = full / base
            for t in counted:
                x = t["extra_data"]
                x["manifest_points"] = x["points"]
                x["points"] = round(x["points"] * factor, 4)
                t["max_score"] = x["points"]
                t["score"] = round(t["score"] * factor, 4)
            shared_out.append(ex_id)
    for t in data["tests"]:
        t["output"] = text.clean(t["output"])
    raw = round(sum(t["score"] for t in data["tests"]), 4)
    penalty = float(result.late.get("penalty", 0.0))
    score = round(raw * (1.0 - penalty), 4)
    top = sum(t["max_score"] for t in data["tests"])
    lines = [f"{score:g} / {top:g} points"]
    if penalty:
        lines.append(f"Late: {result.late.get('days_late')} day(s) after the due date, "
                     f"{penalty:.0%} off ({raw:g} before the penalty).")
    if shared_out:
        lines.append("Some checks cannot run on this autograder (each says why, e.g. too few "
                     "CPU cores): they do not count against you, and their points count "
                     "through the other checks of " + ", ".join(shared_out) + ".")
    lines += [text.clean(n, trusted=True) for n in notes]
    data["score"] = score
    data["output"] = "\n".join(lines)
    x = data["extra_data"]
    x.update(extra, raw_score=raw, max_score=top, points_shared_out=shared_out)
    x["problems"] = [text.clean(p, trusted=True) for p in x.get("problems", [])]
    return data


def _weak_note(isolation: dict) -> str:
    if isolation.get("strong", isolation.get("level") in ("namespaces", "userns")):
        return ""
    return (f"Sandbox: your code ran at the '{isolation.get('level', 'unknown')}' level here, "
            "weaker than the kit's full sandbox (this autograder's container does not allow "
            "it); it is graded the same way.")


def _expected_files(course: Course) -> str:
    return ", ".join(Path(f).name for ex in course.exercises for f in ex.files)


def run(course_path: Path, submission: Path, results_path: Path,
        budget: float | None = None) -> int:
    """Grade one Gradescope submission within the time budget; always leave a results.json."""
    t0 = time.monotonic()
    writer = _Writer(results_path)
    try:
        return _run(course_path, submission, writer, budget, t0)
    except Exception as exc:  # noqa: BLE001 - a results file must exist whatever happened
        reason = str(exc) if isinstance(exc, GraderError) else f"{type(exc).__name__}: {exc}"
        print(f"autograder: grading failed: {reason[:2000]}")
        writer.write(_no_grade(reason[:4000], time.monotonic() - t0), final=True)
        return 1


def _run(course_path: Path, submission: Path, writer: _Writer, budget: float | None,
         t0: float) -> int:
    from . import intake, manifest, pipeline
    from .gradescope_limits import container_memory_mb, fit_memory
    from .gradescope_text import StudentText
    from .results import CheckResult, SubmissionResult
    from .sandbox import Sandbox
    try:
        from .sandbox import protect_grader
        protect_grader()
    except ImportError:      # pragma: no cover - an older sandbox module
        pass
    course = manifest.load(course_path)
    limits, memory_note = fit_memory(course.limits, container_memory_mb())
    course = replace(course, limits=limits)
    if memory_note:
        print(f"autograder: {memory_note}", flush=True)
    budget = float(budget or course.time_budget)
    deadline = t0 + budget
    meta = read_metadata(submission.parent / "submission_metadata.json")
    if course.due is None and meta.due is not None:
        course = replace(course, due=meta.due)
    source = course.root
    changed = verify_bundle(source) if (source / BUNDLE_INFO).exists() else []
    for line in changed:
        print(f"autograder: bundle: {line}")
    with tempfile.TemporaryDirectory(prefix="kit-gs-") as tmp:
        staged = stage_submission(course, submission, Path(tmp) / "submission")
        ws = intake.take_in(meta.student, Path(tmp) / "submission", course, Path(tmp) / "ws")
        missing = dict(ws.missing)
        for ex in course.exercises:
            if ex.id in staged.unusable:
                missing[ex.id] = staged.unusable[ex.id]
            elif ex.id in missing:
                missing[ex.id] = "not in your upload: " + ", ".join(
                    Path(f).name for f in ex.files if f not in staged.found)
        ws = replace(ws, missing=missing)
        renames = {d: u for d, u in staged.found.items() if d != u}
        kit_public = sorted((source / "exercises" / "_kit").rglob("*.py"))
        text = StudentText.build(
            [source / "course.yaml", *(p for p in sorted((source / "grader" / "checks").rglob("*"))
                                       if p.is_file() and "__pycache__" not in p.parts)],
            [*kit_public, *(Path(tmp) / "ws" / f for f in staged.found)], renames)
        sandbox = Sandbox(course.limits, course.root)
        iso = sandbox.isolation.to_dict()
        notes: list[str] = []
        if not staged.found:
            shown = ", ".join(staged.uploaded[:MAX_LISTED]) + (
                " …" if len(staged.uploaded) > MAX_LISTED else "")
            notes.append("Nothing to grade: none of the expected files is in your upload"
                         + (f" (it holds: {shown})" if staged.uploaded else " (it is empty)")
                         + f". Expected: {_expected_files(course)} -- drag the files in, or "
                         "upload a zip of your exercise folders.")
        else:
            absent = [Path(f).name for ex in course.exercises if ex.id in ws.missing
                      and ex.id not in staged.unusable for f in ex.files
                      if f not in staged.found]
            if absent:
                notes.append("Not in your upload (these exercises score 0): "
                             + ", ".join(absent) + ".")
        notes += list(staged.notes) + list(ws.problems)
        weak = _weak_note(iso)
        if weak:
            notes.append(weak)
        graded: dict[str, list] = {}
        base: list[SubmissionResult] = []       # the pipeline's result, for what is not checks
        extra = {"time_budget": budget, "sandbox_level": iso.get("level"),
                 "bundle_changed": changed, "uploaded_as": staged.found,
                 "memory_fitted": memory_note}

        def snapshot(current: str | None, stopped: bool = False) -> dict:
            checks = []
            for ex in course.exercises:
                if ex.id in graded:
                    checks += graded[ex.id]
                elif ex.id == current:
                    checks += _placeholder(course, ex.id, (
                        "Not graded: the autograder was stopped while it was grading this "
                        "exercise (its time limit for the whole submission ran out)."))
                else:
                    checks += _placeholder(course, ex.id, (
                        "Not graded: the autograder's time for the whole submission ran out "
                        "before it reached this exercise." if stopped else
                        "Not graded yet: the autograder stopped before it reached this "
                        "exercise (its time limit for the whole submission)."))
            pending = [ex.id for ex in course.exercises if ex.id not in graded]
            result = replace(base[0], checks=tuple(checks), source=str(submission),
                             execution_time=time.monotonic() - t0)
            more = [f"Only {len(graded)} of {len(course.exercises)} exercises were graded: "
                    f"the autograder was stopped (its time limit for the whole submission)."
                    ] if pending else []
            return gradescope_results(result, course, text, notes=notes + more,
                                      extra={**extra, "not_graded": pending})

        def hard_stop() -> None:
            print(f"autograder: time budget ({budget:g} s) exceeded; stopping")
            writer.write(snapshot(current[0], stopped=True), final=True)
            os._exit(2)

        current: list[str | None] = [None]
        watchdog = threading.Timer(max(deadline + HARD_STOP_AFTER - time.monotonic(), 1.0),
                                   hard_stop)
        watchdog.daemon = True

        class Budget:
            """pipeline.ExerciseHooks: each exercise's share of the time budget, results.json
            written before each exercise, a grader error costing only its exercise."""

            def start(self, runnable: tuple[manifest.Exercise, ...],
                      partial: SubmissionResult) -> None:
                base.append(partial)
                watchdog.start()
                self.runnable = {ex.id: sum(c.timeout for c in ex.checks) for ex in runnable}
                self.floors = shares_floor(self.runnable, deadline - RESERVE - time.monotonic())

            def before(self, ex: manifest.Exercise) -> pipeline.ExercisePlan:
                current[0] = ex.id
                writer.write(snapshot(ex.id))
                self.now, self.factor = time.monotonic(), 1.0
                weight = self.runnable.pop(ex.id, 0.0)
                self.share = share_of(weight, self.floors.get(ex.id, 0.0),
                                      deadline - RESERVE - self.now,
                                      sum(self.floors[e] for e in self.runnable))
                if weight and self.share < MIN_CHECK_SECONDS * len(ex.checks):
                    self.skipped = True
                    return pipeline.ExercisePlan(skip=(
                        "Not graded: too little was left of the autograder's time for the whole "
                        f"submission ({budget:g} s) when it reached this exercise (earlier "
                        "exercises ran until their time limits)."))
                self.skipped = False
                cut, self.factor = cut_timeouts(course, ex.id, self.share) if weight else (
                    course, 1.0)
                return pipeline.ExercisePlan(course=cut)

            def after(self, ex: manifest.Exercise, checks: tuple[CheckResult, ...],
                      error: Exception | None) -> tuple[CheckResult, ...]:
                if error is not None:
                    print(f"autograder: {ex.id}: the grader failed: {type(error).__name__}: "
                          f"{str(error)[:1000]}", flush=True)
                    checks = tuple(_placeholder(course, ex.id, (
                        "The grader could not grade this exercise; this is not your mistake, "
                        "and your instructor can see why.")))
                elif self.factor < 1.0:
                    checks = tuple(replace(c, message=c.message + (
                        f"\n(This check had {ex.check(c.check).timeout * self.factor:.1f}"
                        f" s instead of {ex.check(c.check).timeout:g} s: the "
                        f"autograder grades a whole submission in {budget:g} s, shared among "
                        "the exercises.)")) if _ran_out(c) else c for c in checks)
                graded[ex.id] = list(checks)
                if error is None and not self.skipped:
                    got = sum(c.score for c in checks)
                    print(f"autograder: {ex.id}: {got:g} / {sum(c.max_score for c in checks):g} "
                          f"in {time.monotonic() - self.now:.1f} s (share {self.share:.1f} s)",
                          flush=True)
                return checks

        result = pipeline.grade_submission(pipeline.GradeRequest(
            course, ws, sandbox, submitted_at=meta.submitted_at, hooks=Budget()))
        base[:] = [result]
        current[0] = None
        watchdog.cancel()
        final = snapshot(None)
        writer.write(final, final=True)
        print(f"autograder: graded {final['score']:g} / {final['extra_data']['max_score']:g} "
              f"(sandbox: {iso.get('level')}, {time.monotonic() - t0:.1f} s of {budget:g})")
        return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m grader.gradescope",
                                description="grade one Gradescope submission (run_autograder)")
    p.add_argument("--course", required=True)
    p.add_argument("--submission", required=True)
    p.add_argument("--results", required=True)
    p.add_argument("--budget", type=float, help="seconds for the whole run "
                                                "(default: course.yaml's policies.time_budget)")
    a = p.parse_args(argv)
    return run(Path(a.course), Path(a.submission), Path(a.results), a.budget)


if __name__ == "__main__":
    sys.exit(main())
