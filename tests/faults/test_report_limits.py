"""A report that writes too much output, or takes the build past its memory ceiling, fails
alone in one line while the others are built; the build's memory stays under the ceiling."""

from __future__ import annotations

import pytest

from portfolio_reports.execution.limits import CELL_OUTPUT_ENV, MEMORY_ENV, REPORT_OUTPUT_ENV

from ..conftest import cli_command, run_measured
from .conftest import Project, incomplete

pytestmark = pytest.mark.slow

MEMORY_CEILING_MB = 2048
"""The documented default ceiling of a build's memory (README, "Limits")."""
PRINTS_A_GIB = "for _ in range(1024):\n    print('x' * 2**20, flush=True)"
"""A cell printing 1 GiB, a MiB at a time, each sent at once (unflushed, the kernel itself holds
what it prints between two sends: the memory ceiling bounds that)."""


def build_measured(project: Project, *options: str, **env: str) -> tuple[int, str, float]:
    """Build in a child process: exit code, terminal output, and the tree's peak in MB."""
    process, peak_mb = run_measured(cli_command(*project.arguments(*options)), env)
    assert "Traceback" not in process.stderr, process.stderr
    assert "IPKernelApp" not in process.stderr, process.stderr  # no kernel's own messages
    return process.returncode, process.stderr, peak_mb


def assert_failed_alone(project: Project, code: int, stderr: str, name: str, message: str) -> None:
    """Exit 1; the report failed with the message in one line; the others are published."""
    assert code == 1, stderr
    manifest = project.manifest()
    error = manifest[name]["error"]
    assert manifest[name]["status"] == "failed"
    assert message in error["message"], error
    failed = [line for line in stderr.splitlines() if line.startswith("  FAILED")]
    assert len(failed) == 1 and message in failed[0], stderr
    assert not (project.quarter_dir / f"{name}.html").exists()
    kept = project.quarter_dir / "notebooks" / f"{name}.failed.ipynb"
    assert not kept.exists() or kept.stat().st_size < 12 * 2**20
    for other, report in manifest.items():
        if other != name:
            assert report["status"] == "ok", report
            assert incomplete(project.quarter_dir / f"{other}.html") is None


@pytest.mark.parametrize("options", [("--jobs", "2"), ("--jobs", "1"), ("--fresh-kernels",)])
def test_a_cell_printing_a_gib_fails_its_report_at_the_cell_cap(project, options) -> None:
    project.notebook("floods.ipynb", PRINTS_A_GIB)
    project.report("market-jp", "JP")
    project.report("floods", "US", "floods.ipynb")
    code, stderr, peak_mb = build_measured(project, *options)
    assert_failed_alone(
        project, code, stderr, "floods", "wrote more than 10.0 MB of output; a cell may write"
    )
    assert "cell 4: OutputLimitExceeded: wrote more than 10.0 MB" in stderr
    assert CELL_OUTPUT_ENV in stderr
    assert peak_mb < MEMORY_CEILING_MB


def test_a_report_whose_output_passes_the_report_cap_fails(project) -> None:
    project.notebook("chatty.ipynb", "print('x' * 6 * 2**20)")  # under the cell cap
    project.report("chatty", "US", "chatty.ipynb")
    project.report("market-jp", "JP")
    code, stderr, _ = build_measured(project, "--jobs", "1", **{REPORT_OUTPUT_ENV: "5"})
    assert_failed_alone(project, code, stderr, "chatty", "cells wrote more than 5.0 MB of output")


HOLDS_TOO_MUCH = (
    "import time\nhoard = []\nfor _ in range(64):\n"
    "    hoard.append(bytearray(2**25))\n    time.sleep(0.05)"
)
"""A cell that holds 2 GiB, 32 MiB at a time (bytearray fills its memory with zeros), at about
640 MB a second: a pace the watch keeps up with on a loaded machine too, whose tenth of a
second between looks can then stretch to a few tenths."""


@pytest.mark.parametrize("options", [("--jobs", "2"), ("--jobs", "1"), ("--fresh-kernels",)])
def test_a_report_passing_the_memory_ceiling_fails_alone(project, options) -> None:
    project.notebook("hoards.ipynb", HOLDS_TOO_MUCH)
    project.report("market-jp", "JP")
    project.report("hoards", "US", "hoards.ipynb")
    code, stderr, peak_mb = build_measured(project, *options, **{MEMORY_ENV: "1200"})
    assert_failed_alone(
        project, code, stderr, "hoards", "the build passed its memory ceiling of 1,200 MB ("
    )
    assert "this report held the most" in stderr and MEMORY_ENV in stderr
    assert peak_mb < 1200 + 300  # what the watch's few tenths of a second may let through
