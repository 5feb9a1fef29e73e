"""The shard contract without a cluster: part.json, balanced plans, and `grader merge`
refusing parts that are missing, incomplete, mixed or graded with another course.yaml."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader import shards
from grader.batch import in_shard
from grader.cli import main
from grader.errors import GraderError

from .conftest import ROOT
from .test_batch import SOLUTION, book, make_class

NAMES = ["ann", "bob", "cat"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A frozen course, a class of three, and its two hash parts, graded once for the module."""
    root = tmp_path_factory.mktemp("merge")
    course = root / "course" / "course.yaml"
    course.parent.mkdir()
    shutil.copy(ROOT / "course.yaml", course)
    for folder in ("exercises", "solutions"):
        (course.parent / folder).symlink_to(ROOT / folder)
    klass = make_class(root / "class", {n: SOLUTION for n in NAMES})
    assert [n for n in NAMES if in_shard(n, (1, 2))] and [n for n in NAMES if in_shard(n, (2, 2))]
    for k in (1, 2):
        assert main(["--course", str(course), "grade", str(klass), "-e", "p05_join", "--lines",
                     "--out", str(root / f"p{k}"), "--shard", f"{k}/2"]) == 0
    return root


@pytest.fixture()
def parts(graded: Path, tmp_path: Path) -> Path:
    """A private copy of the graded parts and the course, to break as a test likes."""
    for name in ("p1", "p2", "course"):
        shutil.copytree(graded / name, tmp_path / name, symlinks=True)
    return tmp_path


def merge(root: Path, *folders: str) -> int:
    return main(["--course", str(root / "course/course.yaml"), "merge",
                 *(str(root / f) for f in folders), "--out", str(root / "all")])


def in_part(k: int) -> list[str]:
    return [n for n in NAMES if in_shard(n, (k, 2))]


def test_each_part_records_its_contract(parts):
    part = shards.read_part(parts / "p2")
    assert (part.k, part.n, part.split, part.exercises) == (2, 2, "hash", ("p05_join",))
    assert sorted(part.students) == in_part(2)
    assert all(folder == s for s, (folder, _) in part.students.items())


def test_a_complete_set_of_parts_merges(parts, capsys):
    assert merge(parts, "p1", "p2") == 0
    assert [(r["student"], r["p05_join"]) for r in book(parts / "all")] == [
        (n, "12") for n in NAMES]
    assert "merged 3 result(s)" in capsys.readouterr().err


def test_a_missing_part_is_named_and_nothing_is_written(parts, capsys):
    assert merge(parts, "p1") == 2
    err = capsys.readouterr().err
    assert "merge refused; nothing was written" in err
    assert "part 2 of 2 is missing: grade it with --shard 2/2 and merge again" in err
    assert not (parts / "all" / "gradebook.csv").exists()


def test_students_without_results_are_named(parts, capsys):
    lost = in_part(2)[0]
    shutil.rmtree(parts / "p2" / lost)
    assert merge(parts, "p1", "p2") == 2
    assert (f"{parts / 'p2'} (part 2 of 2): 1 student(s) not graded: {lost}"
            in capsys.readouterr().err)
    assert not (parts / "all").exists()


def test_a_result_of_another_submission_is_refused(parts, capsys):
    student = in_part(1)[0]
    path = parts / "p1" / student / "results.json"
    data = json.loads(path.read_text())
    data["extra_data"]["fingerprint"] = "0" * 64
    path.write_text(json.dumps(data))
    assert merge(parts, "p1", "p2") == 2
    assert (f"(part 1 of 2): the results of {student} are not of the submission this part "
            f"planned" in capsys.readouterr().err)


def test_parts_graded_with_another_course_yaml_are_refused(parts, capsys):
    course = parts / "course" / "course.yaml"
    course.write_text(course.read_text() + "\n# a late edit\n")
    assert merge(parts, "p1", "p2") == 2
    err = capsys.readouterr().err
    for k in (1, 2):
        assert (f"{parts / f'p{k}'} (part {k} of 2) was graded with a different {course} or "
                f"hidden checks: grade it again") in err


def test_parts_of_different_splits_or_given_twice_are_refused(parts, capsys):
    assert merge(parts, "p1", "p1", "p2") == 2
    assert f"part 1 of 2 is given twice: {parts / 'p1'}, {parts / 'p1'}" in capsys.readouterr().err
    path = parts / "p2" / "part.json"
    path.write_text(path.read_text().replace('"of": 2', '"of": 3'))
    assert merge(parts, "p1", "p2") == 2
    assert (f"the folders come from different splits of the class: {parts / 'p1'} is part 1 of "
            f"2 (hash); {parts / 'p2'} is part 2 of 3 (hash)") in capsys.readouterr().err


def test_a_folder_without_part_json_is_refused(parts, capsys):
    (parts / "p2" / "part.json").unlink()
    assert merge(parts, "p1", "p2") == 2
    assert (f"{parts / 'p2'}: no part.json; merge joins the folders written by "
            f"`grader grade --shard K/N`") in capsys.readouterr().err


def test_balance_gives_parts_of_equal_cost_the_same_everywhere():
    plan = shards.balance({"a": 10, "b": 9, "c": 1, "d": 1, "e": 1}, 2)
    assert plan.parts == (("a", "d"), ("b", "c", "e"))          # 11 and 11 seconds
    assert plan == shards.balance({"e": 1, "d": 1, "c": 1, "b": 9, "a": 10}, 2)
    assert shards.balance({"a": 1, "b": 1}, 5).n == 2            # never an empty part
    assert shards.Plan.from_dict(json.loads(json.dumps(plan.to_dict()))) == plan
    with pytest.raises(GraderError, match="no submissions"):
        shards.balance({}, 3)


def test_a_plan_must_cover_exactly_the_class_given(tmp_path):
    plan = shards.balance({"a": 1, "b": 1, "c": 1}, 2)
    path = tmp_path / "plan.json"
    shards.save_plan(plan, path)
    part = shards.resolve((2, 2), str(path), ["a", "b", "c"])
    assert isinstance(part, shards.PlanPart) and part.students == frozenset(plan.parts[1])
    assert [s for s in "abc" if in_shard(s, part)] == list(plan.parts[1])
    with pytest.raises(GraderError, match=r"has 2 part\(s\); use --shard K/2"):
        shards.resolve((1, 3), str(path), ["a", "b", "c"])
    with pytest.raises(GraderError, match=r"another class \(not in the plan: d; in the plan but "
                                          r"not among the submissions: c\)"):
        shards.resolve((1, 2), str(path), ["a", "b", "d"])
    with pytest.raises(GraderError, match="needs --shard K/N"):
        shards.resolve(None, str(path), ["a"])


def test_slurm_no_submit_writes_the_plan_and_the_script(graded, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["--course", str(graded / "course/course.yaml"), "slurm", str(graded / "class"),
                 "--out", str(out), "-e", "p05_join", "--parts", "2", "--cpus-per-task", "3",
                 "--sbatch-arg=--partition=short", "--no-submit"]) == 0
    assert "not submitted (--no-submit): sbatch --array=1,2" in capsys.readouterr().err
    plan = shards.load_plan(out / "slurm/plan.json")
    assert plan.n == 2 and sorted(s for p in plan.parts for s in p) == NAMES
    script = (out / "slurm/grade.sbatch").read_text().splitlines()
    assert script[0] == "#!/bin/bash"
    directives = [line for line in script if line.startswith("#SBATCH")]
    assert directives == ["#SBATCH --job-name=grade-concurrency-101", "#SBATCH --array=1-2",
                          "#SBATCH --ntasks=1", "#SBATCH --cpus-per-task=3",
                          "#SBATCH --time=5", f"#SBATCH --output={out}/slurm/logs/%A_%a.out",
                          f"#SBATCH --chdir={out}/slurm", "#SBATCH --partition=short"]
    command = " ".join(script[script.index('K="$SLURM_ARRAY_TASK_ID"') + 1:])
    assert f"--out {out}/slurm/parts/\"$K\" --shard $K/2 --plan {out}/slurm/plan.json" in command
    assert command.endswith("--jobs 3 --lines -e p05_join")


def _one_machine_results(graded: Path, out: Path) -> None:
    """OUT/<student>/ as a one-machine run leaves it, from the module's graded parts."""
    for k in (1, 2):
        for student in in_part(k):
            shutil.copytree(graded / f"p{k}" / student, out / student)


def test_slurm_carries_up_to_date_results_into_the_parts_and_submits_nothing(graded, tmp_path,
                                                                              capsys):
    out = tmp_path / "out"
    _one_machine_results(graded, out)
    args = ["--course", str(graded / "course/course.yaml"), "slurm", str(graded / "class"),
            "--out", str(out), "-e", "p05_join", "--no-submit"]
    assert main([*args, "--parts", "2"]) == 0
    err = capsys.readouterr().err
    assert "0 to grade, 3 result(s) carried over" in err and "merged 3 result(s) from 2" in err
    plan = shards.load_plan(out / "slurm/plan.json")
    for k, members in enumerate(plan.parts, 1):
        assert sorted(p.name for p in (out / "slurm/parts" / str(k)).iterdir() if p.is_dir()) \
            == list(members)
    # a new plan of 3 parts moves the results where it wants them; still nothing to grade
    assert main([*args, "--parts", "3"]) == 0
    err = capsys.readouterr().err
    assert "in 3 part(s)" in err and "0 to grade" in err and "carried over" in err
    assert sorted(p.name for p in (out / "slurm/parts").glob("*/*") if p.is_dir()) == NAMES
    assert [(r["student"], r["p05_join"]) for r in book(out)] == [(n, "12") for n in NAMES]


def test_costs_are_measured_where_a_result_exists_and_estimated_elsewhere(graded, tmp_path):
    from grader import manifest, results
    from grader.batch import Job
    from grader.slurm import DEFAULT_SECONDS_PER_CHECK, estimate
    course = manifest.load(graded / "course/course.yaml")
    out = tmp_path / "out"
    _one_machine_results(graded, out)
    ann, bob = (results.load(out / n / "results.json") for n in ("ann", "bob"))
    jobs = [Job("ann", graded / "class/ann", "ann", ann.fingerprint),     # up to date
            Job("bob", graded / "class/bob", "bob", "changed"),           # resubmitted
            Job("dan", graded / "class/dan", "dan", "new")]               # never graded
    costs = {s.student: s for s in estimate(course, jobs, {"dan": []}, out, ["p05_join"])}
    checks = len(course.exercise("p05_join").checks)
    assert costs["ann"].cost == 0.0
    assert costs["bob"].cost == bob.execution_time > 0
    per_check = (ann.execution_time + bob.execution_time) / (len(ann.checks) + len(bob.checks))
    assert costs["dan"].cost == pytest.approx(per_check * checks)
    assert per_check != DEFAULT_SECONDS_PER_CHECK
    assert costs["dan"].budget == sum(c.timeout for c in course.exercise("p05_join").checks)
    nothing = estimate(course, jobs[2:], {"dan": ["p05_join"]}, tmp_path / "empty", ["p05_join"])
    assert (nothing[0].cost, nothing[0].budget) == (0.0, 0.0)
