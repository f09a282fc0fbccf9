"""A signal to the command ends every process of the build and nothing is published after it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from portfolio_reports.execution.kernels import SOCKETS_PREFIX
from portfolio_reports.paths import SCRATCH_MARK

from .conftest import (
    Project,
    published,
    wait_until,
)

pytestmark = pytest.mark.slow


SLEEP_VARIABLE = "PORTFOLIO_REPORTS_TEST_SLEEP_S"
"""Seconds the notebook of `slow_reports` sleeps; unset (no sleep) for the build that follows."""


def slow_reports(project: Project, names: tuple[str, ...]) -> None:
    """Reports whose notebook marks that it started, then sleeps for SLEEP_VARIABLE seconds."""
    marker = str(project.started_marker)
    project.notebook(
        "slow.ipynb",
        f"import os, pathlib, time\npathlib.Path({marker!r}).touch()\n"
        f"time.sleep(float(os.environ.get({SLEEP_VARIABLE!r}, '0')))",
    )
    for name, market in zip(names, ["JP", "US", "CN", "JP"], strict=False):
        project.report(name, market, "slow.ipynb")


def published_state(out: Path) -> dict[Path, bytes]:
    """Every published file with its content."""
    return {path: path.read_bytes() for path in published(out)}


@pytest.mark.parametrize(
    ("signum", "exit_code"),
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGKILL, -signal.SIGKILL)],
    ids=["SIGTERM", "SIGHUP", "SIGKILL"],
)
def test_a_signal_to_the_command_ends_every_process_and_nothing_is_published_after_it(
    project, start_build, monkeypatch, short_temporary_folder, signum, exit_code
):
    slow_reports(project, ("a", "b", "c"))  # two run, one waits
    monkeypatch.setenv(SLEEP_VARIABLE, "4")
    temporary = short_temporary_folder  # where the kernels' socket folders go
    monkeypatch.setenv("TMPDIR", str(temporary))
    build = start_build(project, "--jobs", "2")
    wait_until(lambda: len(build.kernels()) == 2 and project.executing(), 300, "no notebook ran")
    time.sleep(1)
    build.family()
    before = published_state(project.out)
    signalled = time.monotonic()
    os.kill(build.process.pid, signum)  # the command only, as `docker stop` or the OOM killer
    assert build.wait(timeout=60) == exit_code, build.stderr()
    wait_until(lambda: not build.survivors(), 5, f"5 s after the build: {build.survivors()}")
    time.sleep(max(0.0, signalled + 6 - time.monotonic()))  # the notebooks would have ended
    assert published_state(project.out) == before, "a report was published after the signal"
    if signum != signal.SIGKILL:
        stderr = build.stderr()
        assert f"stopped by {signal.Signals(signum).name}: build stopped" in stderr, stderr
        assert "Traceback" not in stderr, stderr
    monkeypatch.delenv(SLEEP_VARIABLE)
    rerun = project.build("--jobs", "1")  # recovery needs no parallel workers
    assert rerun.returncode == 0, rerun.stderr
    assert {report["status"] for report in project.manifest().values()} == {"ok"}
    assert not [path for path in project.out.rglob("*") if SCRATCH_MARK in path.name]
    assert not list(temporary.glob(f"{SOCKETS_PREFIX}*")), "a kernel's socket folder was left"
