"""Report jobs and their results: the records a build hands its workers and reads back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from portfolio_reports.execution.executors import WorkerLost
from portfolio_reports.execution.kernels import KERNEL_NAME
from portfolio_reports.execution.limits import OutputCaps
from portfolio_reports.paths import OutputLayout
from portfolio_reports.presentation.pages import PageInfo
from portfolio_reports.text import first_line

WORKER_DIED = "the worker process running this report died"


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
        """The failure record of an exception raised outside a notebook's cells."""
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
    kernel_name: str = KERNEL_NAME
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


def lost_job(job: ReportJob, error: BaseException) -> ReportResult:
    """The result of a job whose worker process died under it, or that its executor lost."""
    if isinstance(error, WorkerLost):
        failure = Failure(None, type(error).__name__, f"{WORKER_DIED} ({error})")
    elif type(error).__name__ == "KilledWorker":
        failure = Failure(None, type(error).__name__, WORKER_DIED)
    else:
        failure = Failure.of(error)
    return ReportResult(job.name, ReportStatus.FAILED, 0.0, job.key, failure)
