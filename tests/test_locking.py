"""Claiming a quarter's folder: one build at a time, writable folders, no stale locks."""

import os
import signal
import subprocess
import sys

import pytest

from portfolio_reports.builder.locking import BuildLockedError, build_lock, lock_path
from portfolio_reports.errors import InputError

HOLD = """
import sys, time
from pathlib import Path
from portfolio_reports.builder.locking import build_lock
with build_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_second_claim_is_refused_naming_the_holder(tmp_path):
    folder = tmp_path / "2026Q3"
    with build_lock(folder), pytest.raises(BuildLockedError) as refused, build_lock(folder):
        pass
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / '2026Q3'}: the build with process id {os.getpid()},")
    assert "is writing this quarter's reports; wait for it to end" in message


def test_the_claim_ends_with_the_block(tmp_path):
    with build_lock(tmp_path):
        pass
    with build_lock(tmp_path):
        assert lock_path(tmp_path).is_file()
        assert not list(tmp_path.glob(".*")), "only pages and their assets in the folder"


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(BuildLockedError, match=f"process id {holder.pid},"),
            build_lock(tmp_path),
        ):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    with build_lock(tmp_path):
        pass


def test_folders_are_created_and_must_be_writable(tmp_path):
    with build_lock(tmp_path / "reports" / "2026Q3", tmp_path / "reports" / "2026Q3" / "nb"):
        assert (tmp_path / "reports" / "2026Q3" / "nb").is_dir()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    refused = pytest.raises(InputError, match="file/2026Q3: cannot write reports there")
    with refused, build_lock(blocker / "2026Q3"):
        pass
