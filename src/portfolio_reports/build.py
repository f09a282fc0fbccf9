"""A quarterly build: check inputs, execute each notebook, render, publish, index."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from portfolio_reports import __version__
from portfolio_reports.dataset import Dataset, load_dataset, write_snapshot
from portfolio_reports.errors import InputError
from portfolio_reports.executors import run_jobs
from portfolio_reports.metrics import latest_quarter
from portfolio_reports.narrative import key_figure
from portfolio_reports.paths import (
    DEFAULT_DATA,
    DEFAULT_NOTEBOOKS,
    DEFAULT_PARAMS,
    DEFAULT_REPORTS,
    OutputLayout,
)
from portfolio_reports.quarters import Quarter
from portfolio_reports.render import (
    BUILD_TIME_KEY,
    IndexEntry,
    PageInfo,
    notebook_to_html,
    quarter_index_html,
    quarters_index_html,
)
from portfolio_reports.specs import ReportSpec, load_specs

DEFAULT_TIMEOUT_S = 600
KERNEL_NAME = "python3"


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where."""

    quarter: str | None = None
    data: Path = DEFAULT_DATA
    params: Path = DEFAULT_PARAMS
    notebooks: Path = DEFAULT_NOTEBOOKS
    out: Path = DEFAULT_REPORTS
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    timeout_s: int = DEFAULT_TIMEOUT_S


@dataclass(frozen=True)
class ReportJob:
    """One unit of work: a notebook and its parameters in, a published report out."""

    name: str
    notebook: Path
    parameters: dict
    layout: OutputLayout
    page: PageInfo
    timeout_s: int


@dataclass(frozen=True)
class ReportResult:
    """What became of one report job."""

    name: str
    status: str
    duration_s: float
    error: dict | None = None

    @property
    def ok(self) -> bool:
        """Whether the report was published."""
        return self.status == "ok"


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


def check_inputs(options: BuildOptions) -> CheckedInputs:
    """Validate the options, the data and every params file; run nothing."""
    if options.jobs < 1:
        raise InputError(f"--jobs must be 1 or more, got {options.jobs}")
    if options.timeout_s < 1:
        raise InputError(f"--timeout must be 1 second or more, got {options.timeout_s}")
    requested = Quarter.parse(options.quarter) if options.quarter else None
    dataset = load_dataset(options.data)
    quarter = _resolve_quarter(dataset, requested)
    specs = load_specs(options.params, options.notebooks, dataset)
    return CheckedInputs(dataset, quarter, specs)


def build(
    options: BuildOptions, on_result: Callable[[ReportResult], None] | None = None
) -> BuildResult:
    """Build every report for one quarter; failed reports do not stop the others."""
    inputs = check_inputs(options)
    layout = OutputLayout(options.out, str(inputs.quarter))
    layout.notebooks_dir.mkdir(parents=True, exist_ok=True)
    snapshot = write_snapshot(inputs.dataset, layout.snapshots_dir)
    built_at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    jobs = [
        _job(spec, inputs, layout, snapshot, built_at, options.timeout_s) for spec in inputs.specs
    ]
    results: list[ReportResult] = []
    for result in run_jobs(run_report_job, jobs, options.jobs):
        results.append(result)
        if on_result:
            on_result(result)
    order = {job.name: position for position, job in enumerate(jobs)}
    results.sort(key=lambda result: order[result.name])
    _write_manifest_and_index(inputs, layout, results, built_at)
    return BuildResult(inputs.quarter, results, layout.index)


def run_report_job(job: ReportJob) -> ReportResult:
    """Execute one notebook with papermill, render it, and publish both atomically."""
    started = time.perf_counter()
    layout = job.layout
    scratch = layout.notebooks_dir / f".{job.name}.{uuid.uuid4().hex}.ipynb"
    try:
        papermill.execute_notebook(
            str(job.notebook),
            str(scratch),
            parameters=job.parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(job.notebook.parent),
            progress_bar=False,
            execution_timeout=job.timeout_s,
        )
    except Exception as error:  # any failure of one report is recorded, not raised
        if scratch.exists():
            os.replace(scratch, layout.failed(job.name))
        return ReportResult(
            job.name, "failed", time.perf_counter() - started, _describe_error(error)
        )
    try:
        html = notebook_to_html(nbformat.read(scratch, as_version=4), job.page)
        publish_text(layout.html(job.name), html)
        os.replace(scratch, layout.executed(job.name))
    except Exception as error:  # rendering or writing failed: the last good report stays
        scratch.unlink(missing_ok=True)
        return ReportResult(
            job.name,
            "failed",
            time.perf_counter() - started,
            {"stage": "render", **_describe_error(error)},
        )
    layout.failed(job.name).unlink(missing_ok=True)
    return ReportResult(job.name, "ok", time.perf_counter() - started)


def publish_text(path: Path, text: str) -> None:
    """Write a file under a temporary name, then rename it into place."""
    scratch = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        scratch.write_text(text, encoding="utf-8")
        os.replace(scratch, path)
    finally:
        scratch.unlink(missing_ok=True)


def _resolve_quarter(dataset: Dataset, requested: Quarter | None) -> Quarter:
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
    snapshot: Path,
    built_at: str,
    timeout_s: int,
) -> ReportJob:
    parameters = {
        **spec.parameters,
        "quarter": str(inputs.quarter),
        "data": str(snapshot.resolve()),
    }
    page = PageInfo(
        title=spec.title,
        subtitle=f"{spec.group} · {inputs.quarter.label}",
        quarter=str(inputs.quarter),
        data_as_of=inputs.quarter.end.isoformat(),
        provenance={
            "Parameters": json.dumps(spec.parameters, sort_keys=True),
            "Notebook": spec.notebook.name,
            "Data fingerprint": inputs.dataset.fingerprint[:16],
            "Package version": __version__,
            BUILD_TIME_KEY: built_at,
        },
    )
    return ReportJob(spec.name, spec.notebook, parameters, layout, page, timeout_s)


def _describe_error(error: Exception) -> dict:
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
    inputs: CheckedInputs, layout: OutputLayout, results: list[ReportResult], built_at: str
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
                "key_figure": key_figure(inputs.dataset, spec.scope, inputs.quarter),
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
