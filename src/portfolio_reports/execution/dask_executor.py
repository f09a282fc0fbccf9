"""Run report jobs on an existing dask.distributed cluster (the `dask` extra)."""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable, Generator, Iterable
from types import ModuleType
from typing import Any

from portfolio_reports.data.extras import import_extra
from portfolio_reports.errors import InputError
from portfolio_reports.execution.executors import ExecutorSettings, Job, Result, RunningCallback

CONNECT_TIMEOUT_S = 30
RETRIES = 1  # for a task that raised; lost workers: the scheduler's allowed-failures


def run_on_dask(
    work: Callable[[Job], Result],
    jobs: Iterable[Job],
    settings: ExecutorSettings,
    on_running: RunningCallback | None = None,
    *,
    lost: Callable[[Job, BaseException], Result],
) -> Generator[Result, None, None]:
    """Run the jobs on the workers of the cluster at `settings.scheduler`, as they finish."""
    if not settings.scheduler:
        raise InputError("--executor dask needs --scheduler tcp://HOST:PORT")
    distributed = import_extra("distributed", "dask")
    client = _connect(distributed, settings.scheduler)
    return _results(distributed, client, work, list(jobs), on_running, lost)


def _connect(distributed: ModuleType, address: str) -> Any:
    """A client of the scheduler, whose workers each run one job at a time."""
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, ValueError) as error:  # refused, timed out, or not an address
        raise InputError(f"cannot reach the dask scheduler at {address}: {error}") from error
    threads = {
        worker.get("name", address): worker["nthreads"]
        for address, worker in client.scheduler_info()["workers"].items()
    }
    crowded = sorted(str(name) for name, count in threads.items() if count > 1)
    if crowded:
        client.close()
        raise InputError(
            f"dask workers {', '.join(crowded)} run several threads; start each worker with"
            " --nthreads 1 (a report job changes its process's working directory and kernel)"
        )
    return client


def _results(
    distributed: ModuleType,
    client: Any,
    work: Callable[[Job], Result],
    jobs: list[Job],
    on_running: RunningCallback | None,
    lost: Callable[[Job, BaseException], Result],
) -> Generator[Result, None, None]:
    """Yield each job's result as its task ends; close the client at the end.

    Jobs are submitted only as worker threads are free: a task the scheduler placed on a busy
    worker would count that worker's death against its own allowed failures, so a report could
    fail for a worker that died running another.
    """
    waiting = deque(jobs)
    pending: dict[Any, Job] = {}
    finished = distributed.as_completed(loop=client.loop)

    def submit_while_free() -> None:
        free = max(sum(client.nthreads().values()), 1) - len(pending)
        for _ in range(min(free, len(waiting))):
            job = waiting.popleft()
            key = f"report-{job.name}-{uuid.uuid4().hex}"
            future = client.submit(work, job, key=key, retries=RETRIES)
            pending[future] = job
            finished.add(future)

    try:
        submit_while_free()
        _report_running(client, pending, on_running)
        for future in finished:
            job = pending.pop(future)
            try:
                result = future.result()
            except Exception as error:  # a lost worker (KilledWorker) or an error outside the job
                result = lost(job, error)
            submit_while_free()
            _report_running(client, pending, on_running)
            yield result
    finally:
        client.close()


def _report_running(
    client: Any, pending: dict[Any, Job], on_running: RunningCallback | None
) -> None:
    """Tell the caller which pending jobs the scheduler has placed on a worker."""
    if on_running is None:
        return
    placed = {key for keys in client.processing().values() for key in keys}
    on_running([job.name for future, job in pending.items() if future.key in placed])
