"""Fetch the `uv` binary from PyPI with nothing but the standard library (setup.sh's fallback
when the image's Python has no working `venv`): usage `fetch_uv.py VERSION DEST_DIR`.

The wheel is chosen for this machine's architecture from PyPI's JSON API, its sha256 checked
against the digest PyPI publishes, and the binary extracted to DEST_DIR/uv."""
import hashlib
import io
import json
import os
import platform
import sys
import urllib.request
import zipfile

ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def main(version: str, dest: str) -> int:
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
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        name = next(n for n in zf.namelist() if n.endswith("/scripts/uv"))
        os.makedirs(dest, exist_ok=True)
        target = os.path.join(dest, "uv")
        with open(target, "wb") as f:
            f.write(zf.read(name))
    os.chmod(target, 0o755)
    print(f"fetch_uv: {wheel['filename']} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
