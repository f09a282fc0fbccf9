"""One ad-hoc report: any report notebook, parameters given by hand, one HTML file anywhere.

The report is checked like a build's (the data, the quarter, `specs.check_parameters`), runs
as a build job (`build.report_job`, `run_report_job`) in a scratch folder, and only its HTML is
published.
"""

from __future__ import annotations

import ast
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from portfolio_reports.analysis.metrics import resolve_quarter
from portfolio_reports.builder.plan import build_time, report_job
from portfolio_reports.builder.specs import (
    SCOPE_PARAMETERS,
    ParameterValue,
    ReportSpec,
    check_parameters,
    declared_parameters,
    load_spec,
    resolve_notebook,
    scope_of,
)
from portfolio_reports.config import DEFAULT_DATA, DEFAULT_NOTEBOOKS
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.snapshots import write_snapshot
from portfolio_reports.errors import InputError, ParamsError
from portfolio_reports.execution.job import ReportResult, run_report_job
from portfolio_reports.execution.kernels import DEFAULT_TIMEOUT_S, discard_worker_kernel
from portfolio_reports.paths import OutputLayout, write_text_atomic

ADHOC_GROUP = "Ad-hoc report"
_NAME = "adhoc"
_NONE_WORDS = {"none", "null", ""}
_BOOL_WORDS = {"true": True, "false": False}


@dataclass(frozen=True)
class AdhocReport:
    """What to run and where the page goes; parameters as given on a command line (text)."""

    notebook: str | Path | None
    """The notebook to run; None with a params file, which names it."""
    to: Path
    parameters: dict[str, str] = field(default_factory=dict)
    params_file: Path | None = None
    """A params file to take the notebook, title and parameters from; `parameters` override."""
    notebooks: Path = DEFAULT_NOTEBOOKS
    quarter: str | None = None
    data: str | Path = DEFAULT_DATA
    title: str | None = None
    timeout_s: int = DEFAULT_TIMEOUT_S


def find_notebook(name: str | Path, notebooks_dir: Path = DEFAULT_NOTEBOOKS) -> Path:
    """A notebook by path, or by name in the notebooks folder ("market", "market.ipynb")."""
    path = Path(name)
    if path.suffix == ".ipynb" and path.is_file():
        return path.resolve()
    found = resolve_notebook(str(name), notebooks_dir)
    if found is None:
        available = ", ".join(sorted(p.stem for p in notebooks_dir.glob("*.ipynb")))
        raise ParamsError(f"notebook {str(name)!r} not found; report notebooks: {available}")
    return found


def typed_parameters(texts: dict[str, str], declared: dict[str, Any]) -> dict[str, ParameterValue]:
    """Command-line values as the types of the notebook's defaults ("null" is None)."""
    return {name: _typed(name, text, declared.get(name)) for name, text in texts.items()}


def run_adhoc(report: AdhocReport) -> ReportResult:
    """Check, execute and publish one report to `report.to`; a failure keeps its notebook."""
    if report.to.suffix.lower() != ".html":
        raise InputError(f"--to must name an .html file, got {str(report.to)!r}")
    if report.timeout_s < 1:
        raise InputError(f"--timeout must be 1 second or more, got {report.timeout_s}")
    dataset = load_dataset(report.data)
    quarter = resolve_quarter(dataset, report.quarter)
    title: str | None
    if report.params_file is not None:
        params = load_spec(report.params_file, report.notebooks, dataset)
        notebook, title, given = params.notebook, report.title or params.title, params.parameters
    elif report.notebook is not None:
        notebook, title, given = find_notebook(report.notebook, report.notebooks), report.title, {}
    else:
        raise InputError("run needs a NOTEBOOK or a params file (-f PARAMS_FILE)")
    declared = declared_parameters(notebook)
    parameters = {**given, **typed_parameters(report.parameters, declared)}
    problems = check_parameters(notebook.name, notebook, declared, parameters, dataset)
    if problems:
        raise ParamsError(problems)
    report.to.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portfolio-reports-adhoc-") as scratch:
        layout = OutputLayout(Path(scratch), str(quarter))
        layout.notebooks_dir.mkdir(parents=True)
        snapshot = write_snapshot(dataset, layout.snapshots_dir)
        spec = ReportSpec(
            name=_NAME,
            title=title or _default_title(notebook, parameters, declared),
            group=ADHOC_GROUP,
            notebook=notebook,
            parameters=parameters,
            scope=scope_of(parameters, declared),
            source=notebook,
        )
        job = report_job(
            spec,
            dataset,
            quarter,
            snapshot,
            layout,
            build_time(),
            timeout_s=report.timeout_s,
            index=None,
        )
        try:
            result = run_report_job(job)
        finally:
            discard_worker_kernel()
        if result.ok:
            write_text_atomic(report.to, layout.html(_NAME).read_text(encoding="utf-8"))
        elif layout.failed(_NAME).is_file():
            failed = report.to.with_suffix(".failed.ipynb")
            shutil.copyfile(layout.failed(_NAME), failed)
    return result


def _typed(name: str, text: str, default: Any) -> ParameterValue:
    """One command-line value, read as the type of the parameter's default."""
    if text.strip().lower() in _NONE_WORDS:
        return None
    if name in SCOPE_PARAMETERS or isinstance(default, str):
        return text
    if isinstance(default, bool):
        if text.strip().lower() not in _BOOL_WORDS:
            raise ParamsError(f"parameter {name!r}: {text!r} is not true or false")
        return _BOOL_WORDS[text.strip().lower()]
    if isinstance(default, int | float):
        try:
            return type(default)(text)
        except ValueError:
            raise ParamsError(
                f"parameter {name!r}: {text!r} is not a {type(default).__name__}"
            ) from None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str | int | float | bool) else text


def _default_title(notebook: Path, parameters: dict[str, Any], declared: dict[str, Any]) -> str:
    """The notebook's heading and the slice, e.g. "Market report: JP"."""
    first = nbformat.read(notebook, as_version=4).cells[0]
    heading = first.source.partition("\n")[0].removeprefix("# ").strip()
    if first.cell_type != "markdown" or not heading:
        heading = notebook.stem.replace("_", " ").capitalize()
    return f"{heading}: {scope_of(parameters, declared).label}"
