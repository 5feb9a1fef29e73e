"""Fetch the `uv` binary from PyPI (setup.sh's fallback when the image's Python has no working
`venv`): usage `fetch_uv.py VERSION DEST_DIR`.

The wheel for this machine is downloaded by `pip download` where this Python has pip (it uses
pip's own index settings and checks hashes), else with the standard library alone from PyPI's
JSON API, its sha256 checked against the digest PyPI publishes; the binary is extracted to
DEST_DIR/uv."""
import glob
import hashlib
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def with_pip(version: str) -> bytes | None:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                               "--only-binary=:all:", "-d", tmp, f"uv=={version}"])
        wheels = glob.glob(os.path.join(tmp, "uv-*.whl"))
        if done.returncode != 0 or not wheels:
            return None
        with open(wheels[0], "rb") as f:
            return f.read()


def extract(data: bytes, dest: str) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        name = next(n for n in zf.namelist() if n.endswith("/scripts/uv"))
        os.makedirs(dest, exist_ok=True)
        target = os.path.join(dest, "uv")
        with open(target, "wb") as f:
            f.write(zf.read(name))
    os.chmod(target, 0o755)
    print(f"fetch_uv: uv -> {target}")


def main(version: str, dest: str) -> int:
    data = with_pip(version)
    if data is not None:
        extract(data, dest)
        return 0
    arch = ARCH.get(platform.machine().lower())
    if arch is None:
        print(f"fetch_uv: no uv wheel for machine {platform.machine()!r}", file=sys.stderr)
        return 1
    with urllib.request.urlopen(f"https://pypi.org/pypi/uv/{version}/json", timeout=60) as r:
        release = json.load(r)
    wheels = [u for u in release["urls"] if u["filename"].endswith(".whl")
              and "manylinux" in u["filename"] and arch in u["filename"]]
    if not wheels:
        print(f"fetch_uv: uv {version} has no manylinux wheel for {arch}", file=sys.stderr)
        return 1
    wheel = sorted(wheels, key=lambda u: u["filename"])[0]
    with urllib.request.urlopen(wheel["url"], timeout=300) as r:
        data = r.read()
    if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
        print(f"fetch_uv: {wheel['filename']}: sha256 does not match PyPI's", file=sys.stderr)
        return 1
    extract(data, dest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
