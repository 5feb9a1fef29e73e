"""The probe's job (_kit/contract.py ProbeJob): what the launcher sends is what the contract
declares, and every key the contract declares is read on the probe's side."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from _kit import contract, launch
from _kit.contract import Confinement, ProbeJob, RunOptions

KIT = Path(launch.__file__).resolve().parent
DECLARED = ProbeJob.__required_keys__ | ProbeJob.__optional_keys__


def _job(confinement: Confinement, options: RunOptions) -> ProbeJob:
    root = Path("/tmp/kit-run-x")
    folder = launch.RunFolder(root=root, kit_home=Path("/tmp/kit-probe-1-x"), work=root / "work",
                              scratch=root / "scratch", stacks=root / "stacks",
                              events_path=root / "events.jsonl")
    call = launch.ProbeCall("/course/p01", "p01", "f", [1], {"n": 2})
    return launch.probe_job(call, folder, "k" * 32, confinement, obs_fd=5, lifeline_fd=6,
                            options=options)


def test_a_public_tests_job_has_the_required_keys_and_nothing_else():
    job = _job(Confinement(), RunOptions())
    assert set(job) == ProbeJob.__required_keys__
    assert (job["module"], job["function"], job["args"], job["kwargs"], job["mode"]) == \
        ("p01", "f", [1], {"n": 2}, "call")


def test_a_sandboxed_jobs_keys_are_all_declared():
    sandbox: contract.SandboxJob = {
        "limits": {"cpu_seconds": 10, "processes": 64}, "uid": 1001, "gid": 1001,
        "loopback_up": True, "hide": ["/home"], "private": [["/tmp", "mode=1777"]],
        "keep": ["/usr"], "private_scratch": "mode=0700"}
    cgroup = SimpleNamespace(procs_file="/sys/fs/cgroup/kit-run-x/cgroup.procs")
    job = _job(Confinement(job=sandbox, pids_cgroup=cgroup, memory_cgroup=cgroup),
               RunOptions(mode="scenario", scenario="workers_x.drive"))
    assert set(job) == DECLARED - {"diagnose_deadline"}     # added at the launch
    # the probe's copy of _kit stays visible under a private /tmp; the sandbox's list unchanged
    assert job["keep"] == ["/usr", "/tmp/kit-probe-1-x"] and sandbox["keep"] == ["/usr"]


def test_every_declared_key_is_read_by_the_probe():
    probe_side = (KIT / "sandbox_main.py").read_text() + (KIT / "diagnosis.py").read_text()
    read = set(re.findall(r'job(?:\.get\(|\[)"(\w+)"', probe_side))
    assert read == DECLARED, (f"declared, never read: {sorted(DECLARED - read)}; "
                              f"read, not declared: {sorted(read - DECLARED)}")
