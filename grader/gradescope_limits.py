"""The container's resources, read at run time on Gradescope, and the course's limits fitted to
them.

Gradescope runs each submission in a container whose memory is bounded by a cgroup (the
assignment's setting: 384 MB in its old documentation, more on request or in the settings).
Without a memory cgroup of its own (the container's cgroup file system is read-only) the kit
bounds each process by RLIMIT_DATA, course.yaml's `limits.memory_mb` (2048 MB in this course):
above the container's bound, so a submission that allocates without bound would not get a
MemoryError but the container's OOM killer, which may pick the grader. `fit_memory` lowers the
per-process (and per-run) limit below the container's bound, keeping `RESERVE_MB` for the grader
and the probe, so such a submission's process gets a MemoryError that the kit explains ("it hit
the sandbox's memory limit (N MB per process)"), and only its exercise is lost.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from .manifest import Limits

# What a container's cgroup bound is called where the container sees it (v2, v1).
CGROUP_LIMIT_FILES = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
RESERVE_MB = 256            # the grading process, the probe's start-up, the page cache
UNBOUNDED = 1 << 60         # v1 writes "no limit" as a number near 2**63


def container_memory_mb(limit_files: tuple[str, ...] = CGROUP_LIMIT_FILES,
                        meminfo: str = "/proc/meminfo") -> int | None:
    """The memory this container may use, in MiB: the smallest of its cgroup's bound and the
    machine's memory; None when neither can be read."""
    found = []
    for name in limit_files:
        try:
            text = Path(name).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < UNBOUNDED:
            found.append(int(text) // (1024 * 1024))
    try:
        for line in Path(meminfo).read_text().splitlines():
            if line.startswith("MemTotal:"):
                found.append(int(line.split()[1]) // 1024)
    except (OSError, ValueError, IndexError):
        pass
    return min(found) if found else None


def fit_memory(limits: Limits, total_mb: int | None) -> tuple[Limits, str]:
    """`limits` with the memory per process and per run below `total_mb`, and a note for the
    instructor saying what changed ('' when nothing did)."""
    if total_mb is None:
        return limits, ""
    cap = max(total_mb - RESERVE_MB, total_mb // 2)
    if limits.memory_mb <= cap and limits.run_memory_mb <= cap:
        return limits, ""
    fitted = replace(limits, memory_mb=min(limits.memory_mb, cap),
                     run_memory_mb=min(limits.run_memory_mb, cap))
    return fitted, (f"this container has {total_mb} MB of memory: each process of a run may "
                    f"use {fitted.memory_mb} MB (course.yaml: {limits.memory_mb} MB), all of a "
                    f"run's together {fitted.run_memory_mb} MB (course.yaml: "
                    f"{limits.run_memory_mb} MB)")
