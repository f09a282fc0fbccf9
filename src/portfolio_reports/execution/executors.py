"""Run report jobs: in this process, or on a pool of local worker processes."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import multiprocessing.util
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

import psutil

from portfolio_reports.execution import forked_kernels, kernels
from portfolio_reports.execution.memory import MemoryCeilingPassed, memory_ceiling_kept


class NamedJob(Protocol):
    """A job the progress display can name."""

    name: str


Job = TypeVar("Job", bound=NamedJob)
Result = TypeVar("Result")
RunningCallback = Callable[[list[str]], None]
POLL_S = 0.25
STOP_TIMEOUT_S = 15
"""Seconds a worker has to shut its kernel down and end when stopped, before it is killed."""
ORPHAN_GRACE_S = 3
"""Seconds a worker whose build process died has to shut its kernel down before it exits."""


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
    memory_ceiling: int | None = None
    """Bytes the build's processes may hold together (see `memory`); None: not watched."""


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
    ) -> Generator[Any, None, None]:
        """Run every job; a job whose worker was lost yields `lost(job, error)`.

        Closing the generator early stops whatever still runs.
        """


def start_fork_server(module: str) -> None:
    """Start the worker fork server now, importing `module` there while this process goes on."""
    _fork_server(module)
    multiprocessing.forkserver.ensure_running()


def run_serial(
    work: Callable[[Job], Result],
    jobs: Iterable[Job],
    on_running: RunningCallback | None = None,
    *,
    memory_ceiling: int | None = None,
    lost: Callable[[Job, BaseException], Result] | None = None,
) -> Generator[Result, None, None]:
    """Run the jobs one after the other in this process, then stop its warm kernel.

    A job whose processes (its kernel, and what it started) were ended at the memory ceiling
    yields `lost(job, MemoryCeilingPassed(...))`.
    """
    before = {child.pid for child in psutil.Process().children()}
    current: list[str] = []

    def report() -> dict[str, list[psutil.Process]]:
        started = [child for child in psutil.Process().children() if child.pid not in before]
        return {name: started for name in current}

    try:
        with memory_ceiling_kept(memory_ceiling, report) as ended:
            for job in jobs:
                if on_running:
                    on_running([job.name])
                current[:] = [job.name]
                outcome = work(job)
                current.clear()
                yield _ceiling_outcome(job, outcome, ended, lost)
    finally:
        kernels.discard_worker_kernel()


def _ceiling_outcome(
    job: Job,
    outcome: Result,
    ended: dict[str, str],
    lost: Callable[[Job, BaseException], Result] | None,
) -> Result:
    """The job's outcome; `lost` with the reason when the memory watch ended the job."""
    if job.name in ended and lost is not None:
        return lost(job, MemoryCeilingPassed(ended[job.name]))
    return outcome


class WorkerLost(Exception):
    """The worker process running a job ended before it returned a result."""


def run_local_pool(
    work: Callable[[Job], Result],
    jobs: Iterable[Job],
    workers: int,
    on_running: RunningCallback | None = None,
    *,
    warm: bool = True,
    lost: Callable[[Job, BaseException], Result],
    memory_ceiling: int | None = None,
) -> Generator[Result, None, None]:
    """Run the jobs on `workers` processes, each with its own kernel; yield results as they end.

    Each worker runs one job at a time. When a worker dies (killed, out of memory), only the job
    it was running yields `lost(job, WorkerLost(how it ended))`, once; a new worker takes its place
    and the other jobs go on; so does a job whose `work` raised, with that exception. A job whose
    processes were ended at the memory ceiling yields `lost(job, MemoryCeilingPassed(...))`. On
    any exception here (Ctrl-C, a stop signal) every worker is stopped with its kernel.
    """
    queued = deque(jobs)
    context = _fork_server(work.__module__)
    pool: list[_Worker[Job, Result]] = []
    running: dict[_Worker[Job, Result], Job] = {}

    def reports() -> dict[str, list[psutil.Process]]:
        return {job.name: worker.report_processes() for worker, job in dict(running).items()}

    try:
        with memory_ceiling_kept(memory_ceiling, reports) as ended:
            while queued or running:
                pool = [worker for worker in pool if worker in running or worker.usable()]
                idle = [worker for worker in pool if worker not in running]
                for _ in range(min(workers - len(pool), len(queued) - len(idle))):
                    pool.append(_Worker(context, work, warm))
                    idle.append(pool[-1])
                for worker in idle[: len(queued)]:
                    running[worker] = queued.popleft()
                    worker.give(running[worker])
                if on_running:
                    on_running([job.name for job in running.values()])
                waitables = {
                    waitable: worker for worker in running for waitable in worker.waitables()
                }
                ready = multiprocessing.connection.wait(list(waitables), timeout=POLL_S)
                for worker in {waitables[waitable]: None for waitable in ready}:
                    job, outcome = running.pop(worker), worker.take()
                    if isinstance(outcome, BaseException):
                        yield lost(job, outcome)
                    else:
                        yield _ceiling_outcome(job, outcome, ended, lost)
        for worker in pool:
            worker.finish()
    finally:
        _stop_workers(pool)


def run_local(
    work: Callable[[Job], Result],
    jobs: list[Job],
    settings: ExecutorSettings,
    on_running: RunningCallback | None = None,
    *,
    lost: Callable[[Job, BaseException], Result],
) -> Generator[Result, None, None]:
    """Run the jobs here with one worker allowed, else on as many worker processes as useful.

    A single job goes to a worker too: the command line starts the fork server, holding the
    report stack, before it knows how many reports it has, and a worker forks its kernel.
    """
    ceiling = settings.memory_ceiling
    if settings.workers <= 1 or not jobs:
        return run_serial(work, jobs, on_running, memory_ceiling=ceiling, lost=lost)
    workers = min(settings.workers, len(jobs))
    return run_local_pool(
        work, jobs, workers, on_running, warm=settings.warm, lost=lost, memory_ceiling=ceiling
    )


def _fork_server(module: str) -> multiprocessing.context.BaseContext:
    """Workers forked from one server process that has imported `module` once, after what their
    warm kernels need: each worker forks its kernel from itself (see `forked_kernels`).

    Spawned workers would each import the report stack (about a second of CPU apiece); a fork
    server imports it once, and unlike forking this process it holds no threads or open state.
    The server starts with the first pool unless `start_fork_server` started it earlier.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([forked_kernels.KERNEL_PRELOAD, module])
    return context


class _Worker(Generic[Job, Result]):
    """One worker process and the pipe it takes jobs from and returns results on."""

    def __init__(self, context: Any, work: Callable[[Job], Result], warm: bool) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, work, warm), name="portfolio-reports worker", daemon=True
        )
        self.process.start()
        child.close()

    def give(self, job: Job) -> None:
        """Send the worker its next job."""
        self.connection.send(job)

    def usable(self) -> bool:
        """Whether the worker still runs; one that died idle is let go."""
        if self.process.is_alive():
            return True
        self.connection.close()
        return False

    def report_processes(self) -> list[psutil.Process]:
        """The processes of the job the worker runs: its kernel and what that started, or the
        worker itself while it has none."""
        try:
            worker = psutil.Process(self.process.pid)
            return worker.children() or [worker]
        except psutil.Error:
            return []

    def waitables(self) -> list[Any]:
        """What becomes ready when the worker returns a result or dies."""
        return [self.connection, self.process.sentinel]

    def take(self) -> Result | BaseException:
        """The job's result, the exception it raised, or WorkerLost if the worker died."""
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            self.process.join(timeout=5)
            return WorkerLost(_exit_reason(self.process.exitcode))

    def finish(self) -> None:
        """Tell an idle worker to stop, and wait for it to stop its kernel and end."""
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(timeout=STOP_TIMEOUT_S)


def _serve(connection: Connection, work: Callable[[Job], Result], warm: bool) -> None:
    """A worker's life: set up, then run each job sent until told to stop (None) or orphaned."""
    _start_worker(warm)
    with contextlib.suppress(EOFError):  # the build process is gone: end quietly
        while (job := connection.recv()) is not None:
            try:
                outcome: Result | BaseException = work(job)
            except Exception as error:  # outside the report: this job is lost, not the pool
                outcome = error
            connection.send(outcome)


def _exit_reason(exitcode: int | None) -> str:
    """How a process ended, in words: "killed by SIGKILL", "exited with code 1"."""
    if exitcode is not None and exitcode < 0:
        return f"killed by {signal.Signals(-exitcode).name}"
    return f"exited with code {exitcode}"


def _start_worker(warm: bool) -> None:
    """Set up a worker: Ctrl-C and hang-ups are the parent's; SIGTERM or orphaning stops it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop_worker)
    multiprocessing.util.Finalize(None, kernels.discard_worker_kernel, exitpriority=10)
    # What the fork server imported lives as long as the worker: frozen out of the garbage
    # collector's reach, as rendering a page collects often (a full walk was a third of its time).
    gc.freeze()
    forked_kernels.fork_kernels_here()
    build_process = multiprocessing.parent_process()
    if build_process is not None:
        threading.Thread(
            target=_stop_when_gone, args=(build_process.sentinel,), daemon=True
        ).start()
    if warm:
        kernels.worker_kernel()


def _stop_when_gone(sentinel: int) -> None:
    """Stop this worker as SIGTERM does once the build process is gone, even killed by SIGKILL.

    The sentinel is the build process's end of a pipe: it becomes ready when that process ends.
    A worker that does not stop within ORPHAN_GRACE_S exits anyway; its kernel follows within a
    second (ipykernel ends when the process that started it is gone).
    """
    multiprocessing.connection.wait([sentinel])
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(ORPHAN_GRACE_S)
    os._exit(128 + signal.SIGTERM)


def _stop_worker(signum: int, frame: Any) -> None:
    """SIGTERM in a worker: shut its kernel down and end at once, publishing nothing more."""
    try:
        kernels.discard_worker_kernel()
    finally:
        os._exit(128 + signum)


def _stop_workers(pool: list[_Worker[Any, Any]]) -> None:
    """Stop every worker still running (each shuts its kernel down); kill any that hangs."""
    for worker in pool:
        if worker.process.is_alive():
            worker.process.terminate()
    for worker in pool:
        worker.process.join(timeout=STOP_TIMEOUT_S)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()
        worker.connection.close()
