"""Claim a quarter's reports folder for one build: writable, and no other build writing it."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from portfolio_reports.errors import InputError
from portfolio_reports.text import printable_line

LOCKS_FOLDER = ".locks"
"""The reports folder's hidden folder of build locks, one per quarter: <quarter>.lock holds a line
naming the build that has the lock. Only pages and their assets go in a quarter's folder."""
HOLDER_BYTES = 1024
"""Bytes of the lock file read to name its holder; the build writes about 70."""
HOLDER_CHARS = 120
"""Characters of the holder's line printed."""


class BuildLockedError(InputError):
    """Another build is writing the same quarter's reports."""


@contextmanager
def build_lock(
    quarter_dir: Path,
    *also_written: Path,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the quarter folder for one build; refuse at once when it is not writable or taken.

    With `wait`, a taken lock is waited for instead of refused, and `on_wait` is told at once
    who holds it.

    The lock is an flock on `lock_path(quarter_dir)`, which the system releases when its holder
    exits however it exits, so a killed build never leaves a stale lock behind. The lock file is
    opened without following a link, so a link planted there never redirects the write. Every
    folder the build writes (quarter_dir and `also_written`) is created if needed and checked
    writable.
    """
    folders = [quarter_dir, *also_written]
    for folder in folders:
        _check_writable(folder)
    descriptor = _open_lock(lock_path(quarter_dir))
    with os.fdopen(descriptor, "r+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            if not wait:
                raise BuildLockedError(
                    f"{quarter_dir}: {holder} is writing this quarter's reports; wait for it to"
                    f" end or build into another --out"
                ) from None
            if on_wait:
                on_wait(f"{quarter_dir}: waiting for {holder} to end")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        handle.write(f"the build with process id {os.getpid()}, started {started},\n".encode())
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def lock_path(quarter_dir: Path) -> Path:
    """The lock file of a quarter's folder: beside it, in the reports folder's hidden locks
    folder, which is created if needed and refused when it is a link."""
    folder = quarter_dir.parent / LOCKS_FOLDER
    if folder.is_symlink():
        raise InputError(
            f"{folder}: a link, not a folder of build locks; remove it and build again"
        )
    _check_writable(folder)
    return folder / f"{quarter_dir.name}.lock"


def _open_lock(path: Path) -> int:
    """The lock file's descriptor, opened without following a link; InputError when the path is
    a link or not a regular file."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        descriptor = os.open(path, flags, 0o644)
    except OSError as error:
        reason = "a link" if error.errno == errno.ELOOP else error.strerror
        raise InputError(
            f"{path}: cannot use it as the build's lock ({reason}); remove it and build again"
        ) from error
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise InputError(f"{path}: not a regular file; remove it and build again")
    return descriptor


def _holder(handle: BinaryIO) -> str:
    """Who holds the lock, from the first bytes of its line, cut and made printable."""
    handle.seek(0)
    line = printable_line(handle.read(HOLDER_BYTES).decode("utf-8", "replace"), HOLDER_CHARS)
    return line or "another build"


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
