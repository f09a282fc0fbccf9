"""The local worker pool: one job per worker at a time; a dead worker loses its job only."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass

import pytest

from portfolio_reports.execution.executors import run_local_pool


@dataclass(frozen=True)
class Sleep:
    """A job: sleep, then return the name and the worker's process id; or die, or raise."""

    name: str
    seconds: float = 0.5
    fate: str = "returns"


def sleep(job: Sleep) -> tuple[str, int]:
    """Run one job in a worker."""
    if job.fate == "dies":
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(job.seconds)
    if job.fate == "raises":
        raise ValueError(f"{job.name} went wrong")
    return job.name, os.getpid()


def lost(job: Sleep, error: BaseException) -> tuple[str, str]:
    """What a lost job yields in these tests."""
    return job.name, f"{type(error).__name__}: {error}"


@pytest.mark.slow  # starts and kills worker processes
def test_a_dead_worker_loses_its_own_job_and_the_others_complete():
    jobs = [Sleep("dies", fate="dies"), Sleep("running", 2.0), Sleep("queued"), Sleep("last")]
    results = dict(run_local_pool(sleep, jobs, 2, warm=False, lost=lost))
    assert results.pop("dies") == "WorkerLost: killed by SIGKILL"
    assert set(results) == {"running", "queued", "last"}
    assert all(isinstance(pid, int) for pid in results.values())
    assert len(set(results.values())) == 2, "the dead worker was replaced; two workers ran them"


def test_an_error_outside_a_report_loses_that_job_only():
    jobs = [Sleep("raises", fate="raises"), Sleep("b"), Sleep("c")]
    results = dict(run_local_pool(sleep, jobs, 2, warm=False, lost=lost))
    assert results.pop("raises") == "ValueError: raises went wrong"
    assert set(results) == {"b", "c"}
