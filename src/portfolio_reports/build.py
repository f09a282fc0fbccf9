"""A quarterly build: check every input, plan one keyed job per report, run, publish."""

from __future__ import annotations

import contextlib
import fnmatch
import itertools
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from portfolio_reports import __version__
from portfolio_reports.analysis.metrics import resolve_quarter
from portfolio_reports.analysis.pipeline import lifecycle_warnings
from portfolio_reports.config import (
    DEFAULT_DATA,
    DEFAULT_NOTEBOOKS,
    DEFAULT_PARAMS,
    DEFAULT_REPORTS,
)
from portfolio_reports.data.dataset import Dataset, load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import Sales
from portfolio_reports.data.snapshots import find_snapshot, write_snapshot
from portfolio_reports.errors import InputError
from portfolio_reports.execution.executors import ExecutorSettings, default_workers
from portfolio_reports.execution.job import (
    ReportJob,
    ReportResult,
    ReportStatus,
    lost_job,
    run_report_job,
)
from portfolio_reports.execution.kernels import DEFAULT_TIMEOUT_S
from portfolio_reports.execution.registry import EXECUTORS
from portfolio_reports.keys import job_key, key_of, key_parts, rebuild_reasons
from portfolio_reports.locking import build_lock
from portfolio_reports.navigation import ReportTree, quarter_links, refresh_neighbours
from portfolio_reports.paths import OutputLayout, page_name
from portfolio_reports.presentation.pdf import check_pdf_support, print_pdfs
from portfolio_reports.presentation.render import BUILD_TIME_KEY, PageInfo
from portfolio_reports.publish import publish_manifest_and_index, published_reports
from portfolio_reports.specs import (
    COMMENTARY_PARAMETER,
    ParameterValue,
    ReportSpec,
    commentary_file,
    load_specs,
)


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
    reports: tuple[str, ...] = ()
    """Names or globs of the reports to build; the others keep their pages. Empty: every one."""
    formats: tuple[str, ...] = ("html",)
    """Outputs per report: "html" always; "pdf" also prints each page to <report>.pdf."""


FORMATS = ("html", "pdf")
SYNTHETIC_MARK = "Synthetic sales"
"""The running header's mark on printed pages when the sales figures are synthetic."""


@dataclass(frozen=True)
class BuildResult:
    """The outcome of a build: one result per report, and where the index is."""

    quarter: Quarter
    results: list[ReportResult]
    index: Path
    warnings: tuple[str, ...] = ()
    """Data warnings of the build, one line each."""
    reconciliation: tuple[str, ...] = ()
    """Identities the reports' figures break, one line each (see reconcile)."""

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


@dataclass(frozen=True)
class PlannedReport:
    """One report of a build: name, title, index group, notebook, parameters, quarter, page."""

    name: str
    title: str
    group: str
    notebook: str
    parameters: dict[str, ParameterValue]
    quarter: str
    html: Path
    rebuild: tuple[str, ...] = ()
    """Why a build would rebuild it (see keys.rebuild_reasons); empty when current."""


def check_inputs(options: BuildOptions, *, snapshot: bool = False) -> CheckedInputs:
    """Validate the options, the data and every params file; run nothing.

    With `snapshot`, a source already snapshotted under the reports folder is read back from its
    snapshot instead of validated again.
    """
    if options.jobs < 1:
        raise InputError(f"--jobs must be 1 or more, got {options.jobs}")
    if options.executor not in EXECUTORS:
        raise InputError(f"--executor must be one of {', '.join(EXECUTORS)}")
    if options.executor == "dask" and not options.scheduler:
        raise InputError("--executor dask needs --scheduler tcp://HOST:PORT")
    if options.timeout_s < 1:
        raise InputError(f"--timeout must be 1 second or more, got {options.timeout_s}")
    unknown = sorted(set(options.formats) - set(FORMATS))
    if unknown or not options.formats:
        raise InputError(f"--format must be one or more of {', '.join(FORMATS)}, got {unknown}")
    if "pdf" in options.formats:
        check_pdf_support()
    snapshots = OutputLayout(options.out, "").snapshots_dir
    cached = find_snapshot(options.data, snapshots) if snapshot else None
    dataset = load_dataset(cached or options.data)
    dataset = replace(dataset, warnings=(*dataset.warnings, *lifecycle_warnings(dataset)))
    quarter = resolve_quarter(dataset, options.quarter)
    specs = load_specs(options.params, options.notebooks, dataset)
    chosen_reports([spec.name for spec in specs], options.reports)
    return CheckedInputs(dataset, quarter, specs, cached)


def chosen_reports(names: list[str], patterns: tuple[str, ...]) -> list[str]:
    """The names matching any of the patterns (names or globs); every name when there are none."""
    for pattern in patterns:
        if not fnmatch.filter(names, pattern):
            raise InputError(f"no report matches {pattern!r}; reports: {', '.join(names)}")
    if not patterns:
        return names
    return [name for name in names if any(fnmatch.fnmatchcase(name, p) for p in patterns)]


def planned_reports(options: BuildOptions) -> list[PlannedReport]:
    """The reports a build with these options would make, in index order, with every parameter."""
    inputs = check_inputs(options)
    layout = OutputLayout(options.out, str(inputs.quarter))
    published = published_reports(layout)
    fingerprint = inputs.dataset.fingerprint
    chosen = set(chosen_reports([spec.name for spec in inputs.specs], options.reports))
    tree = ReportTree.of(inputs.specs, inputs.dataset)
    return [
        PlannedReport(
            name=spec.name,
            title=spec.title,
            group=spec.group,
            notebook=spec.notebook.name,
            parameters=spec.parameters,
            quarter=str(inputs.quarter),
            html=layout.html(spec.name),
            rebuild=rebuild_reasons(
                key_parts(
                    spec,
                    str(inputs.quarter),
                    fingerprint,
                    links=_row_links(spec, tree, inputs.dataset),
                ),
                published.get(spec.name),
            ),
        )
        for spec in inputs.specs
        if spec.name in chosen
    ]


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
        snapshot = inputs.snapshot or write_snapshot(inputs.dataset, layout.snapshots_dir)
        results, reconciliation = _run_build(options, inputs, snapshot, layout, observer)
        if "pdf" in options.formats:
            _print(inputs.dataset, layout, results)
    refresh_neighbours(layout.root, inputs.quarter)
    return BuildResult(
        inputs.quarter, results, layout.index, inputs.dataset.warnings, tuple(reconciliation)
    )


def _print(dataset: Dataset, layout: OutputLayout, results: list[ReportResult]) -> None:
    """Print to PDF every page built now, and every current page that has no PDF yet."""
    pages = [
        layout.html(result.name)
        for result in results
        if result.status == ReportStatus.OK
        or (result.status == ReportStatus.SKIPPED and not layout.pdf(result.name).is_file())
    ]
    synthetic = bool(dataset.sales[Sales.synthetic].any())
    print_pdfs(pages, check_pdf_support(), mark=SYNTHETIC_MARK if synthetic else "")


def _run_build(
    options: BuildOptions,
    inputs: CheckedInputs,
    snapshot: Path,
    layout: OutputLayout,
    observer: BuildObserver | None,
) -> tuple[list[ReportResult], list[str]]:
    """Run or skip every report, then write the manifest and the index.

    Returns the results and the reconciliation's broken identities.
    """
    built_at = build_time()
    tree = ReportTree.of(inputs.specs, inputs.dataset)
    jobs = [
        report_job(
            spec,
            inputs.dataset,
            inputs.quarter,
            snapshot,
            layout,
            built_at,
            timeout_s=options.timeout_s,
            warm=not options.fresh_kernels,
            tree=tree,
        )
        for spec in inputs.specs
    ]
    if observer:
        observer.planned([job.name for job in jobs])
    published = published_reports(layout)
    chosen = set(chosen_reports([job.name for job in jobs], options.reports))
    to_run = [
        job
        for job in jobs
        if job.name in chosen
        and (options.force or published.get(job.name, {}).get("key") != job.key)
    ]
    skipped = [_kept(job, published.get(job.name)) for job in jobs if job not in to_run]
    settings = ExecutorSettings(options.jobs, not options.fresh_kernels, options.scheduler)
    running = observer.running if observer else None
    executed = EXECUTORS[options.executor](run_report_job, to_run, settings, running, lost=lost_job)
    results = []
    with contextlib.closing(executed):  # on Ctrl-C or a stop signal: stop the workers now
        for result in itertools.chain(skipped, executed):
            results.append(result)
            if observer:
                observer.finished(result)
    order = {job.name: position for position, job in enumerate(jobs)}
    results.sort(key=lambda result: order[result.name])
    parts = {
        spec.name: key_parts(
            spec,
            str(inputs.quarter),
            inputs.dataset.fingerprint,
            links=_row_links(spec, tree, inputs.dataset),
        )
        for spec in inputs.specs
    }
    recorded = {
        result.name: parts[result.name]
        if result.key == key_of(parts[result.name]) and result.status != ReportStatus.PENDING
        else published.get(result.name, {}).get("key_parts")
        for result in results
    }
    reconciliation = publish_manifest_and_index(
        inputs.dataset, inputs.quarter, inputs.specs, layout, results, built_at, published, recorded
    )
    return results, reconciliation


def _kept(job: ReportJob, published: dict | None) -> ReportResult:
    """A report this build does not run: its page kept as it is, or pending when it has none."""
    if published is None:
        return ReportResult(job.name, ReportStatus.PENDING, 0.0, job.key)
    return ReportResult(job.name, ReportStatus.SKIPPED, 0.0, published["key"])


def build_time() -> str:
    """Now, as pages and manifests state it."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _row_links(
    spec: ReportSpec, tree: ReportTree | None, dataset: Dataset
) -> tuple[tuple[str, str], ...]:
    """(row label, page) of every other report a row of this report's tables may link to."""
    page = page_name(spec.name)
    drill_downs = tree.drill_downs(dataset) if tree else ()
    return tuple((label, target) for label, target in drill_downs if target != page)


def report_job(
    spec: ReportSpec,
    dataset: Dataset,
    quarter: Quarter,
    snapshot: Path,
    layout: OutputLayout,
    built_at: str,
    *,
    timeout_s: int,
    warm: bool = True,
    index: str | None = "index.html",
    tree: ReportTree | None = None,
) -> ReportJob:
    """The job that builds one report: its parameters, page header and footer, and rebuild key.

    With `tree`, the page links its related reports and the same report in other quarters.
    """
    commentary = commentary_file(spec, str(quarter))
    page = page_name(spec.name)
    info = PageInfo(
        title=spec.title,
        subtitle=f"{spec.group} · {quarter.label}",
        quarter=str(quarter),
        data_as_of=quarter.end.isoformat(),
        provenance={
            "Parameters": json.dumps(spec.parameters, sort_keys=True),
            "Notebook": spec.notebook.name,
            "Data fingerprint": dataset.fingerprint[:16],
            "Package version": __version__,
            BUILD_TIME_KEY: built_at,
        },
        index=index,
        related=tree.related(spec.name) if tree else (),
        quarters=quarter_links(layout.root, quarter, page) if tree else None,
        drill_downs=_row_links(spec, tree, dataset),
    )
    return ReportJob(
        name=spec.name,
        notebook=spec.notebook,
        parameters={
            **spec.parameters,
            "quarter": str(quarter),
            "data": layout.from_notebooks(snapshot),
            **({COMMENTARY_PARAMETER: layout.from_notebooks(commentary)} if commentary else {}),
        },
        layout=layout,
        page=info,
        timeout_s=timeout_s,
        key=job_key(spec, str(quarter), dataset.fingerprint, links=info.drill_downs),
        warm=warm,
    )
