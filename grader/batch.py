"""Grading a whole class: plan, run in parallel, resume, shard, merge.

* Each submission is graded by its own worker process (`python -m grader.worker`), up to
  `jobs` at a time. A worker that crashes becomes that student's "grader could not grade"
  result; it never stops the batch.
* Results are written atomically by the worker, so an interrupted batch (Ctrl-C, kill -9,
  power cut) leaves every student either fully graded or not at all. A rerun skips students
  whose results are up to date: same submission files, same course.yaml, same checks, same
  grader version, no grader error (the *fingerprint*). `regrade` forces named students.
* The gradebook is always rebuilt from the results on disk and written atomically.
* `shard=(k, n)` keeps the students whose id hashes to k of n: the same split on every
  machine, so a job array can grade a class in pieces and `merge` joins the pieces.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

from _kit import procfs
from _kit.contract import RunOptions

from . import results, shards, student_id
from .cpuload import Admission
from .errors import GraderError
from .fingerprint import course_fingerprint, workspace_fingerprint
from .intake import take_in
from .manifest import Course


@dataclass(frozen=True)
class Job:
    student: str
    source: Path
    folder: str                 # DIR/<folder>/ holds this student's results
    fingerprint: str
    late: dict = field(default_factory=dict)


@dataclass
class Outcome:
    job: Job
    result: results.SubmissionResult | None
    skipped: bool = False       # up to date: not graded again
    error: str = ""             # the grader failed for this student


def in_shard(student: str, shard: tuple[int, int] | shards.PlanPart | None) -> bool:
    """In part k of n: by a hash of the id, or by a balanced plan (grader.shards)."""
    if shard is None:
        return True
    if isinstance(shard, shards.PlanPart):
        return shard.holds(student)
    k, n = shard
    return int(hashlib.sha256(student.encode()).hexdigest(), 16) % n == k - 1


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise GraderError(f"--shard must look like K/N (e.g. 2/8), given: {text!r}") from None
    if not 1 <= k <= n:
        raise GraderError(f"--shard {text}: K must be between 1 and N")
    return k, n


def plan(course: Course, submissions: list[tuple[str, Path]], out_dir: Path, staging: Path, *,
         regrade: AbstractSet[str] = frozenset(), shard: tuple[int, int] | shards.PlanPart | None = None,
         late: dict[str, dict] | None = None, folders: student_id.Folders | None = None,
         exercises: list[str] | None = None) -> tuple[list[Job], list[Job]]:
    """(to grade, up to date). Takes each submission in (declared files only) under
    `staging`, so the fingerprint is of exactly what will be graded. `folders` (default:
    `student_id.assign_folders` of every submission, so shards agree) names each student's
    results folder."""
    sweep_debris(out_dir)
    course_hash = course_fingerprint(course, exercises)
    if folders is None:
        folders = student_id.assign_folders(s for s, _ in submissions)
    todo, fresh = [], []
    for student, source in submissions:
        if not in_shard(student, shard):
            continue
        folder = folders[student]
        ws = take_in(student, source, course, staging / folder)
        info = (late or {}).get(student, {})
        job = Job(student, source, folder, workspace_fingerprint(ws, course_hash, info), info)
        (staging / f"{folder}.json").write_text(json.dumps(
            {"student": student, "source": str(source), "missing": ws.missing,
             "problems": list(ws.problems), "fingerprint": job.fingerprint, "late": info}))
        if student not in regrade and _up_to_date(out_dir / folder / "results.json", job):
            fresh.append(job)
        else:
            todo.append(job)
    return todo, fresh


def sweep_debris(out_dir: Path) -> int:
    """Remove the temporary files of writes that a crash interrupted (the real files they
    were replacing are intact: every write is atomic), and the empty cgroups of runs a crash
    left behind."""
    count = procfs.sweep_cgroups()
    for tmp in out_dir.glob("**/.*.tmp"):
        tmp.unlink(missing_ok=True)
        count += 1
    return count


def _up_to_date(path: Path, job: Job) -> bool:
    try:
        old = results.load(path)
    except (OSError, ValueError, KeyError):
        return False
    return (old.student == job.student and old.fingerprint == job.fingerprint
            and not old.grader_errors)


def run(course: Course, todo: list[Job], out_dir: Path, staging: Path, *,
        jobs: int | Admission, calibration: dict, on_done=lambda outcome: None,
        exercises: list[str] | None = None, guard: str = "") -> list[Outcome]:
    """Grade `todo` with up to `jobs` workers at once (a number, or an Admission that admits
    more as the CPU has room: grader.cpuload); call `on_done` as each finishes.
    `guard` (grader.tamper.Guard.digest): each worker refuses to grade or write if the files
    that decide grades no longer match it."""
    admission = jobs if isinstance(jobs, Admission) else Admission.fixed(jobs)
    pending = list(todo)
    running: dict[subprocess.Popen, tuple[Job, float]] = {}
    done: list[Outcome] = []
    try:
        while pending or running:
            while pending and len(running) < admission.limit(len(running)):
                job = pending.pop(0)
                running[_start_worker(course, job, out_dir, staging, calibration, exercises,
                                      guard)] = (job, time.monotonic())
            finished = [p for p in running if p.poll() is not None]
            if not finished:
                time.sleep(0.05)
                continue
            for proc in finished:
                job, _ = running.pop(proc)
                outcome = _collect(proc, job, out_dir, staging)
                done.append(outcome)
                on_done(outcome)
    finally:
        for proc in running:          # interrupted: stop the workers still grading
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            proc.wait()
    return done


def _start_worker(course: Course, job: Job, out_dir: Path, staging: Path, calibration: dict,
                  exercises: list[str] | None, guard: str = "") -> subprocess.Popen:
    cmd = [sys.executable, "-m", "grader.worker", "--course", str(course.root / "course.yaml"),
           "--workspace", str(staging / job.folder), "--meta", str(staging / f"{job.folder}.json"),
           "--out", str(out_dir / job.folder), "--calibration", json.dumps(calibration),
           "--guard", guard]
    for ex in exercises or ():
        cmd += ["-e", ex]
    log = open(staging / f"{job.folder}.log", "wb")
    try:
        return subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, "KIT_BATCH_PARENT": str(os.getpid())})
    finally:
        log.close()


def _collect(proc: subprocess.Popen, job: Job, out_dir: Path, staging: Path | None = None
             ) -> Outcome:
    path = out_dir / job.folder / "results.json"
    if proc.returncode == 0:
        try:
            return Outcome(job, results.load(path))
        except (OSError, ValueError, KeyError) as exc:
            return Outcome(job, None, error=f"the worker wrote no readable results: {exc}")
    said = _worker_error(staging / f"{job.folder}.log") if staging is not None else ""
    if said:
        return Outcome(job, None, error=said)
    return Outcome(job, None, error=f"the grading worker crashed (exit code {proc.returncode});"
                                    f" this student was not graded — rerun to retry")


def _worker_error(log: Path) -> str:
    """The error a worker reported on purpose (`grader.worker: error: ...`), if any."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    said = [line for line in lines if line.startswith("grader.worker: error: ")]
    return said[-1].removeprefix("grader.worker: error: ") if said else ""


def calibrate(sandbox, samples: int = 3) -> dict:
    """How long this machine takes to start a sandboxed run and call a function: the
    checks scale their time margins with it."""
    with tempfile.TemporaryDirectory(prefix="kit-cal-") as tmp:
        Path(tmp, "calibrate.py").write_text("def noop():\n    return None\n")
        walls = []
        for _ in range(samples):
            run = sandbox.run(Path(tmp), "calibrate", "noop", [], {}, options=RunOptions(timeout=30))
            walls.append(run.wall)
    walls.sort()
    return {"startup": round(walls[len(walls) // 2], 3), "samples": len(walls)}


def merge(out_dir: Path, sources: list[Path], course: Course) -> int:
    """Join the results of shards into `out_dir`: only a complete set of parts graded with
    `course` (grader.shards.check names what is missing or mixed; nothing is written then)."""
    return shards.merge(out_dir, sources, course)
