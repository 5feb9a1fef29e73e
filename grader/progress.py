"""The progress bar of long commands (grade, check, slurm): tqdm on a terminal, else nothing."""
from __future__ import annotations

import sys
from typing import Protocol


class Bar(Protocol):
    """What the commands use of a tqdm bar."""

    n: float                    # the count so far

    def update(self, n: float = 1) -> object: ...
    def set_postfix_str(self, s: str = "", refresh: bool = True) -> object: ...
    def close(self) -> object: ...


def progress_bar(total: int, enabled: bool) -> Bar | None:
    """A bar counting `total` students on stderr; None when disabled or nothing to count."""
    if not enabled or total == 0:
        return None
    from tqdm import tqdm
    bar: Bar = tqdm(total=total, unit="student", file=sys.stderr, dynamic_ncols=True,
                    bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, "
                               "{rate_fmt}] {postfix}")
    return bar
