"""One report job: execute a notebook with papermill, render it, publish both atomically."""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from portfolio_reports.execution import kernels
from portfolio_reports.execution.executors import WorkerLost
from portfolio_reports.execution.limits import OutputCaps
from portfolio_reports.execution.processes import strays_ended
from portfolio_reports.execution.warm_engine import FRESH_ENGINE, WARM_ENGINE
from portfolio_reports.paths import OutputLayout, scratch_path, write_text_atomic
from portfolio_reports.presentation.figures import read_figures
from portfolio_reports.presentation.render import PageInfo, render_report
from portfolio_reports.text import first_line

WORKER_DIED = "the worker process running this report died"
INJECTED_TAG = "injected-parameters"
"""The tag of the cell papermill adds with the parameters it was given."""


class ReportStatus(StrEnum):
    """What became of a report: built now, kept as unchanged, failed, or not built yet."""

    OK = "ok"
    SKIPPED = "skipped"
    FAILED = "failed"
    PENDING = "pending"
    """Never built: left out of every build of named reports so far."""


@dataclass(frozen=True)
class Failure:
    """Why a report failed: the code cell (1-based) if known, the error's name and message."""

    cell: int | None
    error: str
    message: str
    stage: str = "execute"
    """"execute" (the notebook) or "render" (the page)."""

    @classmethod
    def of(cls, error: BaseException, stage: str = "execute") -> Failure:
        """The failure record of an exception; papermill's name the failing cell."""
        if isinstance(error, PapermillExecutionError):
            return cls(error.exec_count, error.ename, first_line(error.evalue), stage)
        return cls(None, type(error).__name__, first_line(error), stage)

    def line(self) -> str:
        """One line: "cell 4: KeyError: 'JP'"."""
        cell = f"cell {self.cell}: " if self.cell is not None else ""
        return f"{cell}{self.error}: {self.message}"


@dataclass(frozen=True)
class ReportJob:
    """One unit of work: a notebook and its parameters in, a published report out."""

    name: str
    notebook: Path
    parameters: dict
    layout: OutputLayout
    page: PageInfo
    timeout_s: int
    key: str
    warm: bool = True
    """Run on this process's warm kernel (kept for the next job) rather than a fresh one."""
    cwd: Path | None = None
    """The folder the notebook runs in; default: the folder its executed copy is kept in."""
    kernel_name: str = kernels.KERNEL_NAME
    """The Jupyter kernel of a fresh run; KERNEL_NAME is this interpreter's Python."""
    output_caps: OutputCaps = field(default_factory=OutputCaps.from_environment)
    """Most output a cell and the report may send; read where the job is made."""


@dataclass(frozen=True)
class ReportResult:
    """What became of one report job."""

    name: str
    status: ReportStatus
    duration_s: float
    key: str
    error: Failure | None = None
    kernel_peak_mib: float | None = None
    figures: dict | None = None
    """The figures the page showed (see ReportView.figures); None when not built now."""
    earlier: bool = False
    """The outcome of an earlier build, kept because this build did not run the report."""
    row_labels: tuple[str, ...] | None = None
    """The labels of the page's revenue table rows (see render.RenderedReport); None when not
    known."""

    @property
    def ok(self) -> bool:
        """Whether the report is published and current (built now, or skipped as unchanged)."""
        return self.status in (ReportStatus.OK, ReportStatus.SKIPPED)


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
        return failed(_keep_failed_notebook(scratch, layout.failed(job.name), Failure.of(error)))
    try:
        rendered = render_report(executed, job.page)
        write_text_atomic(layout.html(job.name), rendered.html)
        os.replace(scratch, layout.executed(job.name))
    except Exception as error:  # rendering or writing failed: the last good report stays
        scratch.unlink(missing_ok=True)
        return failed(Failure.of(error, stage="render"))
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


def lost_job(job: ReportJob, error: BaseException) -> ReportResult:
    """The result of a job whose worker process died under it, or that its executor lost."""
    if isinstance(error, WorkerLost):
        failure = Failure(None, type(error).__name__, f"{WORKER_DIED} ({error})")
    elif type(error).__name__ == "KilledWorker":
        failure = Failure(None, type(error).__name__, WORKER_DIED)
    else:
        failure = Failure.of(error)
    return ReportResult(job.name, ReportStatus.FAILED, 0.0, job.key, failure)


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
