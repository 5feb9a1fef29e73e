#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04 or
# 24.04). It makes $AUTOGRADER/venv: a Python >= 3.11 with the exact versions pinned in
# requirements.txt. The Python is, in order: one the image has (python3.13 … python3, 3.11 or
# newer); Ubuntu's python3.11 from apt (22.04 ships 3.10), else the release's python3 from apt;
# or one `uv` downloads. The venv is
# made by the stdlib's `venv`; where python3-venv is missing and apt cannot add it, by `uv`
# (fetched from PyPI, pinned version, hash checked). bubblewrap (the unprivileged sandbox) is
# installed where apt can. Everything is logged to $AUTOGRADER/kit-setup.log and the outcome
# written to $AUTOGRADER/kit-setup.status, which run_autograder reports if the venv is missing.
# For tests: KIT_AUTOGRADER_DIR moves /autograder, KIT_NO_APT=1 skips apt-get,
# KIT_SETUP_PYTHON names the interpreter to try first, KIT_SETUP_NO_VENV_MODULE=1 behaves as
# if python3-venv were missing.
set -uo pipefail
AUTOGRADER="${KIT_AUTOGRADER_DIR:-/autograder}"
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$AUTOGRADER/venv"
STATUS="$AUTOGRADER/kit-setup.status"
LOG="$AUTOGRADER/kit-setup.log"
UV_VERSION="0.5.0"
mkdir -p "$AUTOGRADER"
: > "$LOG"
echo "running" > "$STATUS"
log() { echo "setup: $*" | tee -a "$LOG" >&2; }
fail() { log "FAILED: $*"; echo "failed: $*" > "$STATUS"; exit 1; }
run() { log "\$ $*"; "$@" >> "$LOG" 2>&1; }

APT_UPDATED=""
apt_install() {     # true when the packages are installed
    [ -z "${KIT_NO_APT:-}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
    if [ -z "$APT_UPDATED" ]; then run apt-get update -q || return 1; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive run apt-get install -y -q --no-install-recommends "$@"
}

new_enough() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

find_python() {
    local name path
    for name in ${KIT_SETUP_PYTHON:-} python3.13 python3.12 python3.11 python3; do
        path="$(command -v "$name" 2>/dev/null)" || continue
        new_enough "$path" && { echo "$path"; return 0; }
    done
    return 1
}

any_python() { command -v python3 2>/dev/null || command -v python 2>/dev/null; }

get_uv() {          # prints the path of a uv binary: from PyPI (pinned, sha256 checked)
    local py
    [ -x "$AUTOGRADER/uv/uv" ] && { echo "$AUTOGRADER/uv/uv"; return 0; }
    py="$(any_python)" || { apt_install python3 ca-certificates >/dev/null; py="$(any_python)"; } \
        || return 1
    run "$py" "$SOURCE/grader/gradescope_files/fetch_uv.py" "$UV_VERSION" "$AUTOGRADER/uv" \
        || return 1
    echo "$AUTOGRADER/uv/uv"
}

log "bundle $SOURCE -> venv $VENV"
[ -s /etc/ssl/certs/ca-certificates.crt ] || apt_install ca-certificates \
    || log "note: no system certificate bundle (ca-certificates)"
command -v bwrap >/dev/null || apt_install bubblewrap \
    || log "note: bubblewrap is not installed; the sandbox uses what the container allows"

# 22.04's python3 is 3.10: add python3.11; 24.04 has no python3.11 package, and its python3
# (3.12) is enough where a minimal image lacks it
PY="$(find_python)" || { apt_install python3.11 python3.11-venv ca-certificates; PY="$(find_python)"; } \
    || { apt_install python3 python3-venv ca-certificates; PY="$(find_python)"; } || PY=""
log "python: ${PY:-none of 3.11 or newer}"

venv_ok() { [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; }
PIP=()
rm -rf "$VENV"
if [ -n "$PY" ] && [ -z "${KIT_SETUP_NO_VENV_MODULE:-}" ]; then
    run "$PY" -m venv "$VENV"
    if ! venv_ok; then      # Debian/Ubuntu: ensurepip lives in python3.X-venv
        ver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
        rm -rf "$VENV"
        apt_install "python$ver-venv" && run "$PY" -m venv "$VENV"
    fi
fi
if venv_ok; then
    PIP=("$VENV/bin/python" -m pip install --no-cache-dir --disable-pip-version-check)
else
    rm -rf "$VENV"
    log "no venv from the stdlib; trying uv $UV_VERSION from PyPI"
    UV="$(get_uv)" || fail "no Python >= 3.11 with a working venv, and uv could not be fetched"
    # without a good Python on the image, uv downloads one (python-build-standalone), into
    # $AUTOGRADER/python: run_autograder leaves that one readable (the sandbox's dropped uid
    # runs it), unlike root's home, uv's default
    export UV_PYTHON_INSTALL_DIR="$AUTOGRADER/python"
    run "$UV" venv --python "${PY:-3.12}" "$VENV" || fail "uv could not make the venv"
    PIP=("$UV" pip install --python "$VENV/bin/python" --no-cache)
fi
run "${PIP[@]}" -r "$SOURCE/requirements.txt" \
    || fail "installing requirements.txt into the venv failed (see $LOG)"
PYTHONPATH="$SOURCE:$SOURCE/exercises" run "$VENV/bin/python" -c \
    'import yaml, pytest, grader.gradescope, _kit.launch' \
    || fail "the venv cannot import the grader (see $LOG)"
echo "ok: $("$VENV/bin/python" --version 2>&1) in $VENV" > "$STATUS"
log "done: $(cat "$STATUS")"
