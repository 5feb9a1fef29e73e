"""The Gradescope bundle on Ubuntu 22.04 (jammy) and 24.04 (noble), Gradescope's base images,
without Docker: a minimal Ubuntu (debootstrap --variant=minbase) in a chroot under /tmp.

    sudo .venv/bin/python bench/gradescope_images.py [--release jammy noble] [--course course.yaml]

For each release, as Gradescope does: the bundle unpacked at /autograder/source, setup.sh run
once (it may use apt and PyPI), then for each submission (the reference uploaded flat, the
stubs) /autograder/run_autograder with the upload in /autograder/submission, reading
/autograder/results/results.json. Like Gradescope's container: one CPU, the whole run in a
1 GiB memory cgroup, a fresh read-only-free sysfs without cgroups (the kit can make none), and
the sandbox at the 'uid' level (root without namespaces; forced with KIT_SANDBOX_LEVEL=uid,
since root here could use namespaces). Prints one line per step and a JSON summary.

A minbase image is barer than Gradescope's (no Python at all): setup.sh has to install it, so
this is the harder case. Needs root, debootstrap, util-linux and the Ubuntu archive
(http://archive.ubuntu.com/ubuntu); the chroot is kept for the next run (--fresh rebuilds it).
Too slow for the test suite (a few minutes per release: debootstrap, apt, two full gradings).
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "exercises"))

from _kit import procfs  # noqa: E402
from grader import gradescope, manifest  # noqa: E402

MIRROR = "http://archive.ubuntu.com/ubuntu"
MEMORY_MB = 1024
COMPONENTS = "main restricted universe multiverse"       # as in Ubuntu's Docker images

# Inside a private mount namespace: the chroot gets /proc, /dev and a sysfs of its own (whose
# /sys/fs/cgroup is empty: no cgroup to make, as in a container), then the command runs in it.
ENTER = r"""
set -e
c="$1"; shift
mount -t proc proc "$c/proc"
mount --rbind /dev "$c/dev"
mount -t sysfs -o ro sysfs "$c/sys"
cp /etc/resolv.conf "$c/etc/resolv.conf"
exec chroot "$c" "$@"
"""
ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
       "HOME": "/root", "LANG": "C.UTF-8", "DEBIAN_FRONTEND": "noninteractive"}


def log(text: str) -> None:
    print(text, flush=True)


def build_chroot(release: str, target: Path, fresh: bool) -> float:
    if fresh:
        shutil.rmtree(target, ignore_errors=True)
    if (target / "usr" / "bin" / "apt-get").exists():
        return 0.0
    if shutil.which("debootstrap") is None:
        raise SystemExit("debootstrap is missing: apt-get install debootstrap")
    keyring = Path("/usr/share/keyrings/ubuntu-archive-keyring.gpg")
    check = [f"--keyring={keyring}"] if keyring.exists() else ["--no-check-gpg"]
    script = Path("/usr/share/debootstrap/scripts") / release
    if not script.exists():
        script = Path("/usr/share/debootstrap/scripts/gutsy")   # every Ubuntu since uses it
    t0 = time.monotonic()
    done = subprocess.run(["debootstrap", "--variant=minbase", *check, release, str(target),
                           MIRROR, str(script)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"debootstrap {release} failed ({done.returncode}):\n"
                         + (done.stdout + done.stderr)[-3000:])
    return time.monotonic() - t0


def configure(release: str, target: Path) -> dict[str, str]:
    """The archive's components as in Ubuntu's Docker images, and this machine's own extra
    certificate authorities (a network that intercepts TLS: apt's ca-certificates adds them when
    setup.sh installs it); the environment that makes pip and uv use that bundle."""
    (target / "etc" / "apt" / "sources.list").write_text("".join(
        f"deb {MIRROR} {suite} {COMPONENTS}\n"
        for suite in (release, f"{release}-updates", f"{release}-security")))
    extra = sorted(Path("/usr/local/share/ca-certificates").glob("*.crt"))
    if not extra:
        return {}
    dest = target / "usr" / "local" / "share" / "ca-certificates"
    dest.mkdir(parents=True, exist_ok=True)
    for crt in extra:
        shutil.copy(crt, dest / crt.name)
    bundle = "/etc/ssl/certs/ca-certificates.crt"
    return {"PIP_CERT": bundle, "SSL_CERT_FILE": bundle}


def in_chroot(chroot: Path, argv: list[str], *, env: dict[str, str] | None = None,
              memory: procfs.MemoryCgroup | None = None, one_cpu: bool = False,
              timeout: float = 1800) -> subprocess.CompletedProcess:
    def enter() -> None:
        if one_cpu:
            os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        if memory is not None:
            with open(memory.procs_file, "w") as f:
                f.write(str(os.getpid()))
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-c",
                           ENTER, "enter", str(chroot), *argv], env={**ENV, **(env or {})},
                          capture_output=True, text=True, timeout=timeout, preexec_fn=enter)


def unpack(bundle: Path, autograder: Path) -> None:
    """As Gradescope: the zip at /autograder/source (modes kept), run_autograder beside it."""
    if autograder.exists():
        shutil.rmtree(autograder)
    (autograder / "source").mkdir(parents=True)
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(autograder / "source")
        for info in zf.infolist():
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(autograder / "source" / info.filename, mode)
    shutil.copy2(autograder / "source" / "run_autograder", autograder / "run_autograder")
    autograder.chmod(0o755)


def grade(chroot: Path, upload: dict[str, Path]) -> dict:
    autograder = chroot / "autograder"
    for name in ("submission", "results"):
        shutil.rmtree(autograder / name, ignore_errors=True)
    (autograder / "submission").mkdir()
    for rel, path in upload.items():
        shutil.copy(path, autograder / "submission" / rel)
    memory = procfs.MemoryCgroup.create(f"kit-gs-image-{secrets.token_hex(4)}",
                                        MEMORY_MB * 1024 * 1024)
    t0 = time.monotonic()
    try:
        run = in_chroot(chroot, ["bash", "-c", "cd /autograder && exec ./run_autograder"],
                        env={"KIT_SANDBOX_LEVEL": "uid"}, memory=memory, one_cpu=True)
        took = time.monotonic() - t0
        peak = -1
        if memory is not None:
            for name in ("memory.peak", "memory.max_usage_in_bytes"):
                try:
                    peak = int(Path(memory.path, name).read_text()) // (1024 * 1024)
                    break
                except (OSError, ValueError):
                    continue
    finally:
        if memory is not None:
            memory.remove()
    try:
        data = json.loads((autograder / "results" / "results.json").read_text())
    except (OSError, ValueError) as exc:
        return {"exit": run.returncode, "seconds": round(took, 1), "error": str(exc),
                "output": (run.stdout + run.stderr)[-2000:]}
    x = data.get("extra_data", {})
    return {"exit": run.returncode, "seconds": round(took, 1), "score": data["score"],
            "max": x.get("max_score"), "level": (x.get("isolation") or {}).get("level"),
            "memory_fitted": x.get("memory_fitted"), "peak_mb": peak,
            "failed_checks": sum(1 for t in data["tests"] if t["score"] < t["max_score"]),
            "grader_error": x.get("grader_error")}


def one_release(release: str, bundle: Path, course: manifest.Course, fresh: bool) -> dict:
    chroot = Path(f"/tmp/gs-chroot-{release}")
    out: dict = {"release": release}
    out["debootstrap_seconds"] = round(build_chroot(release, chroot, fresh), 1)
    log(f"{release}: chroot {chroot} ({out['debootstrap_seconds']} s to build)")
    env = configure(release, chroot)
    if env and (chroot / "usr" / "sbin" / "update-ca-certificates").exists():
        in_chroot(chroot, ["update-ca-certificates"])      # a kept chroot: add them now
    unpack(bundle, chroot / "autograder")
    t0 = time.monotonic()
    setup = in_chroot(chroot, ["bash", "/autograder/source/setup.sh"], env=env)
    out["setup"] = {"exit": setup.returncode, "seconds": round(time.monotonic() - t0, 1),
                    "status": (chroot / "autograder" / "kit-setup.status").read_text().strip()
                    if (chroot / "autograder" / "kit-setup.status").exists() else None}
    log(f"{release}: setup.sh {out['setup']}")
    if setup.returncode != 0:
        out["setup"]["log"] = (setup.stdout + setup.stderr)[-3000:]
    version = in_chroot(chroot, ["/autograder/venv/bin/python", "--version"])
    out["python"] = (version.stdout + version.stderr).strip()
    for name, root in (("reference", ROOT / "solutions"), ("stubs", ROOT / "exercises")):
        upload = {f"{ex.module}.py": root / ex.id / f"{ex.module}.py" for ex in course.exercises}
        out[name] = grade(chroot, upload)
        log(f"{release}: {name}: {out[name]}")
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--release", nargs="+", default=["jammy", "noble"])
    p.add_argument("--course", default=str(ROOT / "course.yaml"))
    p.add_argument("--fresh", action="store_true", help="rebuild the chroots")
    a = p.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("needs root (debootstrap, chroot, mounts)")
    course = manifest.load(Path(a.course))
    bundle = gradescope.build_bundle(course, Path(f"/tmp/gs-images-{os.getpid()}.zip"))
    summary = [one_release(r, bundle, course, a.fresh) for r in a.release]
    print(json.dumps(summary, indent=2))
    return 0 if all(s["setup"]["exit"] == 0 and s["reference"].get("score") == course.max_points
                    for s in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
