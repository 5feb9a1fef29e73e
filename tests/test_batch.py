"""Grading a class: parallel workers, resume after a crash, regrade, shards and merge, LMS
bulk downloads, the late policy."""
from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grader import late, lms_intake, manifest
from grader.batch import in_shard, parse_shard
from grader.cli import main
from grader.errors import GraderError

from .conftest import ROOT

SOLUTION = ROOT / "solutions/p05_join/p05_join.py"
STUB = ROOT / "exercises/p05_join/p05_join.py"


@pytest.fixture()
def frozen_course(tmp_path: Path) -> Path:
    """A copy of course.yaml, so that fingerprints do not move while the tests run."""
    path = tmp_path / "course" / "course.yaml"
    path.parent.mkdir()
    shutil.copy(ROOT / "course.yaml", path)
    for folder in ("exercises", "solutions"):
        (path.parent / folder).symlink_to(ROOT / folder)
    return path


def make_class(root: Path, students: dict[str, Path]) -> Path:
    for name, module in students.items():
        (root / name / "p05_join").mkdir(parents=True)
        shutil.copy(module, root / name / "p05_join" / "p05_join.py")
    return root


def grade(course: Path, *args: str) -> int:
    return main(["--course", str(course), "grade", "-e", "p05_join", "--lines", *args])


def book(out: Path) -> list[dict]:
    return list(csv.DictReader((out / "gradebook.csv").read_text().splitlines()))


def test_resume_regrade_and_up_to_date(frozen_course, tmp_path, capsys):
    klass = make_class(tmp_path / "class", {"ann": SOLUTION, "ben": STUB})
    out = tmp_path / "out"
    assert grade(frozen_course, str(klass), "--out", str(out), "--jobs", "2") == 0
    first = book(out)
    assert [(r["student"], r["p05_join"]) for r in first] == [("ann", "12"), ("ben", "6")]
    stamp = (out / "ann/results.json").stat().st_mtime_ns
    capsys.readouterr()
    assert grade(frozen_course, str(klass), "--out", str(out)) == 0
    assert "grading 0 of 2 submission(s)" in capsys.readouterr().err
    assert (out / "ann/results.json").stat().st_mtime_ns == stamp
    # ben fixes his code: only ben is graded again
    shutil.copy(SOLUTION, klass / "ben/p05_join/p05_join.py")
    assert grade(frozen_course, str(klass), "--out", str(out)) == 0
    assert "grading 1 of 2" in capsys.readouterr().err
    assert (out / "ann/results.json").stat().st_mtime_ns == stamp
    assert [r["p05_join"] for r in book(out)] == ["12", "12"]
    # --regrade forces one student, and only that one
    assert grade(frozen_course, str(klass), "--out", str(out), "--regrade", "ann") == 0
    assert "grading 1 of 2" in capsys.readouterr().err
    assert grade(frozen_course, str(klass), "--out", str(out), "--regrade", "zed") == 2


def test_a_batch_killed_with_sigkill_resumes_to_the_same_gradebook(frozen_course, tmp_path):
    klass = make_class(tmp_path / "class", {f"s{i}": SOLUTION for i in range(4)})
    clean, broken = tmp_path / "clean", tmp_path / "broken"
    cmd = [sys.executable, "-m", "grader", "--course", str(frozen_course), "grade", "-e",
           "p05_join", "--lines", "--jobs", "1", str(klass)]
    subprocess.run([*cmd, "--out", str(clean)], check=True, capture_output=True, timeout=300)
    proc = subprocess.Popen([*cmd, "--out", str(broken)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(broken.glob("*/results.json")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)          # the power cut: grader and workers at once
    proc.wait()
    graded_before = len(list(broken.glob("*/results.json")))
    assert 1 <= graded_before < 4
    subprocess.run([*cmd, "--out", str(broken)], check=True, capture_output=True, timeout=300)
    strip = lambda rows: [{k: v for k, v in r.items()} for r in rows]  # noqa: E731
    assert strip(book(broken)) == strip(book(clean))
    assert not list(broken.glob("**/*.tmp")), "a half-written file survived"


def test_shards_split_the_class_and_merge_joins_them(frozen_course, tmp_path):
    names = [f"st{i}" for i in range(6)]
    klass = make_class(tmp_path / "class", {n: SOLUTION for n in names[:2]} | {n: STUB for n in names[2:]})
    parts = [{n for n in names if in_shard(n, (k, 3))} for k in (1, 2, 3)]
    assert set().union(*parts) == set(names) and sum(map(len, parts)) == len(names)
    for k in (1, 2, 3):
        assert grade(frozen_course, str(klass), "--out", str(tmp_path / f"part{k}"),
                     "--shard", f"{k}/3") == 0
    assert main(["--course", str(frozen_course), "merge", *(str(tmp_path / f"part{k}") for k in (1, 2, 3)),
                 "--out", str(tmp_path / "all")]) == 0
    rows = book(tmp_path / "all")
    assert [r["student"] for r in rows] == names
    assert [r["p05_join"] for r in rows] == ["12", "12", "6", "6", "6", "6"]


def test_shard_syntax_errors_say_what_is_expected():
    assert parse_shard("2/8") == (2, 8)
    for bad in ("2", "0/3", "4/3", "a/b"):
        with pytest.raises(GraderError, match="K"):
            parse_shard(bad)


def _canvas_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(SOLUTION, "doejane_1001_5001_p05_join.py")
        zf.write(STUB, "roericky_LATE_1002_5002_p05_join.py")
        zf.write(SOLUTION, "roericky_LATE_1002_5003_p05_join-1.py")   # his resubmission
        inner = path.parent / "inner.zip"
        with zipfile.ZipFile(inner, "w") as iz:
            iz.write(STUB, "mywork/p05_join/p05_join.py")
        zf.write(inner, "smithsam_1003_5004_mywork.zip")
    return path


def test_canvas_download_is_split_per_student_with_late_marks(course, tmp_path):
    path = _canvas_zip(tmp_path / "submissions.zip")
    assert lms_intake.kind_of(path) == "canvas"
    subs = {s.student: s for s in lms_intake.expand(path, course, tmp_path / "stage")}
    assert set(subs) == {"1001", "1002", "1003"}
    assert subs["1002"].late == {"marked_late": True} and subs["1001"].late == {}
    assert (subs["1002"].source / "p05_join/p05_join.py").read_bytes() == SOLUTION.read_bytes()
    assert subs["1003"].source.suffix == ".zip"


def test_grading_a_canvas_download_applies_the_late_policy(frozen_course, tmp_path):
    out = tmp_path / "out"
    assert grade(frozen_course, str(_canvas_zip(tmp_path / "submissions.zip")), "--out", str(out)) == 0
    rows = {r["student"]: r for r in book(out)}
    assert rows["1001"]["score"] == "12" and rows["1003"]["score"] == "6"
    assert rows["1002"]["late_penalty"] == "0.1" and float(rows["1002"]["score"]) == pytest.approx(10.8)


def test_moodle_download_folders_become_students(course, tmp_path):
    path = tmp_path / "moodle.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(SOLUTION, "Jane Doe_2001_assignsubmission_file_/p05_join.py")
        zf.writestr("Jane Doe_2001_assignsubmission_onlinetext_/onlinetext.html", "<p>hi</p>")
        zf.write(STUB, "Élodie Ñúñez_2002_assignsubmission_file_/p05_join.py")
    assert lms_intake.kind_of(path) == "moodle"
    subs = {s.student: s for s in lms_intake.expand(path, course, tmp_path / "stage")}
    assert set(subs) == {"2001", "2002"} and subs["2002"].name == "Élodie Ñúñez"


def test_late_policy(tmp_path):
    course = manifest.load(ROOT / "course.yaml")
    course = manifest.Course(**{**course.__dict__, "due": datetime(2026, 12, 1, 12, tzinfo=UTC)})
    assert late.assess(course, "2026-12-01T12:10:00+00:00") == {}          # within the grace
    two = late.assess(course, "2026-12-02T13:00:00+00:00")
    assert (two["days_late"], two["penalty"]) == (2, 0.2)
    assert late.assess(course, "2026-12-20T12:00:00+00:00")["penalty"] == 1.0   # past max days
    assert late.assess(course, None, marked_late=True)["days_late"] == 1


def test_a_crashed_batchs_empty_cgroups_are_swept(tmp_path, monkeypatch):
    """Old empty run cgroups go; fresh ones (a run starting now) and busy ones stay."""
    from _kit import procfs
    pids, memory = tmp_path / "pids", tmp_path / "memory"
    old = [pids / "kit-run-old", memory / "kit-run-old"]
    fresh = pids / "kit-run-fresh"
    busy = memory / "kit-run-busy"
    other = pids / "someone-else"
    for folder in [*old, fresh, busy, other]:
        folder.mkdir(parents=True)
    (busy / "cgroup.procs").write_text("123")     # not empty: rmdir fails, as for a live one
    for folder in [*old, busy, other]:
        os.utime(folder, (time.time() - 3600, time.time() - 3600))
    monkeypatch.setattr(procfs, "PIDS_ROOTS", (str(pids),))
    monkeypatch.setattr(procfs, "MEMORY_ROOTS", (str(memory),))
    assert procfs.sweep_cgroups() == 2
    assert not any(f.exists() for f in old)
    assert fresh.exists() and busy.exists() and other.exists()
