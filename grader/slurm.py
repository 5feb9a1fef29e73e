"""`grader slurm`: a class graded as a Slurm job array, merged when the array is done.

OUT/slurm/ keeps what the array needs and leaves, so an instructor can read it and resubmit:

    plan.json      the students of each part, balanced by measured or estimated cost
    grade.sbatch   the job-array script: task K runs `grader grade … --shard K/N --plan plan.json`
    parts/K/       what task K graded: part.json (the part's contract) and a folder per student
    logs/          each task's output (%A_%a.out)
    jobs.json      the arrays submitted, so that a rerun waits for one still running

Plain `sbatch`, `squeue` and `scontrol` under the hood. Running the same command again
resubmits only the parts that still have students without a result (a task killed, failed or
out of time), and inside such a part only those students are graded (the batch resumes).
The gradebook is written only from a complete, consistent set of parts (`shards.merge`).
"""
from __future__ import annotations

import argparse
import json
import math
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import __version__, batch, manifest, report, results, shards, student_id
from .errors import GraderError
from .manifest import Course

DEFAULT_SECONDS_PER_CHECK = 1.0     # a first estimate, before any result of the course exists
SLACK_SECONDS = 120                 # start-up, calibration, intake: added to every time limit


@dataclass(frozen=True)
class Options:
    parts: int | None = None        # None: one part per `per_task` students
    per_task: int = 10
    cpus: int = 2                   # cpus per array task = submissions graded at once in it
    time: str | None = None         # sbatch --time; None: from the plan's costs and the budget
    sbatch_args: tuple[str, ...] = ()
    wait: bool = True
    submit: bool = True             # False: write plan.json and grade.sbatch only
    poll: float = 5.0
    unsafe_sandbox: bool = False    # passed on to each task's `grader grade`


@dataclass(frozen=True)
class Layout:
    out: Path

    @property
    def root(self) -> Path:
        return self.out / "slurm"

    @property
    def plan(self) -> Path:
        return self.root / "plan.json"

    @property
    def script(self) -> Path:
        return self.root / "grade.sbatch"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def jobs(self) -> Path:
        return self.root / "jobs.json"

    def part(self, k: int) -> Path:
        return self.root / "parts" / str(k)


@dataclass(frozen=True)
class Student:
    student: str
    folder: str
    fingerprint: str
    cost: float                     # estimated seconds to grade now (0: already graded)
    budget: float                   # the most it may take: the timeouts of its checks


@dataclass(frozen=True)
class Task:
    k: int
    state: str                      # PENDING, RUNNING, COMPLETED, CANCELLED, TIMEOUT, …


# ------------------------------------------------------------------------------- sizing
def estimate(course: Course, jobs: Iterable[batch.Job], missing: Mapping[str, list[str]],
             out: Path, exercises: list[str] | None) -> list[Student]:
    """Each student's cost: 0 if an up-to-date result exists, else the time their last
    result took (measured), else their exercises' checks times the seconds a check took in
    the results at hand (estimated; DEFAULT_SECONDS_PER_CHECK before there are any)."""
    jobs = list(jobs)
    graded = [e for e in course.exercises if exercises is None or e.id in exercises]
    layout = Layout(out)
    previous: dict[str, results.SubmissionResult] = {}
    for job in jobs:
        for path in [out / job.folder / "results.json",
                     *sorted(layout.root.glob(f"parts/*/{job.folder}/results.json"))]:
            try:
                r = results.load(path)
            except (OSError, ValueError, KeyError):
                continue
            if r.student == job.student and (job.student not in previous
                                             or r.fingerprint == job.fingerprint):
                previous[job.student] = r
    seconds = sum(r.execution_time for r in previous.values())
    checks = sum(len(r.checks) for r in previous.values())
    per_check = seconds / checks if checks and seconds > 0 else DEFAULT_SECONDS_PER_CHECK
    out_list = []
    for job in jobs:
        present = [e for e in graded if e.id not in missing.get(job.student, [])]
        budget = sum(c.timeout for e in present for c in e.checks)
        old = previous.get(job.student)
        if old is not None and old.fingerprint == job.fingerprint and not old.grader_errors:
            cost = 0.0
        elif old is not None and old.execution_time > 0:
            cost = old.execution_time
        else:
            cost = per_check * sum(len(e.checks) for e in present)
        out_list.append(Student(job.student, job.folder, job.fingerprint, cost, budget))
    return out_list


def time_limit(plan: shards.Plan, students: list[Student], cpus: int) -> int:
    """Minutes for one task: twice its estimated cost spread over its cpus, plus the budget
    of its slowest submission and SLACK_SECONDS. A task that runs out of time is recovered
    by a rerun anyway; the limit only has to be generous, not exact."""
    by_name = {s.student: s for s in students}
    longest = max(sum(by_name[s].cost for s in members) for members in plan.parts)
    budget = max((s.budget for s in students), default=0.0)
    return max(5, math.ceil((2 * longest / max(1, cpus) + budget + SLACK_SECONDS) / 60))


# ------------------------------------------------------------------------------- the script
def script(course: Course, submissions: list[Path], layout: Layout, plan: shards.Plan,
           options: Options, minutes: int, exercises: list[str] | None) -> str:
    q = shlex.quote
    grade = [sys.executable, "-m", "grader", "--course", str(course.root / "course.yaml"),
             "grade", *map(str, submissions)]
    tail = ["--shard", f"$K/{plan.n}", "--plan", str(layout.plan), "--jobs", str(options.cpus),
            "--lines", *(a for e in exercises or () for a in ("-e", e)),
            *(["--unsafe-sandbox"] if options.unsafe_sandbox else [])]
    parts_dir = q(str(layout.part(1).parent))
    command = (" ".join(q(a) for a in grade) + f" \\\n    --out {parts_dir}/\"$K\" "
               + " ".join(a if a.startswith("$K") else q(a) for a in tail))
    lines = [
        "#!/bin/bash",
        f"# Written by `grader slurm` (grader {__version__}) for {course.title}:",
        f"# {sum(map(len, plan.parts))} submission(s) in {plan.n} part(s) of about equal "
        f"estimated cost ({layout.plan}).",
        f"# Array task K grades part K into {layout.part(1).parent}/K/ (only its students not "
        "graded yet).",
        "# Resubmit some parts by hand:  sbatch --array=2,5 " + str(layout.script),
        "# then join the parts:          " + " ".join(q(a) for a in (
            sys.executable, "-m", "grader", "--course", str(course.root / "course.yaml"),
            "merge")) + f" {q(str(layout.part(1).parent))}/* --out {q(str(layout.out))}",
        "# or run the same `grader slurm` command again: it resubmits only the parts not",
        "# finished, waits, and merges.",
        f"#SBATCH --job-name=grade-{course.id}",
        f"#SBATCH --array=1-{plan.n}",
        "#SBATCH --ntasks=1",
        f"#SBATCH --cpus-per-task={options.cpus}",
        f"#SBATCH --time={options.time or minutes}",
        f"#SBATCH --output={layout.logs}/%A_%a.out",
        f"#SBATCH --chdir={layout.root}",
        *(f"#SBATCH {a}" for a in options.sbatch_args),
        "set -euo pipefail",
        'K="$SLURM_ARRAY_TASK_ID"',
        f"exec {command}",
        "",
    ]
    return "\n".join(lines)


# ------------------------------------------------------------------------------- Slurm
def _run(cmd: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise GraderError(f"{cmd[0]}: not found; `grader slurm` runs on a Slurm login node "
                          f"(sbatch, squeue and scontrol on PATH)") from None
    except subprocess.TimeoutExpired:
        raise GraderError(f"{' '.join(cmd)}: no answer in {timeout:g} s; is slurmctld up?") from None


def submit(path: Path, parts: list[int]) -> str:
    """sbatch the array script for `parts`; the job id."""
    array = ",".join(map(str, parts))
    done = _run(["sbatch", "--parsable", f"--array={array}", str(path)])
    if done.returncode != 0:
        raise GraderError(f"sbatch --array={array} {path} failed: {done.stderr.strip()}")
    return done.stdout.strip().split(";")[0]


def live_tasks(job: str) -> dict[int, str] | None:
    """The tasks of `job` Slurm still has queued or running ({K: state}); None if squeue
    could not answer."""
    done = _run(["squeue", "-h", "-r", "-j", job, "-o", "%K %T"])
    if done.returncode != 0:
        if "Invalid job id" in done.stderr:
            return {}
        return None
    tasks = {}
    for line in done.stdout.split("\n"):
        k, _, state = line.strip().partition(" ")
        if k.isdigit():
            tasks[int(k)] = state
    return tasks


def final_states(job: str) -> dict[int, str]:
    """How each task of `job` ended, from sacct, or from scontrol where accounting is off
    (it keeps finished jobs for MinJobAge). Empty when neither knows any more."""
    states: dict[int, str] = {}
    try:
        done = _run(["sacct", "-n", "-P", "-X", "-j", job, "-o", "JobID,State"])
        if done.returncode == 0:
            for line in done.stdout.split("\n"):
                jid, _, state = line.partition("|")
                k = jid.rpartition("_")[2]
                if k.isdigit():
                    states[int(k)] = state.split()[0] if state else "?"
        if states:
            return states
        done = _run(["scontrol", "-o", "show", "job", job])
    except GraderError:         # only the message needs the states: never fail for them
        return states
    for line in done.stdout.split("\n"):
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if fields.get("ArrayTaskId", "").isdigit():
            states[int(fields["ArrayTaskId"])] = fields.get("JobState", "?")
    return states


def wait(job: str, progress: Callable[[dict[int, str]], None], poll: float) -> None:
    """Until no task of `job` is queued or running; `progress(live tasks)` at every poll."""
    failures = 0
    while True:
        tasks = live_tasks(job)
        if tasks is None:
            failures += 1
            if failures >= 12:
                raise GraderError(f"squeue cannot say whether job {job} is still running; "
                                  f"run the same command again later")
        else:
            failures = 0
            progress(tasks)
            if not tasks:
                return
        time.sleep(poll)


# ------------------------------------------------------------------------------- parts on disk
def part_of(plan: shards.Plan, students: list[Student]) -> dict[int, list[Student]]:
    by_name = {s.student: s for s in students}
    return {k: [by_name[s] for s in members] for k, members in enumerate(plan.parts, 1)}


def state(layout: Layout, k: int, s: Student) -> str:
    return shards.result_state(layout.part(k) / s.folder / "results.json", s.student,
                               s.fingerprint)


def carry_over(layout: Layout, plan: shards.Plan, students: list[Student]) -> int:
    """Put every up-to-date result where the plan wants it (from OUT/<student>/ or from
    another part, after a new plan), then drop the folders of students a part no longer
    holds. Returns how many results were carried."""
    parts = part_of(plan, students)
    carried = 0
    for k, members in parts.items():
        for s in members:
            if state(layout, k, s) == "graded":
                continue
            for src in [layout.out / s.folder,
                        *(layout.part(j) / s.folder for j in parts if j != k)]:
                if shards.result_state(src / "results.json", s.student, s.fingerprint) == "graded":
                    shards.copy_result(src, layout.part(k) / s.folder)
                    carried += 1
                    break
    for k, members in parts.items():
        keep = {s.folder for s in members}
        folder = layout.part(k)
        for d in sorted(folder.iterdir()) if folder.is_dir() else ():
            if d.is_dir() and d.name not in keep and (d / "results.json").exists():
                shutil.rmtree(d)
    for extra in sorted((layout.root / "parts").glob("*")):
        if extra.name.isdigit() and int(extra.name) > plan.n:
            shutil.rmtree(extra)
    return carried


def unfinished(layout: Layout, plan: shards.Plan, students: list[Student],
               wanted: tuple[str, ...] = ("graded",)) -> dict[int, list[str]]:
    """{K: the students of part K whose result is not in a `wanted` state}."""
    out = {}
    for k, members in part_of(plan, students).items():
        left = [s.student for s in members if state(layout, k, s) not in wanted]
        if left:
            out[k] = left
    return out


def _jobs(layout: Layout) -> list[dict]:
    try:
        return json.loads(layout.jobs.read_text())
    except (OSError, ValueError):
        return []


# ------------------------------------------------------------------------------- the command
def cmd_slurm(args: argparse.Namespace) -> int:
    from .submissions import gather as _gather
    course = manifest.load(args.course)
    options = Options(parts=args.parts, per_task=args.per_task, cpus=args.cpus_per_task,
                      time=args.time, sbatch_args=tuple(args.sbatch_arg or ()),
                      wait=not args.no_wait, submit=not args.no_submit, poll=args.poll,
                      unsafe_sandbox=args.unsafe_sandbox)
    exercises = args.exercise or None
    layout = Layout(Path(args.out).resolve())
    submissions = [Path(p).resolve() for p in args.submissions]
    say: Callable[[str], None] = _say if not args.quiet else _silent
    layout.logs.mkdir(parents=True, exist_ok=True)

    waited = ""
    history = _jobs(layout)
    if history and options.submit:
        job = history[-1]["job"]
        tasks = live_tasks(job)
        if tasks:
            if not options.wait:
                say(f"slurm job {job} is still running: {_describe(tasks)}; nothing submitted")
                return 0
            say(f"waiting for slurm job {job}, submitted earlier: {_describe(tasks)}")
            waited = job

    with tempfile.TemporaryDirectory(prefix="kit-slurm-") as tmp:
        staging = Path(tmp)
        subs, late = _gather([str(p) for p in submissions], course, staging / "lms")
        folders = student_id.assign_folders(s for s, _ in subs)
        if waited:
            _wait_with_progress(layout, waited, None, say, options.poll)
        if "slurm" in folders.by_student.values():
            raise GraderError(f"a student's results folder would be {layout.root}, which "
                              f"`grader slurm` uses; rename that submission")
        todo, fresh = batch.plan(course, subs, layout.out, staging / "ws", late=late,
                                 folders=folders, exercises=exercises)
        jobs = sorted(todo + fresh, key=lambda j: j.student)
        missing = {j.student: json.loads((staging / "ws" / f"{j.folder}.json").read_text())
                   ["missing"] for j in jobs}
    if not jobs:
        raise GraderError(f"no submissions found in {', '.join(map(str, submissions))}")
    students = estimate(course, jobs, missing, layout.out, exercises)
    plan = _plan(layout, students, options)
    carried = carry_over(layout, plan, students)
    course_hash = batch.course_fingerprint(course, exercises)
    for k, members in enumerate(plan.parts, 1):     # each part's contract, as its task writes it
        part = shards.PlanPart(k, plan.n, frozenset(members), plan.digest)
        layout.part(k).mkdir(parents=True, exist_ok=True)
        shards.write_part(layout.part(k), part, course_hash,
                          [j for j in jobs if j.student in part.students], exercises)
    todo_parts = unfinished(layout, plan, students)
    by_name = {s.student: s for s in students}
    minutes = time_limit(plan, students, options.cpus)
    results.write_atomic(layout.script, script(course, submissions, layout, plan, options,
                                               minutes, exercises))
    layout.script.chmod(0o755)
    say(f"{len(students)} submission(s) of {course.title} in {plan.n} part(s) "
        f"(estimated {', '.join(f'{sum(by_name[s].cost for s in p):.0f}' for p in plan.parts)} s)"
        f"; {sum(map(len, todo_parts.values()))} to grade"
        + (f", {carried} result(s) carried over" if carried else "") + f" · {layout.script}")

    if todo_parts and not waited:
        if not options.submit:
            say(f"not submitted (--no-submit): sbatch --array="
                f"{','.join(map(str, todo_parts))} {layout.script}")
            return 0
        job = submit(layout.script, sorted(todo_parts))
        history.append({"job": job, "parts": sorted(todo_parts), "plan": plan.digest,
                        "submitted": datetime.now(UTC).isoformat(timespec="seconds")})
        results.write_atomic(layout.jobs, json.dumps(history, indent=1) + "\n")
        say(f"submitted slurm job {job}: part(s) {','.join(map(str, sorted(todo_parts)))} "
            f"of {plan.n}, {options.cpus} cpu(s) each, time limit "
            + (options.time if options.time else f"{minutes} min"))
        if not options.wait:
            say("run the same command again to wait for it and merge "
                "(it submits nothing while the job runs)")
            return 0
        _wait_with_progress(layout, job, (plan, students), say, options.poll)
        waited = job

    gaps = unfinished(layout, plan, students, wanted=("graded", "grader_errors"))
    if gaps:
        states = final_states(waited) if waited else {}
        lines = [f"part {k} ({_task_name(waited, k, states)}): {len(left)} student(s) not "
                 f"graded: {', '.join(left)}" for k, left in sorted(gaps.items())]
        raise GraderError("the array did not grade the whole class; no gradebook written:\n  - "
                          + "\n  - ".join(lines) + "\nrun the same command again: it resubmits "
                          "only these parts and grades only these students")
    parts = [layout.part(k) for k in range(1, plan.n + 1)]
    count = shards.merge(layout.out, parts, course)
    report.write(course, layout.out)
    retry = unfinished(layout, plan, students)
    say(f"merged {count} result(s) from {plan.n} part(s) → {layout.out / 'gradebook.csv'}"
        + (f"; {sum(map(len, retry.values()))} with grader errors (run again to retry): "
           + ", ".join(s for left in retry.values() for s in left) if retry else ""))
    return 0


def _plan(layout: Layout, students: list[Student], options: Options) -> shards.Plan:
    """The plan of the previous run if it is of the same class (and the same number of
    parts, if one is asked for), so that a rerun only finishes parts; else a new one."""
    names = {s.student for s in students}
    if layout.plan.is_file():
        try:
            old = shards.load_plan(layout.plan)
        except GraderError:
            old = None
        if (old is not None and {s for p in old.parts for s in p} == names
                and (options.parts is None or min(options.parts, len(names)) == old.n)):
            return old
    n = options.parts or math.ceil(len(students) / max(1, options.per_task))
    plan = shards.balance({s.student: s.cost for s in students}, n)
    shards.save_plan(plan, layout.plan)
    return plan


def _describe(tasks: Mapping[int, str]) -> str:
    counts: dict[str, list[int]] = {}
    for k, st in sorted(tasks.items()):
        counts.setdefault(st.lower(), []).append(k)
    return ", ".join(f"{st} {','.join(map(str, ks))}" for st, ks in counts.items()) or "done"


def _task_name(job: str, k: int, states: Mapping[int, str]) -> str:
    if not job:
        return "not run"
    return f"task {job}_{k}: {states.get(k, 'ended, state no longer known')}"


def _wait_with_progress(layout: Layout, job: str,
                        planned: tuple[shards.Plan, list[Student]] | None,
                        say: Callable[[str], None], poll: float) -> None:
    """A progress bar of students graded on a terminal, else a line at every change."""
    from .progress import progress_bar
    t0 = time.monotonic()
    total = len(planned[1]) if planned is not None else 0
    bar = progress_bar(total, enabled=sys.stderr.isatty() and say is not _silent)

    def graded() -> int:
        if planned is None:
            return 0
        plan, students = planned
        return total - sum(map(len, unfinished(layout, plan, students,
                                               ("graded", "grader_errors")).values()))

    last = [""]

    def progress(tasks: dict[int, str]) -> None:
        done = graded()
        state = f"job {job}: {_describe(tasks) if tasks else 'all tasks ended'}"
        line = state + (f" · {done}/{total} graded" if planned is not None else "")
        if line == last[0]:
            return
        last[0] = line
        if bar is not None:
            bar.update(done - bar.n)
            bar.set_postfix_str(state[:60])
        else:
            say(f"[{time.monotonic() - t0:5.0f} s] {line}")

    try:
        wait(job, progress, poll)
    finally:
        if bar is not None:
            bar.close()


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _silent(text: str) -> None:
    pass


def add_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("slurm", help="grade a class as a Slurm job array, then merge",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submissions", nargs="+",
                   help="folders, zips, folders of them, or a Canvas/Moodle bulk download "
                        "(on a filesystem the compute nodes share)")
    p.add_argument("--out", required=True, help="where results go (shared with the nodes)")
    p.add_argument("-e", "--exercise", action="append", help="only this exercise (repeatable)")
    p.add_argument("--parts", type=int, help="array size (default: one per --per-task students)")
    p.add_argument("--per-task", type=int, default=10,
                   help="students per array task when --parts is not given (default: 10)")
    p.add_argument("--cpus-per-task", type=int, default=2,
                   help="cpus of each task = submissions it grades at once (default: 2)")
    p.add_argument("--time", help="sbatch --time of each task (default: from the estimated "
                                  "cost and the checks' timeouts)")
    p.add_argument("--sbatch-arg", action="append", metavar="ARG",
                   help="one more #SBATCH line, e.g. --sbatch-arg=--partition=short (repeatable)")
    p.add_argument("--no-wait", action="store_true",
                   help="submit and return; the same command run again waits and merges")
    p.add_argument("--no-submit", action="store_true",
                   help="write plan.json and grade.sbatch only")
    p.add_argument("--poll", type=float, default=5.0, help="seconds between squeue calls")
    p.add_argument("--unsafe-sandbox", action="store_true",
                   help="passed on to each task's `grader grade` (see docs/sandbox.md)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.set_defaults(func=cmd_slurm)
