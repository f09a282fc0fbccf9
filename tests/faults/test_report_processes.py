"""No process a report starts outlives its job: children, new sessions and daemons included."""

from __future__ import annotations

import time
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow

LEAVES_PROCESSES = """\
import os, subprocess
quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
pids = open({pids!r}, "a")
child = subprocess.Popen(["sleep", "300"], **quiet)
session = subprocess.Popen(["sleep", "301"], start_new_session=True, **quiet)
print(child.pid, session.pid, file=pids, flush=True)
if os.fork() == 0:  # a daemon: fork, new session, fork again, the middle one exits
    os.setsid()
    if os.fork() == 0:
        print(os.getpid(), file=pids, flush=True)
        null = os.open(os.devnull, os.O_RDWR)
        for descriptor in (0, 1, 2):
            os.dup2(null, descriptor)
        os.execvp("sleep", ["sleep", "302"])
    os._exit(0)
"""
"""A cell that starts a child, a child in a new session and a double-forked daemon, each a
`sleep`, and writes their process ids to a file."""


def started(pids: Path) -> list[int]:
    """The process ids the cell wrote, once the daemon has written its own."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [int(pid) for pid in pids.read_text().split()] if pids.exists() else []
        if len(found) >= 3:
            return found
        time.sleep(0.1)
    raise AssertionError(f"the cell wrote only {pids.read_text() if pids.exists() else ''!r}")


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("options", [("--jobs", "1"), ("--jobs", "2"), ("--fresh-kernels",)])
def test_processes_a_report_starts_end_with_its_job(project, tmp_path, options) -> None:
    pids = tmp_path / "pids"
    project.report("a", "JP")
    project.notebook("market.ipynb", LEAVES_PROCESSES.format(pids=str(pids)))
    process = project.build(*options)
    assert process.returncode == 0, process.stderr
    left = [pid for pid in started(pids) if alive(pid)]
    for pid in left:
        psutil.Process(pid).kill()
    assert left == []
