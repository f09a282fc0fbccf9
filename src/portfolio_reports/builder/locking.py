"""Claim a quarter's reports folder for one build: writable, and no other build writing it."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from portfolio_reports.errors import InputError

LOCK_NAME = ".build.lock"
"""The lock file in a quarter's folder; it holds a line naming the build that has the lock."""


class BuildLockedError(InputError):
    """Another build is writing the same quarter's reports."""


@contextmanager
def build_lock(quarter_dir: Path, *also_written: Path, wait: bool = False) -> Iterator[None]:
    """Hold the quarter folder for one build; refuse at once when it is not writable or taken.

    With `wait`, a taken lock is waited for instead of refused.

    The lock is an flock on quarter_dir/.build.lock, which the system releases when its holder
    exits however it exits, so a killed build never leaves a stale lock behind. Every folder the
    build writes (quarter_dir and `also_written`) is created if needed and checked writable.
    """
    folders = [quarter_dir, *also_written]
    for folder in folders:
        _check_writable(folder)
    with (quarter_dir / LOCK_NAME).open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another build"
            raise BuildLockedError(
                f"{quarter_dir}: {holder} is writing this quarter's reports; wait for it to end"
                f" or build into another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        handle.write(f"the build with process id {os.getpid()}, started {started},\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_writable(folder: Path) -> None:
    """Create the folder if needed and prove a file can be made in it; raise InputError if not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise InputError(
            f"{folder}: cannot write reports there ({error.strerror}); nothing was changed"
        ) from error
