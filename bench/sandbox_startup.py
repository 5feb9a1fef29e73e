"""What one sandboxed run costs before any student code runs, at every level this machine has.

    python bench/sandbox_startup.py [--runs 30]

For each level ("namespaces": root's unshare + dropped uid; "userns": bubblewrap, what an
ordinary user gets; "session": the weak fallback) it runs a function that returns at once,
`--runs` times, and prints the wall time per run (median and 90th percentile, launch to
verdict, on the parent's clock) and the CPU time of all the processes of a run together
(user + system: as root, from a cgroup that holds this script and everything it starts, so
processes killed before their parent reaped them are counted too). As root, "userns" is forced with
KIT_SANDBOX_LEVEL=userns; the figure is the same bubblewrap start an ordinary user pays.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from _kit.contract import RunOptions  # noqa: E402
from grader import manifest, sandbox  # noqa: E402

LEVELS = ("namespaces", "userns", "session")


def isolation_at(level: str) -> sandbox.Isolation | None:
    old = os.environ.pop("KIT_SANDBOX_LEVEL", None)
    try:
        if level != "namespaces":
            os.environ["KIT_SANDBOX_LEVEL"] = level
        iso = sandbox.detect.__wrapped__()
    finally:
        os.environ.pop("KIT_SANDBOX_LEVEL", None)
        if old is not None:
            os.environ["KIT_SANDBOX_LEVEL"] = old
    return iso if iso.level == level else None


class CpuMeter:
    """CPU seconds used by this process and all its descendants: a cgroup holding them
    (cgroup v2 `cpu.stat`, or v1 `cpuacct.usage`); root only."""

    def __init__(self) -> None:
        self.group: Path | None = None
        self.usage_file = ""
        if os.geteuid() != 0:
            return
        name = f"kit-bench-{secrets.token_hex(4)}"
        for base, usage in ((Path("/sys/fs/cgroup"), "cpu.stat"),
                            (Path("/sys/fs/cgroup/cpuacct"), "cpuacct.usage")):
            if usage == "cpu.stat" and not (base / "cgroup.controllers").exists():
                continue
            if not base.is_dir():
                continue
            group = base / name
            try:
                group.mkdir()
                (group / "cgroup.procs").write_text(str(os.getpid()))
            except OSError:
                with contextlib.suppress(OSError):
                    group.rmdir()
                continue
            self.group, self.usage_file = group, usage
            return

    def usage(self) -> float | None:
        if self.group is None:
            return None
        text = (self.group / self.usage_file).read_text()
        if self.usage_file == "cpuacct.usage":
            return int(text) / 1e9
        for line in text.splitlines():
            if line.startswith("usage_usec "):
                return int(line.split()[1]) / 1e6
        return None

    def close(self) -> None:
        if self.group is not None:
            with contextlib.suppress(OSError):
                (self.group.parent / "cgroup.procs").write_text(str(os.getpid()))
                self.group.rmdir()


METER = CpuMeter()


def measure(level: str, runs: int) -> str:
    iso = isolation_at(level)
    if iso is None:
        return f"{level:>10}: not available on this machine"
    course = manifest.load(ROOT / "course.yaml")
    box = sandbox.Sandbox(course.limits, course.root, isolation=iso)
    walls, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
        Path(tmp, "noop.py").write_text("def noop():\n    return None\n", encoding="utf-8")
        box.run(Path(tmp), "noop", "noop", options=RunOptions(timeout=30))   # warm the page cache
        for _ in range(runs):
            before = METER.usage()
            t0 = time.perf_counter()
            run = box.run(Path(tmp), "noop", "noop", options=RunOptions(timeout=30))
            walls.append(time.perf_counter() - t0)
            after = METER.usage()
            if before is not None and after is not None:
                cpus.append(after - before)
            if not run.returned:
                return f"{level:>10}: a run failed: {run.explain()}"
    walls.sort()
    p90 = walls[int(0.9 * (len(walls) - 1))]
    cpu = f"{statistics.mean(cpus) * 1000:6.1f} ms" if cpus else "n/a (not root)"
    return (f"{level:>10}: wall per run median {statistics.median(walls) * 1000:6.1f} ms, "
            f"p90 {p90 * 1000:6.1f} ms; CPU per run (all its processes, grader side "
            f"included) {cpu} ({runs} runs)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=30)
    args = p.parse_args(argv)
    print(f"uid {os.geteuid()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    try:
        for level in LEVELS:
            print(measure(level, args.runs), flush=True)
    finally:
        METER.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
