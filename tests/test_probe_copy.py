"""The probe's copy of _kit (launch.probe_copy): made once per process, and made again when
anything in it changed -- even a change that put the modification time back."""
from __future__ import annotations

import os

import pytest

from _kit import launch


@pytest.fixture
def copy():
    folder = launch.probe_copy()
    yield folder
    assert launch.probe_copy().is_dir()


def _same(folder) -> bool:
    return launch.probe_copy() == folder


def test_the_copy_is_reused_while_untouched(copy) -> None:
    assert _same(copy)
    assert _same(copy)


def test_content_changed_with_its_mtime_put_back_is_seen(copy) -> None:
    path = copy / "_kit" / "events.py"
    st = os.stat(path)
    os.chmod(path, 0o644)
    with open(path, "a") as f:
        f.write("\nFORGED = True\n")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    fresh = launch.probe_copy()
    assert fresh != copy
    assert "FORGED" not in (fresh / "_kit" / "events.py").read_text()


def test_an_added_file_is_seen(copy) -> None:
    (copy / "_kit" / "sitecustomize.py").write_text("import os\n")
    fresh = launch.probe_copy()
    assert fresh != copy
    assert not (fresh / "_kit" / "sitecustomize.py").exists()


def test_a_mode_change_is_seen(copy) -> None:
    os.chmod(copy / "_kit" / "workers.py", 0o666)
    assert launch.probe_copy() != copy
