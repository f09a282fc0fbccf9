"""Executors by name: where a build's report jobs run (`--executor`), and what runs them."""

from __future__ import annotations

from portfolio_reports.execution.dask_executor import run_on_dask
from portfolio_reports.execution.executors import Executor, run_local
from portfolio_reports.execution.outcome import ReportJob, ReportResult

EXECUTORS: dict[str, Executor] = {"local": run_local, "dask": run_on_dask}
"""Every executor, under the name `--executor` takes."""


def run_job(job: ReportJob) -> ReportResult:
    """Run a report job (`job.run_report_job`) in the worker that takes it: the build process
    hands jobs over without importing papermill and nbconvert, which its workers have loaded."""
    from portfolio_reports.execution.job import run_report_job

    return run_report_job(job)
