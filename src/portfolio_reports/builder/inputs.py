"""A build's inputs: the options, the validated data, the quarter and every report spec."""

from __future__ import annotations

import fnmatch
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path

from portfolio_reports.analysis.metrics import resolve_quarter
from portfolio_reports.analysis.pipeline import lagging_warnings, lifecycle_warnings
from portfolio_reports.analysis.revenue import allocation_warnings
from portfolio_reports.builder.specs import (
    ReportSpec,
    commentary_problems,
    load_specs,
)
from portfolio_reports.config import (
    DEFAULT_CLASSIFICATION,
    DEFAULT_MATERIALITY,
    DEFAULT_NOTEBOOKS,
    DEFAULT_PARAMS,
    DEFAULT_REPORTS,
    MATERIALITY_SETTINGS,
    Materiality,
    classification_problem,
    materiality_problem,
    project_data,
)
from portfolio_reports.data.dataset import Dataset, load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.snapshots import find_snapshot
from portfolio_reports.errors import InputError, ParamsError
from portfolio_reports.execution.executors import default_workers
from portfolio_reports.execution.limits import DEFAULT_TIMEOUT_S
from portfolio_reports.execution.registry import EXECUTORS
from portfolio_reports.paths import OutputLayout, shared_charts_dir
from portfolio_reports.presentation.pdf import check_pdf_support


@dataclass(frozen=True)
class BuildOptions:
    """What to build and where."""

    quarter: str | None = None
    data: str | Path = field(default_factory=project_data)
    """The data source; default: the project's, as configured (InputError when none is)."""
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
    """Outputs per report: "html" always; "pdf" also prints each page to <report>.pdf, and the
    quarter's board pack."""
    classification: str = DEFAULT_CLASSIFICATION
    """The line every page of the board pack carries, e.g. "Confidential"."""
    materiality: Materiality = DEFAULT_MATERIALITY
    """The bar a revenue change must reach for the pages to call it material."""


FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class CheckedInputs:
    """Validated data, the quarter to build, and every report spec."""

    dataset: Dataset
    quarter: Quarter
    specs: list[ReportSpec]
    snapshot: Path | None = None
    source_warnings: tuple[str, ...] = ()
    """What validating the source warned of (a snapshot keeps these); the data set's warnings
    add what the checks across its tables found."""


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
    problem = classification_problem(options.classification)
    if problem:
        raise InputError(f"--classification {problem}")
    for setting, value in zip(MATERIALITY_SETTINGS, astuple(options.materiality), strict=True):
        problem = materiality_problem(setting, value)
        if problem is not None:
            raise InputError(f"--{setting.replace('_', '-')} {problem}")
    if "pdf" in options.formats:
        check_pdf_support()
    shared_charts_dir()  # refused now if not absolute, rather than once the reports are built
    snapshots = OutputLayout(options.out, "").snapshots_dir
    cached = find_snapshot(options.data, snapshots) if snapshot else None
    loaded = load_dataset(cached or options.data, options.materiality)
    found = [
        *lifecycle_warnings(loaded),
        *lagging_warnings(loaded),
        *allocation_warnings(loaded),
    ]
    dataset = replace(loaded, warnings=(*loaded.warnings, *found))
    quarter = resolve_quarter(dataset, options.quarter)
    specs = load_specs(options.params, options.notebooks, dataset)
    unreadable = commentary_problems(specs, str(quarter))
    if unreadable:
        raise ParamsError(unreadable)
    chosen_reports([spec.name for spec in specs], options.reports)
    return CheckedInputs(dataset, quarter, specs, cached, loaded.warnings)


def chosen_reports(names: list[str], patterns: tuple[str, ...]) -> list[str]:
    """The names matching any of the patterns (names or globs); every name when there are none."""
    for pattern in patterns:
        if not fnmatch.filter(names, pattern):
            raise InputError(f"no report matches {pattern!r}; reports: {', '.join(names)}")
    if not patterns:
        return names
    return [name for name in names if any(fnmatch.fnmatchcase(name, p) for p in patterns)]
