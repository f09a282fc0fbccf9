"""One ad-hoc report: any parameterized notebook, run as papermill would, one HTML file anywhere.

Parameters are typed as papermill's command line types them and checked against the notebook's
parameters cell (`specs.check_parameters`); the project's quarter, data and materiality go only
to a notebook that declares them. The notebook runs as a build job (`run_report_job`) in its own
folder, and only its HTML is published.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from papermill.cli import _resolve_type  # the typing of papermill's -p, to type values alike
from papermill.iorw import NoDatesSafeLoader

from portfolio_reports.analysis.metrics import resolve_quarter
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.builder.kinds import SCOPE_PARAMETERS
from portfolio_reports.builder.plan import build_time, provenance
from portfolio_reports.builder.specs import (
    COMMENTARY_PARAMETER,
    ReportSpec,
    check_parameters,
    commentary_file,
    declared_parameters,
    load_spec,
    materiality_parameters,
    resolve_notebook,
    scope_of,
)
from portfolio_reports.config import DEFAULT_NOTEBOOKS, Materiality, ProjectConfig, load_config
from portfolio_reports.data.dataset import Dataset, load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.snapshots import write_snapshot
from portfolio_reports.errors import InputError, ParamsError
from portfolio_reports.execution.job import run_report_job
from portfolio_reports.execution.kernels import (
    KERNEL_NAME,
    check_temporary_folder,
    discard_worker_kernel,
    kernel_language,
)
from portfolio_reports.execution.limits import DEFAULT_TIMEOUT_S
from portfolio_reports.execution.outcome import ReportJob, ReportResult
from portfolio_reports.paths import OutputLayout, write_text_atomic
from portfolio_reports.presentation.pages import PageInfo
from portfolio_reports.text import first_line

ADHOC_GROUP = "Ad-hoc report"
_NAME = "adhoc"
_NULL = "null"
"""A command-line value that means None, besides papermill's own "None"."""


@dataclass(frozen=True)
class AdhocReport:
    """What to run, with which parameters (Python values), and where the page goes."""

    notebook: str | Path | None
    """The notebook to run; None with a params file, which names it."""
    to: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    """Values to inject (see `command_line_parameters` for values typed on a command line)."""
    params_file: Path | None = None
    """A params file to take the notebook, title and parameters from; `parameters` override."""
    notebooks: Path | None = None
    """The notebooks folder a notebook name is looked up in; None: the project's."""
    quarter: str | None = None
    data: str | Path | None = None
    """The data source; None: the project's, as configured (see `project_of`)."""
    title: str | None = None
    timeout_s: int = DEFAULT_TIMEOUT_S
    cwd: Path | None = None
    """The folder the notebook runs in; default: the notebook's own folder."""
    kernel: str | None = None
    """The Jupyter kernel to run on; default: this interpreter's Python, whatever the notebook
    names."""


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


def command_line_parameters(
    values: Iterable[tuple[str, str]] = (),
    raw: Iterable[tuple[str, str]] = (),
    yaml_texts: Iterable[str] = (),
) -> dict[str, Any]:
    """Parameters typed as papermill's command line types them: YAML mappings (-y) first, then
    -p values (True, False, None or "null", integers, decimals, else text), then -r raw text."""
    parameters: dict[str, Any] = {}
    for text in yaml_texts:
        try:
            loaded = yaml.load(text, Loader=NoDatesSafeLoader)
        except yaml.YAMLError as error:
            raise ParamsError(f"-y {text!r}: invalid YAML: {first_line(error)}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ParamsError(f"-y {text!r}: expected a mapping of names to values")
        parameters.update(loaded or {})
    for name, text in values:
        parameters[name] = None if text == _NULL else _resolve_type(text)
    parameters.update(raw)
    return parameters


def project_of(report: AdhocReport) -> ProjectConfig:
    """The configuration of the project holding the notebook or params file given by path, else
    the current folder, found as the command line finds it."""
    given = report.params_file or (Path(report.notebook) if report.notebook else None)
    return load_config(given.resolve().parent if given is not None and given.is_file() else None)


def run_adhoc(report: AdhocReport) -> ReportResult:
    """Run one notebook as papermill would and publish its page to `report.to`.

    The project's quarter, data and materiality go only to a notebook that declares them, and
    only then is the data loaded; a notebook without a parameters cell gets its parameters at
    the top. A failure keeps the executed notebook beside the target.
    """
    if report.to.suffix.lower() != ".html":
        raise InputError(f"--to must name an .html file, got {str(report.to)!r}")
    if report.timeout_s < 1:
        raise InputError(f"--timeout must be 1 second or more, got {report.timeout_s}")
    project = project_of(report)
    if report.kernel is not None:
        _check_kernel(report.kernel)
    dataset = _load_data(report, project) if report.params_file is not None else None
    spec = _spec(report, dataset, report.notebooks or Path(project.settings["notebooks"]))
    declared = declared_parameters(spec.notebook)
    if dataset is None and _needs_data(report, declared):
        dataset = _load_data(report, project)
    quarter = _quarter(report, dataset)
    parameters = {**spec.parameters, **report.parameters}
    if _has_parameters_cell(spec.notebook):
        problems = check_parameters(
            spec.notebook.name, spec.notebook, declared, parameters, dataset, build=False
        )
        if problems:
            raise ParamsError(problems)
    title = report.title or spec.title or _default_title(spec.notebook, parameters, declared)
    check_temporary_folder()
    report.to.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portfolio-reports-adhoc-") as scratch:
        layout = OutputLayout(Path(scratch), str(quarter or _NAME))
        layout.notebooks_dir.mkdir(parents=True)
        values: dict[str, Any] = {}
        if quarter is not None and "quarter" in declared:
            values["quarter"] = str(quarter)
        if dataset is not None and "data" in declared:
            values["data"] = str(write_snapshot(dataset, layout.snapshots_dir))
        commentary = commentary_file(spec, str(quarter)) if report.params_file else None
        if commentary is not None and COMMENTARY_PARAMETER in declared:
            values[COMMENTARY_PARAMETER] = str(commentary)
        values.update(materiality_parameters(Materiality.of(project.settings), declared))
        job = ReportJob(
            name=_NAME,
            notebook=spec.notebook,
            parameters={**parameters, **values},
            layout=layout,
            page=PageInfo(
                title=title,
                subtitle=f"{ADHOC_GROUP} · {quarter.label}" if quarter else ADHOC_GROUP,
                quarter=str(quarter or ""),
                data_as_of=quarter.end.isoformat() if quarter else "",
                provenance=provenance(
                    parameters,
                    spec.notebook,
                    build_time(),
                    dataset.fingerprint if dataset is not None else None,
                ),
                index=None,
            ),
            timeout_s=report.timeout_s,
            key="",
            warm=report.kernel is None,
            cwd=(report.cwd or spec.notebook.parent).resolve(),
            kernel_name=report.kernel or KERNEL_NAME,
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


def _load_data(report: AdhocReport, project: ProjectConfig) -> Dataset:
    """The data given, else the project's; InputError saying where it looked when none is set."""
    return load_dataset(report.data if report.data is not None else project.data_source())


def _spec(report: AdhocReport, dataset: Dataset | None, notebooks: Path) -> ReportSpec:
    """The notebook, title and parameters to run: from the params file (checked against the
    data), or the notebook alone (title and scope left empty)."""
    if report.params_file is not None and dataset is not None:
        return load_spec(report.params_file, notebooks, dataset)
    if report.notebook is None:
        raise InputError("run needs a NOTEBOOK or a params file (-f PARAMS_FILE)")
    notebook = find_notebook(report.notebook, notebooks)
    return ReportSpec(_NAME, "", ADHOC_GROUP, notebook, {}, Scope(), notebook)


def _check_kernel(name: str) -> None:
    """Refuse a kernel name no installed kernel spec has, naming those there are."""
    try:
        kernel_language(name)
    except NoSuchKernel:
        installed = ", ".join(sorted(KernelSpecManager().find_kernel_specs())) or "none"
        raise InputError(f"-k {name}: no such Jupyter kernel; installed: {installed}") from None


def _needs_data(report: AdhocReport, declared: dict[str, Any]) -> bool:
    """Whether the notebook needs the project's data: it declares `data`, or `quarter` when no
    quarter is given (the latest in the data is)."""
    return "data" in declared or ("quarter" in declared and report.quarter is None)


def _quarter(report: AdhocReport, dataset: Dataset | None) -> Quarter | None:
    """The quarter asked for (checked against the data when loaded), else the data's latest."""
    if dataset is not None:
        return resolve_quarter(dataset, report.quarter)
    return Quarter.parse(report.quarter) if report.quarter else None


def _has_parameters_cell(notebook: Path) -> bool:
    """Whether the notebook has a cell tagged `parameters`; without one, any name goes."""
    cells = nbformat.read(notebook, as_version=4).cells
    return any("parameters" in cell.metadata.get("tags", []) for cell in cells)


def _default_title(notebook: Path, parameters: dict[str, Any], declared: dict[str, Any]) -> str:
    """The notebook's heading, and its slice when it reports on one: "Market report: JP"."""
    cells = nbformat.read(notebook, as_version=4).cells
    first = cells[0] if cells else None
    heading = ""
    if first is not None and first.cell_type == "markdown":
        heading = first.source.partition("\n")[0].removeprefix("# ").strip()
    heading = heading or notebook.stem.replace("_", " ").capitalize()
    if not any(name in declared for name in SCOPE_PARAMETERS):
        return heading
    return f"{heading}: {scope_of(parameters, declared).label}"
