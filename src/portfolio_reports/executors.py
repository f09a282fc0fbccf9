"""Run report jobs: in this process, or on a pool of local worker processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


def run_serial(work: Callable[[Job], Result], jobs: Iterable[Job]) -> Iterator[Result]:
    """Run the jobs one after the other in this process."""
    for job in jobs:
        yield work(job)


def run_local_pool(
    work: Callable[[Job], Result], jobs: Iterable[Job], workers: int
) -> Iterator[Result]:
    """Run the jobs on `workers` fresh processes, yielding results as they finish."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(work, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


def run_jobs(work: Callable[[Job], Result], jobs: list[Job], workers: int) -> Iterator[Result]:
    """Run the jobs with as many processes as useful, yielding results as they finish."""
    if workers <= 1 or len(jobs) <= 1:
        return run_serial(work, jobs)
    return run_local_pool(work, jobs, min(workers, len(jobs)))
