"""`grader grade` as an instructor really runs it: an ordinary user, the kit installed
(editable) in their home, LMS tokens in their environment, the defaults.

A throwaway user is created (CI runs as root), the kit is copied into their home, and a class
of one victim (the reference p05_join) and the attackers of tests/hostile/instructor/ is graded
as that user. Every attack must be held: the home's canaries, the kit's files and the victim's
result are unchanged, nothing secret reaches any output, a TCP listener on the host's
127.0.0.1 sees no connection, the batch finishes and grades everyone, and no process, file,
semaphore or shared memory segment of the submissions is left.
"""
from __future__ import annotations

import hashlib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader import manifest

from .conftest import ROOT

pytestmark = pytest.mark.slow

ATTACKS = ROOT / "tests" / "hostile" / "instructor"
ATTACKERS = ["spy", "vandal", "killer", "escaper"]
KIT_PARTS = ["course.yaml", "grader", "exercises", "solutions"]


@dataclass(frozen=True)
class Instructor:
    name: str
    uid: int
    home: Path
    python: str          # the system's Python, which an ordinary user can run


def _system_python() -> str | None:
    """The system interpreter of the running version (the test's own may live in /root)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return shutil.which(version, path="/usr/bin:/usr/local/bin")


@pytest.fixture(scope="module")
def instructor() -> Instructor:
    if os.geteuid() != 0:
        pytest.skip("creating a throwaway user needs root (CI runs as root); run as an "
                    "ordinary user, the rest of the suite already grades as one")
    missing = [t for t in ("useradd", "userdel", "runuser") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"this machine cannot create users (no {', '.join(missing)})")
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap is not installed (Debian: apt install bubblewrap; .ci/run "
                    "installs it)")
    python = _system_python()
    if python is None:
        pytest.skip(f"no system python{sys.version_info.major}.{sys.version_info.minor} "
                    f"that an ordinary user can run")
    name = "kit" + secrets.token_hex(4)
    made = subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"useradd failed: {made.stderr.strip()}")
    entry = pwd.getpwnam(name)
    try:
        yield Instructor(name, entry.pw_uid, Path(entry.pw_dir), python)
    finally:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
        time.sleep(0.2)
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def _as(user: Instructor, *cmd: str, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess:
    base = {"HOME": str(user.home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run(["runuser", "-u", user.name, "--", "env", "-i",
                           *(f"{k}={v}" for k, v in {**base, **(env or {})}.items()), *cmd],
                          capture_output=True, text=True, timeout=timeout, cwd=user.home)


def _install_kit(user: Instructor, canary: str) -> Path:
    """The kit in the user's home as an editable install would have it: its own files on
    sys.path, the dependencies beside them."""
    kit = user.home / "kit"
    kit.mkdir()
    for part in KIT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, kit / part, ignore=shutil.ignore_patterns(
                "__pycache__", "*.pyc", ".pytest_cache", "db.json"))
        else:
            shutil.copy(src, kit / part)
    for secret in ("solutions/p05_join/p05_join.py", "grader/checks/p05_join.py"):
        with open(kit / secret, "a", encoding="utf-8") as f:
            f.write(f"\n# {canary}\n")
    venv = user.home / "venv"
    made = _as(user, user.python, "-m", "venv", "--without-pip", str(venv))
    assert made.returncode == 0, made.stderr
    site = next((venv / "lib").glob("python3*/site-packages"))
    deps = sysconfig.get_paths()["purelib"]
    (site / "kit.pth").write_text(f"{kit}\n{kit / 'exercises'}\n{deps}\n", encoding="utf-8")
    return kit


def _class(user: Instructor, kit: Path, out: Path, port: int, token: str) -> Path:
    klass = user.home / "class"
    (klass / "victim" / "p05_join").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "p05_join" / "p05_join.py",
                klass / "victim" / "p05_join" / "p05_join.py")
    for name in ATTACKERS:
        _attacker(klass, name, user, kit, out, port, token)
    return klass


def _attacker(klass: Path, name: str, user: Instructor, kit: Path, out: Path, port: int,
              token: str) -> None:
    """tests/hostile/instructor/<name>.py as the p05_join of student <name>, placeholders
    filled in."""
    text = (ATTACKS / f"{name}.py").read_text(encoding="utf-8")
    for key, value in {"__HOME__": str(user.home), "__KIT__": str(kit), "__OUT__": str(out),
                       "__PORT__": str(port), "__TOKEN__": token}.items():
        text = text.replace(key, value)
    (klass / name / "p05_join").mkdir(parents=True)
    (klass / name / "p05_join" / "p05_join.py").write_text(text, encoding="utf-8")


def _chown_tree(path: Path, uid: int) -> None:
    os.chown(path, uid, uid)
    for p in path.rglob("*"):
        os.chown(p, uid, uid, follow_symlinks=False)


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def _owned(folder: str, uid: int) -> set[str]:
    try:
        return {e.name for e in os.scandir(folder) if e.stat(follow_symlinks=False).st_uid == uid}
    except OSError:
        return set()


class Listener:
    """A TCP server on the host's loopback that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def test_attacks_are_held_for_an_ordinary_user(instructor: Instructor) -> None:
    user = instructor
    token = "lmstoken" + secrets.token_hex(8)
    canary = "CANARY-" + secrets.token_hex(8)
    ssh_secret = "-----BEGIN OPENSSH PRIVATE KEY----- " + secrets.token_hex(16)
    (user.home / ".ssh").mkdir(mode=0o700)
    (user.home / ".ssh" / "id_rsa").write_text(ssh_secret, encoding="utf-8")
    (user.home / ".bashrc").write_text("# the instructor's shell\n", encoding="utf-8")
    kit = _install_kit(user, canary)
    out = user.home / "graded"
    listener = Listener()
    try:
        klass = _class(user, kit, out, listener.port, token)
        _chown_tree(user.home, user.uid)
        home_before = {p: _digests(user.home / p) for p in (".ssh",)}
        bashrc_before = (user.home / ".bashrc").read_bytes()
        kit_before = _digests(kit)
        tmp_before = {d: _owned(d, user.uid) for d in ("/tmp", "/var/tmp", "/dev/shm")}

        t0 = time.monotonic()
        graded = _as(user, str(user.home / "venv" / "bin" / "python"), "-m", "grader",
                     "--course", str(kit / "course.yaml"), "grade", str(klass),
                     "--out", str(out), "-e", "p05_join", "--jobs", "2", "--lines",
                     env={"CANVAS_TOKEN": token, "KIT_TEST_SESSION":
                          os.environ.get("KIT_TEST_SESSION", "")}, timeout=600)
        elapsed = time.monotonic() - t0
    finally:
        listener.close()

    said = graded.stdout + graded.stderr
    assert graded.returncode == 0, said
    assert "sandbox: userns" in said, said
    scores = {}
    for student in ["victim", *ATTACKERS]:
        data = json.loads((out / student / "results.json").read_text(encoding="utf-8"))
        assert data["extra_data"]["isolation"]["level"] == "userns"
        scores[student] = data["score"]
    full = sum(c.points for c in manifest.load(ROOT / "course.yaml").exercise("p05_join").checks)
    assert scores["victim"] == full, (scores, said)
    # the spy raises with whatever it read or reached: full marks mean it found nothing
    assert scores["spy"] == full, (out / "spy" / "feedback.md").read_text(encoding="utf-8")
    assert scores["vandal"] == full, (out / "vandal" / "feedback.md").read_text(encoding="utf-8")

    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            for secret in (token, canary, ssh_secret, "LEAKED"):
                assert secret not in text, f"{secret[:12]}… reached {path}"
    for secret in (token, canary, ssh_secret):
        assert secret not in said
    assert listener.connections == 0, "a submission reached the host's loopback"
    assert (user.home / ".bashrc").read_bytes() == bashrc_before
    assert {p: _digests(user.home / p) for p in (".ssh",)} == home_before
    assert _digests(kit) == kit_before, "the installed kit changed"
    assert "forged" not in (out / "victim" / "results.json").read_text(encoding="utf-8")
    assert "vandal,999" not in (out / "gradebook.csv").read_text(encoding="utf-8")

    deadline = time.monotonic() + 5
    left = subprocess.run(["pgrep", "-u", user.name], capture_output=True, text=True).stdout
    while left.strip() and time.monotonic() < deadline:
        time.sleep(0.1)
        left = subprocess.run(["pgrep", "-u", user.name], capture_output=True, text=True).stdout
    assert not left.strip(), f"processes of the user survived the batch: {left.split()}"
    for folder, before in tmp_before.items():
        assert _owned(folder, user.uid) == before, f"the batch left files in {folder}"
    print(f"graded 5 submissions as an ordinary user in {elapsed:.1f} s")


def test_the_spy_does_find_secrets_at_the_weak_level(instructor: Instructor) -> None:
    """The control: with the sandbox forced down to the session level (and the instructor's
    explicit --unsafe-sandbox), the same spy reads the home, the course and the loopback, so
    the test above would see a leak; and every result says the level was weak."""
    user = instructor
    token = "lmstoken" + secrets.token_hex(8)
    canary = "CANARY-" + secrets.token_hex(8)
    kit = user.home / "kit"
    if not kit.exists():
        kit = _install_kit(user, canary)
    out = user.home / "graded-weak"
    listener = Listener()
    try:
        klass = user.home / "class-weak"
        _attacker(klass, "spy", user, kit, out, listener.port, token)
        _chown_tree(user.home, user.uid)
        refused = _as(user, str(user.home / "venv" / "bin" / "python"), "-m", "grader",
                      "--course", str(kit / "course.yaml"), "grade", str(klass), "--out",
                      str(out), "-e", "p05_join", "--lines", env={"KIT_SANDBOX_LEVEL": "session"})
        assert refused.returncode == 2 and "--unsafe-sandbox" in refused.stderr, refused.stderr
        assert not (out / "spy").exists()
        graded = _as(user, str(user.home / "venv" / "bin" / "python"), "-m", "grader",
                     "--course", str(kit / "course.yaml"), "grade", str(klass), "--out",
                     str(out), "-e", "p05_join", "--lines", "--unsafe-sandbox",
                     env={"KIT_SANDBOX_LEVEL": "session", "CANVAS_TOKEN": token}, timeout=300)
    finally:
        listener.close()
    assert graded.returncode == 0, graded.stderr
    data = json.loads((out / "spy" / "results.json").read_text(encoding="utf-8"))
    assert data["extra_data"]["isolation"]["level"] == "session"
    assert data["extra_data"]["isolation"]["strong"] is False
    feedback = (out / "spy" / "feedback.md").read_text(encoding="utf-8")
    assert "LEAKED: -----BEGIN OPENSSH PRIVATE KEY-----" in feedback, feedback
    assert listener.connections > 0
    # non-dumpable: even at the weak level the grader's environment (the token) stays unread
    assert token not in feedback


PEEK = """
import os, subprocess, sys
sys.path[:0] = [{kit!r}, {kit_ex!r}]
if sys.argv[1] == "protected":
    from grader.sandbox import protect_grader
    protect_grader()
peek = "import sys; print(open(sys.argv[1], 'rb').read().count(b'{token}'))"
done = subprocess.run([sys.executable, "-c", peek, f"/proc/{{os.getpid()}}/environ"],
                      capture_output=True, text=True, env={{}})
print(done.stdout.strip() or done.stderr.strip().splitlines()[-1])
"""


def test_the_grader_is_not_dumpable(instructor: Instructor, tmp_path: Path) -> None:
    """Another process of the same uid can read a plain process's environment, not the
    grader's (prctl PR_SET_DUMPABLE 0)."""
    token = "lmstoken" + secrets.token_hex(8)
    script = instructor.home / "peek.py"
    script.write_text(PEEK.format(kit=str(ROOT), kit_ex=str(ROOT / "exercises"), token=token),
                      encoding="utf-8")
    os.chown(script, instructor.uid, instructor.uid)
    plain = _as(instructor, instructor.python, str(script), "plain", env={"TOKEN": token})
    guarded = _as(instructor, instructor.python, str(script), "protected", env={"TOKEN": token})
    assert plain.stdout.strip() == "1", plain.stdout + plain.stderr
    said = guarded.stdout.strip()
    assert said.startswith("PermissionError: [Errno 13] Permission denied: '/proc/"), said
    assert said.endswith("/environ'"), said
