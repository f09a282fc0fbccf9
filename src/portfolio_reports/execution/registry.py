"""Executors by name: where a build's report jobs run (`--executor`)."""

from __future__ import annotations

from portfolio_reports.execution.dask_executor import run_on_dask
from portfolio_reports.execution.executors import Executor, run_local

EXECUTORS: dict[str, Executor] = {"local": run_local, "dask": run_on_dask}
"""Every executor, under the name `--executor` takes."""
