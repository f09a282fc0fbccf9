"""Run report jobs: in this process, or on a pool of local worker processes."""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import multiprocessing.util
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from portfolio_reports.execution import kernels


class NamedJob(Protocol):
    """A job the progress display can name."""

    name: str


Job = TypeVar("Job", bound=NamedJob)
Result = TypeVar("Result")
RunningCallback = Callable[[list[str]], None]
POLL_S = 0.25


CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
"""cgroup v2's CPU quota of this process's group: "QUOTA PERIOD", or "max PERIOD" for none."""


def default_workers(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """Worker processes when none are asked for: one per CPU this process may use.

    That is the CPUs it may run on (its affinity), fewer if its cgroup's quota allows less.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = cgroup_cpu_limit(cpu_max)
    return max(1, min(cpus or 1, quota or cpus or 1))


def cgroup_cpu_limit(cpu_max: Path) -> int | None:
    """Whole CPUs a cgroup v2 quota allows (at least 1), or None without a quota or cgroup file."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
        return max(1, int(quota) // int(period))
    except (OSError, ValueError):  # no cgroup v2 here, "max" (no quota), or an odd file
        return None


@dataclass(frozen=True)
class ExecutorSettings:
    """How an executor runs jobs: local worker processes, warm kernels, a cluster's scheduler."""

    workers: int = field(default_factory=default_workers)
    warm: bool = True
    scheduler: str | None = None


class Executor(Protocol):
    """Runs report jobs and yields their results as they finish (see `registry.EXECUTORS`)."""

    def __call__(
        self,
        work: Callable[[Any], Any],
        jobs: list[Any],
        settings: ExecutorSettings,
        on_running: RunningCallback | None,
        *,
        lost: Callable[[Any, BaseException], Any],
    ) -> Iterator[Any]:
        """Run every job; a job whose worker was lost yields `lost(job, error)`."""


def start_fork_server(module: str) -> None:
    """Start the worker fork server now, importing `module` there while this process goes on."""
    _fork_server(module)
    multiprocessing.forkserver.ensure_running()


def run_serial(
    work: Callable[[Job], Result], jobs: Iterable[Job], on_running: RunningCallback | None = None
) -> Iterator[Result]:
    """Run the jobs one after the other in this process, then stop its warm kernel."""
    try:
        for job in jobs:
            if on_running:
                on_running([job.name])
            yield work(job)
    finally:
        kernels.discard_worker_kernel()


def run_local_pool(
    work: Callable[[Job], Result],
    jobs: Iterable[Job],
    workers: int,
    on_running: RunningCallback | None = None,
    *,
    warm: bool = True,
    lost: Callable[[Job, BaseException], Result],
) -> Iterator[Result]:
    """Run the jobs on `workers` processes, each with its own kernel; yield results as they end.

    When a worker process dies, the jobs that were running yield `lost(job, error)` and the jobs
    that had not started go on in a new pool; a job caught in two such deaths counts as lost.
    """
    remaining = list(jobs)
    interrupted: set[str] = set()
    while remaining:
        pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=_fork_server(work.__module__),
            initializer=_start_worker,
            initargs=(warm,),
        )
        pending: dict[Future[Result], Job] = {pool.submit(work, job): job for job in remaining}
        remaining, started = [], set()
        try:
            while pending:
                done, _ = wait(pending, timeout=POLL_S, return_when=FIRST_COMPLETED)
                running = [job.name for future, job in pending.items() if future.running()]
                started.update(running)
                if on_running:
                    on_running(running)
                for future in done:
                    job = pending.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool as error:
                        if job.name in started or job.name in interrupted:
                            yield lost(job, error)
                        else:
                            interrupted.add(job.name)
                            remaining.append(job)
        except BaseException:
            _stop_workers(pool)
            raise
        pool.shutdown(wait=True)


def run_local(
    work: Callable[[Job], Result],
    jobs: list[Job],
    settings: ExecutorSettings,
    on_running: RunningCallback | None = None,
    *,
    lost: Callable[[Job, BaseException], Result],
) -> Iterator[Result]:
    """Run the jobs here, or on as many local worker processes as useful."""
    if settings.workers <= 1 or len(jobs) <= 1:
        return run_serial(work, jobs, on_running)
    workers = min(settings.workers, len(jobs))
    return run_local_pool(work, jobs, workers, on_running, warm=settings.warm, lost=lost)


def _fork_server(module: str) -> multiprocessing.context.BaseContext:
    """Workers forked from one server process that has imported `module` once.

    Spawned workers would each import the report stack (about a second of CPU apiece); a fork
    server imports it once, and unlike forking this process it holds no threads or open state.
    The server starts with the first pool unless `start_fork_server` started it earlier.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([module])
    return context


def _start_worker(warm: bool) -> None:
    """Worker set-up: leave Ctrl-C to the parent, stop the kernel on SIGTERM, warm it up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    multiprocessing.util.Finalize(None, kernels.discard_worker_kernel, exitpriority=10)
    if warm:
        kernels.worker_kernel()


def _stop_worker(signum: int, frame: Any) -> None:
    kernels.discard_worker_kernel()
    os._exit(128 + signum)


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and stop the workers (each shuts its kernel down)."""
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=15)
