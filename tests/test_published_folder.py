"""The published folder under attack: its lock, foreign manifests, read-only neighbours, scratch
left by a killed build. Nothing outside it is written, nothing is published half-way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from portfolio_reports.builder.fingerprints import drawings_version
from portfolio_reports.builder.locking import LOCKS_FOLDER, BuildLockedError, build_lock, lock_path
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.snapshots import write_snapshot
from portfolio_reports.errors import InputError, WriteError
from portfolio_reports.paths import CHARTS_FOLDER, SHARED_CHARTS_ENV

from .conftest import NOTEBOOKS, SAMPLE_DATA, cli_command, run_cli
from .small_disk import fill_disk_code, namespace_command

QUARTER, PREVIOUS = "2026Q3", "2026Q2"
HOLD_FLOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "rb")
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""
"""Hold an flock on a file as it is, without writing to it."""

pytestmark = pytest.mark.slow  # builds into published folders in child processes


def hold(path: Path) -> subprocess.Popen:
    """A process holding the flock on `path` until killed."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FLOCK, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held"
    return holder


# The lock


def test_a_lock_that_is_a_link_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    folder = tmp_path / "reports" / QUARTER
    folder.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    lock_path(folder).symlink_to(victim)
    refused = pytest.raises(InputError, match=r"\.locks/2026Q3\.lock: cannot use it .*\(a link\)")
    with refused, build_lock(folder):
        pass
    assert victim.read_text() == "precious\n"


def test_a_locks_folder_that_is_a_link_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / LOCKS_FOLDER).symlink_to(elsewhere)
    refused = pytest.raises(InputError, match=r"\.locks: a link, not a folder of build locks")
    with refused, build_lock(tmp_path / "reports" / QUARTER):
        pass
    assert list(elsewhere.iterdir()) == []


def test_hostile_lock_content_is_cut_and_stripped(tmp_path: Path) -> None:
    folder = tmp_path / QUARTER
    lock = lock_path(folder)
    lock.write_bytes(b"\x1b[2J\x1b]0;owned\x07evil " + b"x" * 52_000_000 + b"\n")
    holder = hold(lock)
    try:
        with pytest.raises(BuildLockedError) as refused, build_lock(folder):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
    message = str(refused.value)
    assert len(message) < 400, len(message)
    assert "\x1b" not in message and "\x07" not in message
    assert "evil xxx" in message


def test_a_build_waiting_for_a_lock_says_so_at_once(tmp_path: Path) -> None:
    folder = tmp_path / QUARTER
    lock_path(folder).write_text("the build with process id 1, started today,\n")
    holder = hold(lock_path(folder))
    told: list[tuple[float, str]] = []
    started = time.monotonic()

    def on_wait(line: str) -> None:
        told.append((time.monotonic() - started, line))
        holder.send_signal(signal.SIGKILL)  # the other build ends; the lock is released

    try:
        with build_lock(folder, wait=True, on_wait=on_wait):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
    assert len(told) == 1
    after, line = told[0]
    assert after < 1.0
    assert line.startswith(f"{folder}: waiting for ")


# Manifests, neighbours and scratch: through the command line


def build_args(out: Path, params: Path) -> list[str]:
    """Build the Japan report of QUARTER into `out`."""
    return [
        "build",
        "--data",
        str(SAMPLE_DATA),
        "--params",
        str(params),
        "--notebooks",
        str(NOTEBOOKS),
        "--out",
        str(out),
        "--quarter",
        QUARTER,
        "--jobs",
        "1",
    ]


def publish_quarter(out: Path, quarter: str) -> Path:
    """A quarter folder as a good build left it (its pages are plain stand-ins)."""
    folder = out / quarter
    (folder / "notebooks").mkdir(parents=True)
    (folder / "market-jp.html").write_text("<!doctype html><p>Japan</p>\n")
    (folder / "index.html").write_text('<!doctype html><a href="market-jp.html">Japan</a>\n')
    manifest = {"quarter": quarter, "reports": [{"name": "market-jp", "status": "ok"}]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` with its bytes."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def one_error(process: subprocess.CompletedProcess, *fragments: str) -> str:
    """The command exited 2 with one error line holding every fragment, and no traceback."""
    lines = [line for line in process.stderr.splitlines() if line.startswith("error: ")]
    assert process.returncode == 2, process.stderr
    assert "Traceback" not in process.stderr
    assert len(lines) == 1, process.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


WEB_MANIFEST = '{"name": "Portfolio site", "icons": [], "start_url": "/"}\n'
"""A website's own manifest.json, as a web server's folder may hold."""


@pytest.mark.parametrize("where", [QUARTER, PREVIOUS])
def test_a_foreign_manifest_is_refused_before_the_build_starts(
    tmp_path: Path, params: Path, where: str
) -> None:
    out = tmp_path / "reports"
    (out / where).mkdir(parents=True)
    (out / where / "manifest.json").write_text(WEB_MANIFEST)
    before = tree(out)
    one_error(run_cli(*build_args(out, params)), f"{where}/manifest.json", "not a manifest")
    assert tree(out) == before


@pytest.fixture
def neighbour(tmp_path: Path) -> Path:
    """The previous quarter, published in tmp_path/reports."""
    return publish_quarter(tmp_path / "reports", PREVIOUS)


def test_a_read_only_neighbour_is_refused_before_anything_is_published(
    neighbour: Path, params: Path
) -> None:
    out = neighbour.parent
    before = tree(out)
    read_only = (
        f"mount --bind {neighbour} {neighbour} && mount -o remount,bind,ro {neighbour} && exec "
        + " ".join(cli_command(*build_args(out, params)))
    )
    process = subprocess.run(
        [*namespace_command(), "sh", "-c", read_only],
        capture_output=True,
        text=True,
        timeout=900,
    )
    one_error(process, str(neighbour), "cannot write reports there", "nothing was changed")
    assert not (out / QUARTER / "market-jp.html").exists()
    assert tree(out) == before


def test_scratch_of_ended_builds_is_removed_and_live_scratch_kept(
    neighbour: Path, params: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SHARED_CHARTS_ENV)  # the drawings' scratch in the reports folder's own
    out = neighbour.parent
    gone = 99_999_999  # above any pid_max: no such process
    leftovers = [
        out / f".index.{gone}-{uuid.uuid4().hex}.partial.html",
        neighbour / f".market-jp.{gone}-{uuid.uuid4().hex}.partial.html",
        neighbour / "notebooks" / f".market-jp.{gone}-{uuid.uuid4().hex}.partial.ipynb",
        out / QUARTER / f".market-jp.{uuid.uuid4().hex}.partial.html",
        out / CHARTS_FOLDER / drawings_version() / f".{'0' * 64}.{gone}-{uuid.uuid4().hex}.partial",
    ]
    stale_snapshot = out / ".snapshots" / f".tmp-{gone}-{uuid.uuid4().hex}"
    live = out / f".index.{os.getpid()}-{uuid.uuid4().hex}.partial.html"
    stale_snapshot.mkdir(parents=True)
    (stale_snapshot / "sales.parquet").write_bytes(b"half")
    (out / QUARTER).mkdir()
    leftovers[-1].parent.mkdir(parents=True)
    for path in [*leftovers, live]:
        path.write_text("half-written")
    process = run_cli(*build_args(out, params))
    assert process.returncode == 0, process.stderr
    assert [path for path in leftovers if path.exists()] == []
    assert not stale_snapshot.exists()
    assert live.exists()


def _snapshot_on_a_full_disk(root: Path) -> dict[str, object]:
    """Fill the disk, then write the sample's snapshot there: the error and what is left."""
    dataset = load_dataset(SAMPLE_DATA)
    snapshots = root / ".snapshots"
    snapshots.mkdir()
    exec(fill_disk_code(root / "filler"))
    try:
        write_snapshot(dataset, snapshots)
    except WriteError as error:
        raised = str(error)
    else:
        raised = None
    return {"error": raised, "left": sorted(path.name for path in snapshots.iterdir())}


def test_a_full_disk_while_the_snapshot_is_written_names_it_and_leaves_nothing(small_disk) -> None:
    result = small_disk.run(_snapshot_on_a_full_disk, small_disk.path)
    assert result["left"] == []
    assert result["error"].startswith(f"{small_disk.path / '.snapshots'}/")
    assert ": cannot write the data snapshot (" in result["error"]
    assert "No space left on device" in result["error"]


def test_a_full_build_is_unaffected_by_a_web_manifest_outside_quarter_folders(
    tmp_path: Path, params: Path
) -> None:
    out = tmp_path / "reports"
    (out / "site").mkdir(parents=True)
    (out / "site" / "manifest.json").write_text(WEB_MANIFEST)
    process = run_cli(*build_args(out, params))
    assert process.returncode == 0, process.stderr
    assert "Traceback" not in process.stderr
    top = (out / "index.html").read_text()
    assert f'href="{QUARTER}/index.html"' in top and 'href="site/' not in top
    assert (out / "site" / "manifest.json").read_text() == WEB_MANIFEST
