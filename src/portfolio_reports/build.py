"""A quarterly build: check inputs, execute each notebook, render, publish, index."""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import os
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from portfolio_reports import __version__
from portfolio_reports.analysis.metrics import latest_quarter
from portfolio_reports.data.dataset import Dataset, find_snapshot, load_dataset, write_snapshot
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.errors import InputError
from portfolio_reports.execution import kernels
from portfolio_reports.execution.dask_executor import run_on_dask
from portfolio_reports.execution.executors import default_workers, run_jobs
from portfolio_reports.execution.warm_engine import WARM_ENGINE
from portfolio_reports.locking import build_lock
from portfolio_reports.paths import (
    DEFAULT_DATA,
    DEFAULT_NOTEBOOKS,
    DEFAULT_PARAMS,
    DEFAULT_REPORTS,
    OutputLayout,
    scratch_path,
)
from portfolio_reports.presentation.narrative import key_figure
from portfolio_reports.presentation.render import (
    BUILD_TIME_KEY,
    TEMPLATES,
    IndexEntry,
    PageInfo,
    notebook_to_html,
    quarter_index_html,
    quarters_index_html,
)
from portfolio_reports.specs import ReportSpec, load_specs

DEFAULT_TIMEOUT_S = 600
WORKER_DIED = "the worker process running this report died"
PACKAGE_DIR = Path(__file__).parent


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where."""

    quarter: str | None = None
    data: str | Path = DEFAULT_DATA
    params: Path = DEFAULT_PARAMS
    notebooks: Path = DEFAULT_NOTEBOOKS
    out: Path = DEFAULT_REPORTS
    jobs: int = field(default_factory=default_workers)
    timeout_s: int = DEFAULT_TIMEOUT_S
    force: bool = False
    fresh_kernels: bool = False
    executor: str = "local"
    scheduler: str | None = None


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


@dataclass(frozen=True)
class ReportResult:
    """What became of one report job."""

    name: str
    status: str
    duration_s: float
    key: str
    error: dict | None = None
    kernel_peak_mib: float | None = None

    @property
    def ok(self) -> bool:
        """Whether the report is published and current (built now, or skipped as unchanged)."""
        return self.status in ("ok", "skipped")


@dataclass(frozen=True)
class BuildResult:
    """The outcome of a build: one result per report, and where the index is."""

    quarter: Quarter
    results: list[ReportResult]
    index: Path

    @property
    def ok(self) -> bool:
        """Whether every report was published."""
        return all(result.ok for result in self.results)


@dataclass(frozen=True)
class CheckedInputs:
    """Validated data, the quarter to build, and every report spec."""

    dataset: Dataset
    quarter: Quarter
    specs: list[ReportSpec]
    snapshot: Path | None = None


def check_inputs(options: BuildOptions, *, snapshot: bool = False) -> CheckedInputs:
    """Validate the options, the data and every params file; run nothing.

    With `snapshot`, a source already snapshotted under the reports folder is read back from its
    snapshot instead of validated again.
    """
    if options.jobs < 1:
        raise InputError(f"--jobs must be 1 or more, got {options.jobs}")
    if options.executor == "dask" and not options.scheduler:
        raise InputError("--executor dask needs --scheduler tcp://HOST:PORT")
    if options.timeout_s < 1:
        raise InputError(f"--timeout must be 1 second or more, got {options.timeout_s}")
    requested = Quarter.parse(options.quarter) if options.quarter else None
    snapshots = OutputLayout(options.out, "").snapshots_dir
    cached = find_snapshot(options.data, snapshots) if snapshot else None
    dataset = load_dataset(cached or options.data)
    quarter = resolve_quarter(dataset, requested)
    specs = load_specs(options.params, options.notebooks, dataset)
    return CheckedInputs(dataset, quarter, specs, cached)


class BuildObserver(Protocol):
    """Follows a build: what it will run, what runs now, what finished."""

    def planned(self, names: list[str]) -> None:
        """The reports of the build, in order."""

    def running(self, names: list[str]) -> None:
        """The reports executing right now."""

    def finished(self, result: ReportResult) -> None:
        """A report was built, skipped or failed."""


def build(options: BuildOptions, observer: BuildObserver | None = None) -> BuildResult:
    """Build every report of one quarter; skip unchanged ones; a failure does not stop others."""
    inputs = check_inputs(options, snapshot=True)
    layout = OutputLayout(Path(options.out).resolve(), str(inputs.quarter))
    with build_lock(layout.quarter_dir, layout.root, layout.notebooks_dir, layout.snapshots_dir):
        for leftover in layout.leftover_scratch():
            leftover.unlink(missing_ok=True)
        if inputs.snapshot is None:
            inputs = replace(inputs, snapshot=write_snapshot(inputs.dataset, layout.snapshots_dir))
        results = _run_build(options, inputs, layout, observer)
    return BuildResult(inputs.quarter, results, layout.index)


def _run_build(
    options: BuildOptions,
    inputs: CheckedInputs,
    layout: OutputLayout,
    observer: BuildObserver | None,
) -> list[ReportResult]:
    """Run or skip every report, then write the manifest and the index; return the results."""
    built_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    jobs = [_job(spec, inputs, layout, built_at, options) for spec in inputs.specs]
    if observer:
        observer.planned([job.name for job in jobs])
    published = {} if options.force else _published_reports(layout)
    to_run = [job for job in jobs if published.get(job.name, {}).get("key") != job.key]
    skipped = [ReportResult(job.name, "skipped", 0.0, job.key) for job in jobs if job not in to_run]
    running = observer.running if observer else None
    if options.executor == "dask":
        executed = run_on_dask(run_report_job, to_run, options.scheduler, running, lost=_lost_job)
    else:
        executed = run_jobs(
            run_report_job,
            to_run,
            options.jobs,
            running,
            warm=not options.fresh_kernels,
            lost=_lost_job,
        )
    results = []
    for result in itertools.chain(skipped, executed):
        results.append(result)
        if observer:
            observer.finished(result)
    order = {job.name: position for position, job in enumerate(jobs)}
    results.sort(key=lambda result: order[result.name])
    _write_manifest_and_index(inputs, layout, results, built_at, published)
    return results


def run_report_job(job: ReportJob) -> ReportResult:
    """Execute one notebook with papermill, render it, and publish both atomically."""
    started = time.perf_counter()
    layout = job.layout
    scratch = scratch_path(layout.executed(job.name))
    try:
        executed, peak_mib = _execute(job, scratch)
    except Exception as error:  # any failure of one report is recorded, not raised
        described = _describe_error(error)
        if scratch.exists():
            described["cell"] = _failing_cell(scratch) or described["cell"]
            os.replace(scratch, layout.failed(job.name))
        return ReportResult(job.name, "failed", time.perf_counter() - started, job.key, described)
    try:
        html = notebook_to_html(executed, job.page)
        publish_text(layout.html(job.name), html)
        os.replace(scratch, layout.executed(job.name))
    except Exception as error:  # rendering or writing failed: the last good report stays
        scratch.unlink(missing_ok=True)
        return ReportResult(
            job.name,
            "failed",
            time.perf_counter() - started,
            job.key,
            {"stage": "render", **_describe_error(error)},
        )
    layout.failed(job.name).unlink(missing_ok=True)
    return ReportResult(job.name, "ok", time.perf_counter() - started, job.key, None, peak_mib)


def _execute(job: ReportJob, output: Path) -> tuple[nbformat.NotebookNode, float | None]:
    """Run the notebook on this worker's warm kernel, or on a fresh one; saved to `output`.

    Returns the executed notebook and the kernel's peak memory in MiB (None for a fresh kernel).
    """
    arguments = {
        "parameters": job.parameters,
        "cwd": str(job.notebook.parent),
        "progress_bar": False,
        "execution_timeout": job.timeout_s,
        "kernel_name": kernels.KERNEL_NAME,
    }
    if not job.warm:
        return papermill.execute_notebook(str(job.notebook), str(output), **arguments), None
    kernel = kernels.worker_kernel()
    try:
        kernel.reset(job.notebook.parent)
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


def publish_text(path: Path, text: str) -> None:
    """Write a file under a temporary name, then rename it into place."""
    scratch = scratch_path(path)
    try:
        scratch.write_text(text, encoding="utf-8")
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)


def resolve_quarter(dataset: Dataset, requested: Quarter | None) -> Quarter:
    """The requested quarter, which must have sales in the data; default the latest."""
    latest = latest_quarter(dataset)
    if requested is None:
        return latest
    quarters = sorted(dataset.sales["quarter"].unique())
    if str(requested) not in quarters:
        raise InputError(
            f"quarter {requested} is not in the data; available: {quarters[0]} to {quarters[-1]}"
        )
    return requested


def _job(
    spec: ReportSpec,
    inputs: CheckedInputs,
    layout: OutputLayout,
    built_at: str,
    options: BuildOptions,
) -> ReportJob:
    parameters = {
        **spec.parameters,
        "quarter": str(inputs.quarter),
        "data": str(Path(inputs.snapshot or options.data).resolve()),
    }
    page = page_info(
        spec.title,
        spec.group,
        inputs.quarter,
        spec.parameters,
        spec.notebook,
        inputs.dataset.fingerprint,
        built_at,
    )
    key = job_key(spec, str(inputs.quarter), inputs.dataset.fingerprint)
    return ReportJob(
        spec.name,
        spec.notebook,
        parameters,
        layout,
        page,
        options.timeout_s,
        key,
        warm=not options.fresh_kernels,
    )


def page_info(
    title: str,
    group: str,
    quarter: Quarter,
    parameters: dict,
    notebook: Path,
    data_fingerprint: str,
    built_at: str,
    **extra: object,
) -> PageInfo:
    """Header and provenance footer of one report page."""
    return PageInfo(
        title=title,
        subtitle=f"{group} · {quarter.label}",
        quarter=str(quarter),
        data_as_of=quarter.end.isoformat(),
        provenance={
            "Parameters": json.dumps(parameters, sort_keys=True),
            "Notebook": notebook.name,
            "Data fingerprint": data_fingerprint[:16],
            "Package version": __version__,
            BUILD_TIME_KEY: built_at,
        },
        **extra,
    )


def job_key(spec: ReportSpec, quarter: str, data_fingerprint: str) -> str:
    """Hash of everything a report depends on: notebook, parameters, data, template, code."""
    digest = hashlib.sha256()
    for part in (
        spec.notebook.read_bytes(),
        json.dumps([spec.title, spec.group, spec.parameters, quarter], sort_keys=True).encode(),
        data_fingerprint.encode(),
        _code_fingerprint().encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


@functools.cache
def _code_fingerprint() -> str:
    """Hash of the package version, its source and its templates."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted([*PACKAGE_DIR.glob("*.py"), *TEMPLATES.rglob("*")]):
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _published_reports(layout: OutputLayout) -> dict[str, dict]:
    """Manifest entries of the reports the last build left current, whose HTML is still there."""
    try:
        manifest = json.loads(layout.manifest.read_text())
    except (OSError, ValueError):
        return {}
    return {
        report["name"]: report
        for report in manifest.get("reports", [])
        if report.get("status") in ("ok", "skipped") and layout.html(report["name"]).is_file()
    }


def _lost_job(job: ReportJob, error: BaseException) -> ReportResult:
    """The result of a job whose worker process died under it, or that its executor lost."""
    died = isinstance(error, BrokenProcessPool) or type(error).__name__ == "KilledWorker"
    described = (
        {"cell": None, "error": type(error).__name__, "message": WORKER_DIED}
        if died
        else _describe_error(error)
    )
    return ReportResult(
        job.name,
        "failed",
        0.0,
        job.key,
        described,
    )


def _failing_cell(executed: Path) -> int | None:
    """The last code cell (1-based, among code cells) that papermill started, if any."""
    try:
        notebook = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    started = [
        position
        for position, cell in enumerate(code, start=1)
        if cell.metadata.get("papermill", {}).get("start_time")
    ]
    return started[-1] if started else None


def _describe_error(error: BaseException) -> dict:
    if isinstance(error, PapermillExecutionError):
        return {
            "cell": error.exec_count,
            "error": error.ename,
            "message": _first_line(error.evalue),
        }
    return {"cell": None, "error": type(error).__name__, "message": _first_line(str(error))}


def _first_line(text: str) -> str:
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[0][:300] if lines else ""


def _write_manifest_and_index(
    inputs: CheckedInputs,
    layout: OutputLayout,
    results: list[ReportResult],
    built_at: str,
    published: dict[str, dict],
) -> None:
    specs = {spec.name: spec for spec in inputs.specs}
    reports = []
    for result in results:
        spec = specs[result.name]
        reports.append(
            {
                "name": spec.name,
                "title": spec.title,
                "group": spec.group,
                "notebook": spec.notebook.name,
                "parameters": spec.parameters,
                "key_figure": published[spec.name]["key_figure"]
                if result.status == "skipped"
                else key_figure(inputs.dataset, spec.scope, inputs.quarter),
                "html": layout.html(spec.name).name if layout.html(spec.name).exists() else None,
                **asdict(result),
            }
        )
    manifest = {
        "quarter": str(inputs.quarter),
        "built_at": built_at,
        "package_version": __version__,
        "data_fingerprint": inputs.dataset.fingerprint,
        "reports": reports,
    }
    publish_text(layout.manifest, json.dumps(manifest, indent=2, default=str) + "\n")
    previous = str(inputs.quarter.previous)
    entries = [
        IndexEntry(
            name=report["name"],
            title=report["title"],
            group=report["group"],
            status=report["status"],
            key_figure=report["key_figure"],
            error=_error_line(report["error"]),
            duration_s=round(report["duration_s"], 1),
        )
        for report in reports
    ]
    has_previous = (layout.root / previous / "index.html").exists()
    publish_text(
        layout.index,
        quarter_index_html(
            str(inputs.quarter),
            entries,
            previous_quarter=previous if has_previous else None,
            built_at=built_at,
        ),
    )
    publish_text(layout.top_index, quarters_index_html(_published_quarters(layout.root)))


def _error_line(error: dict | None) -> str:
    if not error:
        return ""
    cell = f"cell {error['cell']}: " if error.get("cell") is not None else ""
    return f"{cell}{error['error']}: {error['message']}"


def _published_quarters(root: Path) -> list[tuple[str, int, int]]:
    quarters = []
    for manifest_path in sorted(root.glob("*/manifest.json"), reverse=True):
        reports = json.loads(manifest_path.read_text())["reports"]
        ok = sum(report["status"] == "ok" for report in reports)
        quarters.append((manifest_path.parent.name, ok, len(reports) - ok))
    return quarters
