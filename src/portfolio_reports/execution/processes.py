"""End every process a report started: children, new sessions and daemons included.

A process that forks twice (a daemon) or calls setsid leaves the kernel's tree: its parent
exits and the system gives it to the nearest child subreaper. A worker that runs reports makes
itself that subreaper (Linux prctl), so such a process becomes the worker's child, and after each
report every child the worker did not have before it, and every child of its kernel, is ended.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
from collections.abc import Callable, Iterator

import psutil

PR_SET_CHILD_SUBREAPER = 36
"""prctl option (linux/prctl.h): orphaned descendants are reparented to this process."""
GRACE_S = 3.0
"""Seconds an ended process is given to exit after SIGKILL before it is left to the system."""


def adopt_orphans() -> None:
    """Make this process the reaper of its descendants' orphans (Linux; elsewhere nothing)."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


@contextlib.contextmanager
def strays_ended(kernel_pid: Callable[[], int | None]) -> Iterator[None]:
    """Run a report, then end every process it left: new children of this process (daemons and
    new sessions adopted as orphans included) but the kernel, and every child of the kernel."""
    adopt_orphans()
    before = {child.pid for child in psutil.Process().children()}
    try:
        yield
    finally:
        end_strays(before, kernel_pid())


def end_strays(before: set[int], kernel: int | None) -> list[int]:
    """Kill this process's children not in `before` (but `kernel`) and all the kernel's
    descendants, with their own descendants; return their process ids."""
    strays = [child for child in psutil.Process().children() if child.pid not in before | {kernel}]
    if kernel is not None:
        with contextlib.suppress(psutil.Error):
            strays += psutil.Process(kernel).children(recursive=True)
    for stray in list(strays):
        with contextlib.suppress(psutil.Error):
            strays += stray.children(recursive=True)
    unique = list({stray.pid: stray for stray in strays}.values())
    for stray in unique:
        with contextlib.suppress(psutil.Error):
            stray.kill()
    psutil.wait_procs(unique, timeout=GRACE_S)
    return [stray.pid for stray in unique]
