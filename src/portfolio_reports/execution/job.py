"""One report job: execute a notebook with papermill, render it, publish both atomically."""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from portfolio_reports.execution import kernels
from portfolio_reports.execution.outcome import Failure, ReportJob, ReportResult, ReportStatus
from portfolio_reports.execution.processes import strays_ended
from portfolio_reports.execution.warm_engine import FRESH_ENGINE, WARM_ENGINE
from portfolio_reports.paths import scratch_path, write_text_atomic
from portfolio_reports.presentation.figures import read_figures
from portfolio_reports.presentation.render import render_report
from portfolio_reports.text import first_line

INJECTED_TAG = "injected-parameters"
"""The tag of the cell papermill adds with the parameters it was given."""


def run_report_job(job: ReportJob) -> ReportResult:
    """Execute one notebook with papermill, render it, and publish both atomically."""
    started = time.perf_counter()
    layout = job.layout
    scratch = scratch_path(layout.executed(job.name))

    def failed(failure: Failure) -> ReportResult:
        elapsed = time.perf_counter() - started
        return ReportResult(job.name, ReportStatus.FAILED, elapsed, job.key, failure)

    try:
        with strays_ended(lambda: kernels.current_kernel_pid() if job.warm else None):
            executed, peak_mib = _execute(job, scratch)
    except Exception as error:  # any failure of one report is recorded, not raised
        return failed(_keep_failed_notebook(scratch, layout.failed(job.name), _failure(error)))
    try:
        rendered = render_report(executed, job.page)
        write_text_atomic(layout.html(job.name), rendered.html)
        os.replace(scratch, layout.executed(job.name))
    except Exception as error:  # rendering or writing failed: the last good report stays
        scratch.unlink(missing_ok=True)
        return failed(_failure(error, stage="render"))
    layout.failed(job.name).unlink(missing_ok=True)
    elapsed = time.perf_counter() - started
    figures = read_figures(executed)
    return ReportResult(
        job.name,
        ReportStatus.OK,
        elapsed,
        job.key,
        None,
        peak_mib,
        figures,
        row_labels=rendered.row_labels,
    )


def _execute(job: ReportJob, output: Path) -> tuple[nbformat.NotebookNode, float | None]:
    """Run the notebook on this worker's warm kernel, or on a fresh one; saved to `output`.

    A build's report runs in the folder it is kept in, as Jupyter runs it there, so that paths
    the build gives it relative to that folder hold when it is opened again; `job.cwd` says
    otherwise.

    Returns the executed notebook and the kernel's peak memory in MiB (None for a fresh kernel).
    """
    cwd = job.cwd or job.layout.notebooks_dir
    arguments = {
        "parameters": job.parameters,
        "cwd": str(cwd),
        "progress_bar": False,
        "execution_timeout": job.timeout_s,
        "kernel_name": job.kernel_name,
        "language": kernels.kernel_language(job.kernel_name),  # the notebook may not say
        "output_caps": job.output_caps,
    }
    if not job.warm:
        return (
            papermill.execute_notebook(
                str(job.notebook),
                str(output),
                engine_name=FRESH_ENGINE,
                kernel_manager_class=kernels.ThisPythonKernelManager,
                **arguments,
            ),
            None,
        )
    kernel = kernels.worker_kernel()
    try:
        kernel.reset(cwd)
        kernels.reset_peak_memory(kernel.pid)
        executed = papermill.execute_notebook(
            str(job.notebook),
            str(output),
            engine_name=WARM_ENGINE,
            kernel=kernel,
            partial_output=str(output),
            request_save_on_cell_execute=False,
            **arguments,
        )
    except PapermillExecutionError:
        raise  # the kernel is fine; the next report resets it
    except BaseException:
        kernels.discard_worker_kernel()  # dead, hung or unknown state: replace it
        raise
    return executed, kernels.peak_memory_mib(kernel.pid)


def _keep_failed_notebook(scratch: Path, failed: Path, failure: Failure) -> Failure:
    """Keep the partial notebook of a failed report as `failed`, if it is whole; name its cell.

    A notebook cut short (a full disk, a kernel killed while saving) is removed instead, with
    any kept from an earlier run, so that no empty or truncated notebook stands under that name.
    """
    try:
        notebook = nbformat.read(scratch, as_version=4)
    except (OSError, ValueError):
        scratch.unlink(missing_ok=True)
        failed.unlink(missing_ok=True)
        return failure
    with contextlib.suppress(OSError):  # not renamed: removed below, nothing half-written stays
        os.replace(scratch, failed)
    scratch.unlink(missing_ok=True)
    return replace(failure, cell=_failing_cell(notebook) or failure.cell)


def _failing_cell(notebook: nbformat.NotebookNode) -> int | None:
    """The last code cell that papermill started, if any, numbered among the notebook's own
    code cells from 1 (the cell papermill injects is not counted)."""
    code = [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and INJECTED_TAG not in cell.metadata.get("tags", [])
    ]
    started = [
        position
        for position, cell in enumerate(code, start=1)
        if cell.metadata.get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else None


def _failure(error: BaseException, stage: str = "execute") -> Failure:
    """The failure record of an exception; papermill's name the failing cell."""
    if isinstance(error, PapermillExecutionError):
        return Failure(error.exec_count, error.ename, first_line(error.evalue), stage)
    return Failure.of(error, stage)
