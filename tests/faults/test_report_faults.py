"""A failing, dying or hanging notebook fails its report and no other; an unwritable folder or a
full disk is one line and loses nothing."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from portfolio_reports.builder.locking import LOCKS_FOLDER
from portfolio_reports.paths import SCRATCH_MARK, scratch_path

from ..conftest import (
    PROJECT,
    assert_unchanged,
    cli_command,
    tree_state,
)
from ..small_disk import fill_disk_code
from .conftest import (
    DIES,
    HANGS,
    RAISES,
    Project,
    assert_only_this_report_failed,
    incomplete,
    published,
)

pytestmark = pytest.mark.slow


def test_a_cell_that_raises_fails_its_report_only(project):
    project.notebook("broken.ipynb", RAISES)
    project.report("market-jp", "JP")
    project.report("broken", "US", "broken.ipynb")
    process = project.build("--jobs", "2")
    assert_only_this_report_failed(
        project, process, "broken", "ValueError", "sales extract is empty"
    )


def test_a_kernel_that_dies_fails_its_report_only(project):
    project.notebook("dies.ipynb", DIES)
    project.report("dies", "US", "dies.ipynb")
    for name, market in (("market-jp", "JP"), ("market-us", "US"), ("market-cn", "CN")):
        project.report(name, market)  # the worker whose kernel died forks another for one
    process = project.build("--jobs", "2")
    assert_only_this_report_failed(project, process, "dies", "DeadKernelError", "Kernel died")


def test_a_hanging_cell_is_ended_by_the_timeout(project):
    project.notebook("hangs.ipynb", HANGS)
    project.report("market-jp", "JP")
    project.report("hangs", "US", "hangs.ipynb")
    started = time.monotonic()
    process = project.build("--jobs", "2", "--timeout", "5")
    assert time.monotonic() - started < 300
    assert_only_this_report_failed(
        project, process, "hangs", "CellTimeoutError", "A cell timed out"
    )


def test_the_next_build_removes_scratch_files_a_killed_build_left(project):
    project.report("a", "JP")
    assert project.build("--jobs", "1").returncode == 0
    leftovers = [
        scratch_path(project.quarter_dir / "a.html"),
        scratch_path(project.quarter_dir / "manifest.json"),
        scratch_path(project.quarter_dir / "notebooks" / "a.ipynb"),
    ]
    for path in leftovers:
        path.write_text("half written")
    unrelated = project.quarter_dir / ".notes"
    unrelated.write_text("not the build's")
    rerun = project.build("--jobs", "1")
    assert rerun.returncode == 0, rerun.stderr
    assert [path for path in leftovers if path.exists()] == []
    assert unrelated.read_text() == "not the build's"


def without_root_override() -> list[str]:
    """A command prefix under which permission bits bind, even for root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail(
            "running as root: the read-only test needs setpriv (util-linux) to drop"
            " CAP_DAC_OVERRIDE",
            pytrace=False,
        )
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_an_unwritable_reports_folder_is_a_clear_error_and_loses_nothing(project):
    project.report("a", "JP")
    assert project.build("--jobs", "1").returncode == 0
    read_only = [project.quarter_dir / "notebooks", project.quarter_dir]
    for folder in read_only:
        folder.chmod(0o555)
    try:
        before = tree_state(project.out)
        process = subprocess.run(
            [*without_root_override(), *cli_command(*project.arguments("--force", "--jobs", "1"))],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert process.returncode == 2, process.stderr
        [line] = process.stderr.strip().splitlines()
        assert (
            line.startswith("error: ") and "cannot write reports there (Permission denied)" in line
        )
        assert_unchanged(project.out, before)
    finally:
        for folder in read_only:
            folder.chmod(0o755)


def _build_on_a_full_disk(project: Project, filler: Path) -> dict[str, object]:
    """Build while a notebook fills the disk, then again once it has room: what each left."""
    project.notebook("fills.ipynb", fill_disk_code(filler))
    project.report("a", "JP")
    project.report("full", "US", "fills.ipynb")  # runs after a: the disk is full from then on
    build = project.build("--jobs", "1")
    files = [
        path
        for path in project.out.rglob("*")
        if path.is_file() and path.parent.name != LOCKS_FOLDER
    ]
    sizes = {str(path): path.stat().st_size for path in files}
    whole = {path.name: incomplete(path) for path in published(project.out)}
    filler.unlink()
    project.notebook("fills.ipynb", "pass")  # fills the disk no more
    rerun = project.build("--jobs", "1")
    return {
        "build": vars(build),
        "sizes": sizes,
        "published": whole,
        "rerun": vars(rerun),
        "statuses": sorted({report["status"] for report in project.manifest().values()}),
    }


def test_a_full_disk_is_one_line_and_leaves_no_empty_or_cut_file(project, small_disk):
    project = dataclasses.replace(project, out=small_disk.path / "reports")
    seen = small_disk.run(_build_on_a_full_disk, project, small_disk.path / "filler")
    build = seen["build"]
    assert build["returncode"] == 1, build["stderr"]
    assert "Traceback" not in build["stderr"], build["stderr"]
    manifest = project.quarter_dir / "manifest.json"
    assert build["stderr"].strip().splitlines()[-1] == (
        f"error: {manifest}: cannot write (No space left on device); any previous version is kept"
    )
    for path, size in seen["sizes"].items():
        assert SCRATCH_MARK not in Path(path).name, f"scratch file left: {path}"
        assert size > 0, f"empty file left: {path}"
    assert seen["published"] == {"a.html": None, "a.ipynb": None}
    assert seen["rerun"]["returncode"] == 0, seen["rerun"]["stderr"]
    assert seen["statuses"] == ["ok"]
