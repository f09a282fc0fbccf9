"""The memory watch's cheap bound: RSS summed is never below the PSS it stands in for."""

from __future__ import annotations

import subprocess
import sys

import psutil

from portfolio_reports.execution.memory import held, resident_at_most

TOUCH_64_MIB = (
    "import sys; block = bytearray(64 * 2**20); block[::4096] = b'x' * (16 * 2**10);"
    " print('ready', flush=True); sys.stdin.read()"
)
"""A child holding 64 MiB it has written to (untouched pages would not be resident)."""


def test_resident_bound_covers_the_pss_of_a_tree_with_a_child() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", TOUCH_64_MIB],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        me = psutil.Process()
        processes, pss = held([me])
        bound = resident_at_most([me])
        assert {process.pid for process in processes} >= {me.pid, child.pid}
        assert pss >= 64 * 2**20  # the child's block counts
        assert bound >= pss
    finally:
        child.communicate(b"")
