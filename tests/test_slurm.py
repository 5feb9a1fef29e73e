"""The cluster path against a running Slurm: a single-node cluster (munged, slurmctld, slurmd
from Debian's packages, in a private state folder, on free ports) started once for the session
and torn down at its end. A class graded through the job array must give the one-machine
gradebook; a task killed mid-way is recovered by running the same command again, with nothing
lost and nothing graded twice."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import results
from grader.cli import main

from .conftest import ROOT
from .test_batch import SOLUTION, STUB, book, make_class

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scontrol", "scancel", "sinfo")
PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"


def _which(name: str) -> str | None:
    return shutil.which(name, path=PATH)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SLURM_CONF = """\
ClusterName=kittest
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
AuthType=auth/munge
AuthInfo=socket={state}/munge/socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation={state}/ctld
SlurmdSpoolDir={state}/d
SlurmctldPidFile={state}/slurmctld.pid
SlurmdPidFile={state}/slurmd.pid
SlurmctldLogFile={state}/slurmctld.log
SlurmdLogFile={state}/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
KillWait=2
MinJobAge=600
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN
PartitionName=grade Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A running single-node Slurm; SLURM_CONF points at it while the session runs."""
    missing = [b for b in DAEMONS + CLIENTS if _which(b) is None]
    if missing:
        pytest.skip(f"Slurm is not installed ({', '.join(missing)} not found): "
                    f"apt-get install slurmctld slurmd slurm-client munge (.ci/run does)")
    if os.geteuid() != 0:
        pytest.skip("slurmd starts jobs as their user only when it runs as root; run as root "
                    "(CI does)")
    state = tmp_path_factory.mktemp("slurm")
    for sub in ("munge", "ctld", "d"):
        (state / sub).mkdir()
    key = state / "munge" / "munge.key"
    key.write_bytes(os.urandom(128))
    key.chmod(0o400)
    conf = state / "slurm.conf"
    conf.write_text(SLURM_CONF.format(host=socket.gethostname(), ctld_port=_free_port(),
                                      d_port=_free_port(), state=state,
                                      cpus=os.cpu_count() or 1))
    env = {**os.environ, "SLURM_CONF": str(conf), "PATH": PATH}
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        log = open(state / f"{name}.out", "wb")
        procs.append(subprocess.Popen([_which(name), *args], stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, env=env, start_new_session=True))
        log.close()

    def stop() -> None:
        """Cancel what is still queued (no job may outlive the session), then the daemons."""
        try:
            listed = subprocess.run(["squeue", "-h", "-o", "%A"], env=env, capture_output=True,
                                    text=True, timeout=30).stdout.split()
            if listed:
                subprocess.run(["scancel", *listed], env=env, timeout=30)
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and subprocess.run(
                        ["squeue", "-h"], env=env, capture_output=True, text=True,
                        timeout=30).stdout.strip():
                    time.sleep(0.5)
        except (OSError, subprocess.TimeoutExpired):
            pass                            # no controller to ask: the daemons go anyway
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    try:
        start("munged", "--foreground", "--force", f"--key-file={key}",
              f"--socket={state}/munge/socket", f"--pid-file={state}/munge/pid",
              f"--seed-file={state}/munge/seed", f"--log-file={state}/munge/log")
        start("slurmctld", "-D", "-c", "-f", str(conf))
        start("slurmd", "-D", "-N", socket.gethostname(), "-f", str(conf))
        deadline = time.monotonic() + 30
        while True:
            sinfo = subprocess.run(["sinfo", "-h", "-o", "%T"], env=env, capture_output=True,
                                   text=True, timeout=30)
            if sinfo.stdout.strip() == "idle":
                break
            dead = [p.args[0] for p in procs if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                logs = "\n".join(f"--- {n}\n{_tail(state / n)}" for n in
                                 ("munge/log", "slurmctld.log", "slurmd.log", "slurmctld.out",
                                  "slurmd.out"))
                raise RuntimeError(f"the single-node Slurm did not come up (exited: {dead}; "
                                   f"sinfo: {sinfo.stdout.strip() or sinfo.stderr.strip()})\n"
                                   f"{logs}")
            time.sleep(0.3)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        stop()
        pytest.skip(f"no single-node Slurm here: {exc}")
    mp = pytest.MonkeyPatch()
    mp.setenv("SLURM_CONF", str(conf))
    mp.setenv("PATH", PATH)
    try:
        yield conf
    finally:
        mp.undo()
        stop()


@pytest.fixture()
def frozen_course(tmp_path: Path) -> Path:
    """A copy of course.yaml, so that fingerprints do not move while the tests run."""
    path = tmp_path / "course" / "course.yaml"
    path.parent.mkdir()
    shutil.copy(ROOT / "course.yaml", path)
    for folder in ("exercises", "solutions"):
        (path.parent / folder).symlink_to(ROOT / folder)
    return path


def slurm_grade(course: Path, klass: Path, out: Path, *args: str) -> int:
    return main(["--course", str(course), "slurm", str(klass), "--out", str(out),
                 "-e", "p05_join", "--cpus-per-task", "1", "--poll", "0.3", *args])


def checks_of(out: Path, folder: str) -> list[tuple]:
    r = results.load(out / folder / "results.json")
    return [(c.exercise, c.check, c.status, c.score, c.max_score) for c in r.checks]


def test_a_class_graded_through_the_array_matches_one_machine(slurm, frozen_course, tmp_path,
                                                              capsys):
    names = [f"s{i:02}" for i in range(10)]
    klass = make_class(tmp_path / "class", {n: STUB if i in (1, 4, 7) else SOLUTION
                                            for i, n in enumerate(names)})
    one = tmp_path / "one"
    assert main(["--course", str(frozen_course), "grade", str(klass), "--out", str(one),
                 "-e", "p05_join", "--lines", "--jobs", "2"]) == 0
    out = tmp_path / "cluster"
    assert slurm_grade(frozen_course, klass, out, "--parts", "2") == 0
    err = capsys.readouterr().err
    assert re.search(r"submitted slurm job \d+: part\(s\) 1,2 of 2", err), err
    assert "merged 10 result(s) from 2 part(s)" in err

    assert book(out) == book(one)
    assert [r["p05_join"] for r in book(out)] == ["12", "6", "12", "12", "6", "12", "12", "6",
                                                  "12", "12"]
    for n in names:
        assert checks_of(out, n) == checks_of(one, n)
        assert (results.load(out / n / "results.json").fingerprint
                == results.load(one / n / "results.json").fingerprint)
    plan = json.loads((out / "slurm/plan.json").read_text())
    assert sorted(len(p["students"]) for p in plan["parts"]) == [5, 5]
    assert sorted(s for p in plan["parts"] for s in p["students"]) == names
    script = (out / "slurm/grade.sbatch").read_text()
    assert "#SBATCH --array=1-2" in script and "#SBATCH --cpus-per-task=1" in script
    assert len(list((out / "slurm/logs").glob("*_[12].out"))) == 2

    # run again: everything is up to date, nothing is submitted, the gradebook is the same
    assert slurm_grade(frozen_course, klass, out) == 0
    err = capsys.readouterr().err
    assert "0 to grade" in err and "submitted" not in err
    assert len(json.loads((out / "slurm/jobs.json").read_text())) == 1
    assert book(out) == book(one)


def test_a_task_killed_mid_way_is_recovered_by_running_the_command_again(
        slurm, frozen_course, tmp_path, capsys):
    names = [f"k{i}" for i in range(6)]
    klass = make_class(tmp_path / "class", {n: STUB if i % 2 else SOLUTION
                                            for i, n in enumerate(names)})
    out = tmp_path / "cluster"
    waiting = subprocess.Popen(          # the instructor's command, waiting for the array
        [sys.executable, "-m", "grader", "--course", str(frozen_course), "slurm", str(klass),
         "--out", str(out), "-e", "p05_join", "--cpus-per-task", "1", "--poll", "0.3",
         "--parts", "2"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60        # kill task 2 once it has graded one student
        while not list((out / "slurm/parts/2").glob("*/results.json")):
            assert time.monotonic() < deadline, "task 2 graded nobody within a minute"
            assert waiting.poll() is None, waiting.communicate()
            time.sleep(0.1)
        job = json.loads((out / "slurm/jobs.json").read_text())[-1]["job"]
        subprocess.run(["scancel", f"{job}_2"], check=True, timeout=30)
        _, err = waiting.communicate(timeout=120)
    finally:
        if waiting.poll() is None:
            waiting.kill()
            waiting.wait()
    part2 = json.loads((out / "slurm/plan.json").read_text())["parts"][1]["students"]
    assert len(part2) == 3

    # it waited for the array, found part 2 unfinished, named it, and merged nothing
    assert waiting.returncode == 2, err
    graded_before = {p.parent.name: results.load(p).started
                     for p in (out / "slurm/parts").glob("*/*/results.json")}
    lost = sorted(set(part2) - set(graded_before))
    assert 1 <= len(lost) <= 2
    assert re.search(rf"part 2 \(task {job}_2: CANCELLED[^)]*\): {len(lost)} student\(s\) not "
                     rf"graded: {', '.join(lost)}", err), err
    assert "part 1 " not in err.split("no gradebook written")[1]
    assert not (out / "gradebook.csv").exists()

    # once more: only part 2 is submitted, only its lost students are graded, then it merges
    assert slurm_grade(frozen_course, klass, out) == 0
    err = capsys.readouterr().err
    assert re.search(r"submitted slurm job \d+: part\(s\) 2 of 2", err), err
    assert [r["student"] for r in book(out)] == names
    assert [r["p05_join"] for r in book(out)] == ["12", "6"] * 3
    for folder, started in graded_before.items():     # graded before the kill: untouched
        assert results.load(out / "slurm/parts" / _part(out, folder) / folder
                            / "results.json").started == started
    rerun_log = [p for p in (out / "slurm/logs").glob("*.out")
                 if not p.name.startswith(f"{job}_")]
    assert len(rerun_log) == 1
    text = rerun_log[0].read_text()
    assert re.search(rf"grading {len(lost)} of 3 submission\(s\) .*\({3 - len(lost)} up to "
                     rf"date\)", text)
    assert sorted(re.findall(r"^(k\d): \d", text, re.M)) == lost   # the lost ones, only them
    graded = Counter()          # a student the killed task finished may lack its line, never twice
    for log in (out / "slurm/logs").glob("*.out"):
        graded.update(re.findall(r"^(k\d): \d", log.read_text(), re.M))
    assert max(graded.values()) == 1


def _part(out: Path, folder: str) -> str:
    return next(p.parent.parent.name
                for p in (out / "slurm/parts").glob(f"*/{folder}/results.json"))
