"""The build's memory ceiling: a watch that ends the report taking the build's processes past it.

The build's memory is the proportional set size (shared pages divided among the processes
sharing them) of the build process and every process under it, summed: workers, kernels and
whatever a notebook started. A limit on each process's address space (RLIMIT_AS) was not used:
a warm kernel reserves far more address space than it holds (2.4 GB for 260 MB resident),
and a limit per process says nothing of the build as a whole.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

import psutil

from portfolio_reports.execution.limits import MEMORY_ENV

POLL_S = 0.1
"""Seconds between two looks at the build's memory."""
END_GRACE_S = 5.0
"""Seconds the ended report's processes have to go before the memory is looked at again."""
Reports = Callable[[], dict[str, list[psutil.Process]]]
"""The reports running now, each with its own top processes (its kernel; their descendants
count too)."""


class MemoryCeilingPassed(Exception):
    """The build's processes passed the memory ceiling, and this report held the most."""


def held(processes: list[psutil.Process]) -> tuple[list[psutil.Process], int]:
    """Processes with all their descendants, and the bytes they hold (PSS summed)."""
    everyone = _with_descendants(processes)
    total = 0
    for process in everyone:
        with contextlib.suppress(psutil.Error):
            total += process.memory_full_info().pss
    return everyone, total


def resident_at_most(processes: list[psutil.Process]) -> int:
    """An upper bound of what the processes and their descendants hold: their RSS summed.

    A process's PSS never exceeds its RSS; reading RSS costs a small fraction of reading PSS,
    which walks every mapping of the process.
    """
    total = 0
    for process in _with_descendants(processes):
        with contextlib.suppress(psutil.Error):
            total += process.memory_info().rss
    return total


def _with_descendants(processes: list[psutil.Process]) -> list[psutil.Process]:
    """The processes and every descendant of theirs, each once."""
    everyone = {process.pid: process for process in processes}
    for process in processes:
        with contextlib.suppress(psutil.Error):
            everyone.update({child.pid: child for child in process.children(recursive=True)})
    return list(everyone.values())


@contextlib.contextmanager
def memory_ceiling_kept(ceiling: int | None, reports: Reports) -> Iterator[dict[str, str]]:
    """Watch this process's tree while the block runs; when its memory passes `ceiling` bytes,
    end the processes of the report holding the most.

    Yields the reports ended so far, each with the one-line reason (see MemoryCeilingPassed);
    with no ceiling, nothing is watched.
    """
    ended: dict[str, str] = {}
    if ceiling is None:
        yield ended
        return
    stop = threading.Event()
    watch = threading.Thread(target=_watch, args=(ceiling, reports, ended, stop), daemon=True)
    watch.start()
    try:
        yield ended
    finally:
        stop.set()
        watch.join()


def _watch(ceiling: int, reports: Reports, ended: dict[str, str], stop: threading.Event) -> None:
    """Look at the build's memory every POLL_S until stopped; end a report when it is too much."""
    build = psutil.Process()
    while not stop.wait(POLL_S):
        if resident_at_most([build]) <= ceiling:
            continue
        _, total = held([build])
        if total <= ceiling:
            continue
        running = {name: held(tops) for name, tops in reports().items() if name not in ended}
        if not running:
            continue
        name = max(running, key=lambda report: running[report][1])
        processes, size = running[name]
        for process in processes:
            with contextlib.suppress(psutil.Error):
                process.kill()
        ended[name] = (
            f"the build passed its memory ceiling of {_mb(ceiling)} ({_mb(total)} held by its"
            f" processes); this report held the most ({_mb(size)}) and was stopped"
            f" (set {MEMORY_ENV} to allow more)"
        )
        psutil.wait_procs(processes, timeout=END_GRACE_S)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"
