"""Command line: parse arguments, call the library, map errors to exit codes."""

from __future__ import annotations

import atexit
import gc
import json
import logging
import signal
import sys
import traceback
import webbrowser
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from portfolio_reports import __version__
from portfolio_reports.cli.terminal import inert
from portfolio_reports.config import (
    DEFAULT_CLASSIFICATION,
    DEFAULT_MATERIALITY,
    DEFAULT_NOTEBOOKS,
    DEFAULT_PARAMS,
    DEFAULT_REPORTS,
    ENV_PREFIX,
    Materiality,
    env_var,
    init_project,
    load_config,
    project_data,
)
from portfolio_reports.errors import InvalidInputError, PortfolioReportsError, Stopped
from portfolio_reports.execution.executors import default_workers, start_fork_server
from portfolio_reports.execution.kernels import check_temporary_folder
from portfolio_reports.execution.limits import DEFAULT_TIMEOUT_S
from portfolio_reports.execution.registry import EXECUTORS
from portfolio_reports.paths import FOLDER_FORMAT_NAMES

# The report stack (pandas, papermill, nbconvert...) takes a second or more to import, so each
# command imports what it needs when it runs: `--help` stays quick, and `build` first starts
# the fork server that imports the stack for its workers at the same time as this process.

WORKER_MODULE = "portfolio_reports.execution.job"
"""What report workers run; their fork server imports it once."""
EXIT_OK, EXIT_FAILED_REPORTS, EXIT_INVALID_INPUT = 0, 1, 2
EXIT_ON_SIGNAL = 128
"""Plus the signal's number: 130 for Ctrl-C (SIGINT), 143 for SIGTERM, 129 for SIGHUP."""
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals that stop a command as Ctrl-C does (`systemctl stop`, `docker stop`, a hang-up)."""

console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _exits_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print errors in one line each and exit with their code; stop cleanly on a signal.

    PortfolioReportsError exits 2 for invalid input, else 1; an I/O error (disk full) exits 1;
    Ctrl-C, SIGTERM and SIGHUP stop workers and kernels and exit 128 + the signal's number.
    """

    @wraps(command)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        _stop_on_signals()
        try:
            return command(*args, **kwargs)
        except PortfolioReportsError as error:
            if debug:
                traceback.print_exc()
            for line in str(error).splitlines():
                console.print(inert(f"error: {line}"))
            sys.exit(EXIT_INVALID_INPUT if isinstance(error, InvalidInputError) else 1)
        except OSError as error:
            if debug:
                traceback.print_exc()
            where = f"{error.filename}: " if error.filename else ""
            console.print(f"error: {where}{error.strerror or error}", markup=False)
            sys.exit(EXIT_FAILED_REPORTS)
        except KeyboardInterrupt as error:
            if debug:
                traceback.print_exc()
            else:  # kernel I/O cut short by the interrupt is not an error worth a traceback
                logging.getLogger("asyncio").setLevel(logging.CRITICAL)
            signum = error.signum if isinstance(error, Stopped) else signal.SIGINT
            how = "interrupted" if signum == signal.SIGINT else f"stopped by {error}"
            console.print(f"{how}: build stopped; no report is half-written", markup=False)
            sys.exit(EXIT_ON_SIGNAL + signum)

    return click.option("--debug", is_flag=True, help="Show tracebacks.")(wrapper)


def _stop_on_signals() -> None:
    """Make SIGTERM and SIGHUP raise Stopped, as Ctrl-C raises KeyboardInterrupt.

    A signal already ignored (under `nohup`, say) stays ignored.
    """
    for signum in STOP_SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _raise_stopped)


def _raise_stopped(signum: int, frame: Any) -> None:
    """Stop the command; a repeated stop signal does not cut its clean-up short."""
    for other in STOP_SIGNALS:
        signal.signal(other, signal.SIG_IGN)
    raise Stopped(signum)


def _setting_option(setting: str, help_text: str, **kwargs: Any) -> Callable[..., Any]:
    """The --SETTING option; its default comes from the project config (see config.py)."""
    return click.option(
        f"--{setting.replace('_', '-')}",
        envvar=env_var(setting),
        show_envvar=True,
        show_default="default" in kwargs,
        help=help_text,
        **kwargs,
    )


_data_option = _setting_option(
    "data",
    "Data source: a folder of CSV or Parquet files, an .xlsx workbook, or a database URL"
    " (sqlite:///FILE, postgresql://USER@HOST/DB, duckdb:///FILE; a PostgreSQL password comes"
    " from PGPASSWORD or ~/.pgpass). Default: the project's `data` setting.",
)
_notebooks_option = _setting_option(
    "notebooks",
    "Folder of report notebooks.",
    type=click.Path(path_type=Path),
    default=DEFAULT_NOTEBOOKS,
)
_quarter_option = _setting_option(
    "quarter", "e.g. 2026Q3; default: the latest quarter in the data."
)
_timeout_option = _setting_option(
    "timeout", "Seconds per cell.", type=int, default=DEFAULT_TIMEOUT_S
)


def _data(data: str | None) -> str:
    """The data source given or configured; InputError saying where it looked when none is."""
    return data if data is not None else project_data()


def _input_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that reads data and params."""
    options = [
        _data_option,
        _setting_option(
            "params",
            "Folder of params files, one per report.",
            type=click.Path(path_type=Path),
            default=DEFAULT_PARAMS,
        ),
        _notebooks_option,
        _quarter_option,
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _out_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The --out option, with its help for one command."""
    return _setting_option(
        "out", help_text, type=click.Path(path_type=Path), default=DEFAULT_REPORTS
    )


@click.group()
@click.version_option(__version__, prog_name="portfolio-reports")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Build quarterly portfolio reports from parameterized notebooks.

    Settings come from the command line, then PORTFOLIO_REPORTS_<OPTION> environment variables,
    then the [tool.portfolio-reports] table of the nearest pyproject.toml (or a
    portfolio-reports.toml) at or above the current folder, whose folders are relative to it.
    """
    try:
        settings = load_config().settings
    except InvalidInputError as error:
        console.print(inert(f"error: {error}"))
        sys.exit(EXIT_INVALID_INPUT)
    ctx.default_map = {name: settings for name in ctx.command.commands}  # type: ignore[attr-defined]


@cli.command(name="build")
@click.argument("reports", nargs=-1)
@_input_options
@_out_option("Reports folder; the quarter's reports go to OUT/<quarter>/.")
@_setting_option("jobs", "Reports built at once; default: cores.", type=int)
@_timeout_option
@click.option("--force", is_flag=True, help="Rebuild the reports, even unchanged ones.")
@click.option(
    "--fresh-kernels", is_flag=True, help="Start a new kernel per report instead of reusing one."
)
@_setting_option(
    "executor",
    "Where report jobs run: local processes or a dask.distributed cluster.",
    type=click.Choice(list(EXECUTORS)),
    default="local",
)
@_setting_option(
    "scheduler", "dask scheduler address, e.g. tcp://HOST:8786 (with --executor dask)."
)
@_setting_option(
    "material_floor",
    "The smallest revenue change pages call material, in the company's currency and unit.",
    type=float,
    default=DEFAULT_MATERIALITY.floor,
)
@_setting_option(
    "material_share",
    "The smallest revenue change pages call material, as a share of its base (0 to 1).",
    type=float,
    default=DEFAULT_MATERIALITY.share,
)
@click.option(
    "--format",
    "formats",
    default="html",
    show_default=True,
    help="html, pdf or html,pdf: pdf also prints each page to <report>.pdf beside it, and the"
    " quarter's board pack to board-pack.pdf (needs the pdf extra and Chromium).",
)
@_setting_option(
    "classification",
    "The line on the board pack's cover and every page of it.",
    default=DEFAULT_CLASSIFICATION,
)
@_exits_cleanly
def build_reports(
    reports: tuple[str, ...],
    quarter: str | None,
    data: str | None,
    params: Path,
    notebooks: Path,
    out: Path,
    jobs: int | None,
    timeout: int,
    force: bool,
    fresh_kernels: bool,
    executor: str,
    scheduler: str | None,
    material_floor: float,
    material_share: float,
    formats: str,
    classification: str,
) -> None:
    """Build the REPORTS named (names or globs; default: every report in params/) of a quarter.

    Reports not named keep their pages and manifest entries; the index lists every report.

    \b
    Examples:
        portfolio-reports build --quarter 2026Q3 --jobs 2
        portfolio-reports build market-jp 'therapy-area-*'
        portfolio-reports build --format html,pdf
    """
    chosen_formats = tuple(name.strip() for name in formats.split(",") if name.strip())
    data = _data(data)
    materiality = Materiality(material_floor, material_share)
    if not force:
        from portfolio_reports.builder.unchanged import BuildRequest, unchanged_build

        request = BuildRequest(
            quarter,
            data,
            params,
            notebooks,
            out,
            reports,
            chosen_formats,
            classification,
            materiality,
        )
        unchanged = unchanged_build(request)
        if unchanged:
            count = len(unchanged.reports)
            console.print(
                inert(
                    f"Nothing changed: {count} of {count} reports current for"
                    f" {unchanged.quarter}: {unchanged.index}"
                )
            )
            _print_warnings(unchanged.warnings)
            sys.exit(EXIT_OK)
    workers = jobs if jobs is not None else default_workers()
    if executor == "local":
        check_temporary_folder()
        if workers > 1:
            start_fork_server(WORKER_MODULE)
    from portfolio_reports.builder.inputs import BuildOptions
    from portfolio_reports.builder.run import build
    from portfolio_reports.cli.progress import BuildProgress, not_run_line, pack_line, printed_line
    from portfolio_reports.execution.outcome import ReportStatus

    options = BuildOptions(
        quarter=quarter,
        data=data,
        params=params,
        notebooks=notebooks,
        out=out,
        timeout_s=timeout,
        force=force,
        fresh_kernels=fresh_kernels,
        executor=executor,
        scheduler=scheduler,
        reports=reports,
        formats=chosen_formats,
        classification=classification,
        materiality=materiality,
    )
    if jobs is not None:
        options = replace(options, jobs=jobs)
    with BuildProgress(console, f"Building {quarter or 'latest quarter'}") as progress:
        result = build(options, progress)
    summary = progress.summary()
    if summary is not None:
        console.print(summary)
    not_run = not_run_line(result.results, result.outdated)
    if not_run:
        console.print(inert(not_run), soft_wrap=True)
    _print_warnings(result.warnings)
    failed = [r for r in result.results if r.status == ReportStatus.FAILED and not r.earlier]
    current = [r for r in result.results if r.ok and r.name not in result.outdated]
    console.print(
        inert(
            f"{len(current)} of {len(result.results)} reports current for"
            f" {result.quarter}: {result.index}"
        )
    )
    if "pdf" in options.formats:
        console.print(inert(printed_line(result.printed, result.index.parent)), soft_wrap=True)
        console.print(inert(pack_line(result.pack, result.index.parent)), soft_wrap=True)
    _print_reconciliation(result.reconciliation)
    sys.exit(EXIT_FAILED_REPORTS if failed or result.reconciliation else EXIT_OK)


@cli.command()
@_input_options
@_exits_cleanly
def validate(quarter: str | None, data: str | None, params: Path, notebooks: Path) -> None:
    """Check the data and every params file; run nothing.

    \b
    Example:
        portfolio-reports validate --data data/sample --params params
    """
    from portfolio_reports.builder.inputs import BuildOptions, check_inputs
    from portfolio_reports.text import shown_location

    options = BuildOptions(quarter=quarter, data=_data(data), params=params, notebooks=notebooks)
    inputs = check_inputs(options)
    console.print(
        inert(
            f"ok: data {shown_location(options.data)} ({len(inputs.dataset.sales)} sales rows),"
            f" {len(inputs.specs)} params files valid, quarter {inputs.quarter}"
        )
    )
    _print_warnings(inputs.dataset.warnings)


def _print_reconciliation(problems: tuple[str, ...]) -> None:
    """List the identities the reports' figures break, one line each; nothing when none."""
    _print_lines(f"Reconciliation failed ({len(problems)}):", "red", "BROKEN ", problems)


def _print_warnings(warnings: tuple[str, ...]) -> None:
    """List the data warnings of a build or check, one line each; nothing when there are none."""
    _print_lines(f"Data warnings ({len(warnings)}):", "yellow", "WARNING ", warnings)


def _print_lines(heading: str, style: str, mark: str, lines: tuple[str, ...]) -> None:
    """A heading, then each line marked and unwrapped; nothing when there are no lines."""
    if lines:
        console.print(heading, style=style)
    for line in lines:
        console.print(f"  {mark}{line}", markup=False, highlight=False, soft_wrap=True)


@cli.command(name="export-sample")
@_data_option
@click.option("--to", "target", required=True, help="Folder, .xlsx workbook or database URL.")
@click.option(
    "--format",
    "folder_format",
    type=click.Choice(FOLDER_FORMAT_NAMES),
    default="csv",
    show_default=True,
    help="File format when --to is a folder.",
)
@_exits_cleanly
def export_sample(data: str | None, target: str, folder_format: str) -> None:
    """Write the project's data (or any --data source) to a folder, workbook or database.

    Tables of the same names at --to are replaced.

    \b
    Examples:
        portfolio-reports export-sample --to sample.xlsx
        portfolio-reports export-sample --to sample-parquet --format parquet
        portfolio-reports export-sample --to sqlite:///sample.db
        portfolio-reports export-sample --to postgresql://reports@localhost/portfolio
        portfolio-reports build --data sqlite:///sample.db
    """
    from portfolio_reports.data.dataset import export_dataset, load_dataset
    from portfolio_reports.text import shown_location

    source = _data(data)
    export_dataset(load_dataset(source), target, folder_format)
    console.print(inert(f"ok: wrote {shown_location(source)} to {shown_location(target)}"))


@cli.command(name="run")
@click.argument("notebook", required=False)
@click.option(
    "-f",
    "--params-file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A params file giving the notebook, title and parameters (instead of NOTEBOOK).",
)
@click.option(
    "-p",
    "--parameter",
    "parameters",
    nargs=2,
    multiple=True,
    metavar="KEY VALUE",
    help="A parameter, typed as papermill types it: True, False, None (or null), an integer, a"
    " decimal, else text. Repeat for more.",
)
@click.option(
    "-r",
    "--parameter-raw",
    "raw_parameters",
    nargs=2,
    multiple=True,
    metavar="KEY VALUE",
    help="A parameter read as text, whatever it looks like.",
)
@click.option(
    "-y",
    "--parameters-yaml",
    "yaml_parameters",
    multiple=True,
    metavar="YAML",
    help="Parameters as a YAML mapping, e.g. 'items: [1, 2]' (lists, nested values).",
)
@_quarter_option
@_data_option
@_notebooks_option
@click.option(
    "--to",
    "target",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The HTML file to write.",
)
@click.option("--title", help="Page title; default: the notebook heading and the slice.")
@click.option(
    "--cwd",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder the notebook runs in (relative paths it reads); default: the notebook's folder.",
)
@click.option(
    "-k",
    "--kernel",
    help="Jupyter kernel to run on; default: this Python, whatever kernel the notebook names.",
)
@_timeout_option
@click.option("--open", "open_page", is_flag=True, help="Open the page in a web browser.")
@_exits_cleanly
def run_report(
    notebook: str | None,
    params_file: Path | None,
    parameters: tuple[tuple[str, str], ...],
    raw_parameters: tuple[tuple[str, str], ...],
    yaml_parameters: tuple[str, ...],
    quarter: str | None,
    data: str | None,
    notebooks: Path,
    target: Path,
    title: str | None,
    cwd: Path | None,
    kernel: str | None,
    timeout: int,
    open_page: bool,
) -> None:
    """Run NOTEBOOK (a path, or a name in notebooks/) as papermill would, to one HTML page.

    Any parameterized notebook runs: the project's quarter and data are set only where its
    parameters cell declares `quarter` or `data` (a notebook declaring neither reads no data);
    a notebook without a parameters cell gets its parameters injected at the top. Parameters
    a parameters cell does not declare are refused; report scopes (market, therapy area...)
    are checked against the data. The page has the report template and provenance footer.
    With -f, the notebook, title and parameters come from a params file.

    \b
    Examples:
        portfolio-reports run therapy_area -p therapy_area null -p disease_area "Lung cancer" \\
            --quarter 2026Q2 --to /tmp/lung-2026Q2.html
        portfolio-reports run -f params/market-jp.yaml --to /tmp/jp.html --open
        portfolio-reports run analysis.ipynb -p var 'It works' -y 'items: [1, 2]' --to out.html
    """
    from portfolio_reports.cli.progress import result_line
    from portfolio_reports.notebook.adhoc import AdhocReport, command_line_parameters, run_adhoc

    report = AdhocReport(
        notebook=notebook,
        to=target,
        parameters=command_line_parameters(parameters, raw_parameters, yaml_parameters),
        params_file=params_file,
        notebooks=notebooks,
        quarter=quarter,
        data=data,
        title=title,
        timeout_s=timeout,
        cwd=cwd,
        kernel=kernel,
    )
    result = run_adhoc(report)
    console.print(inert(result_line(result)))
    if not result.ok:
        sys.exit(EXIT_FAILED_REPORTS)
    console.print(inert(f"wrote {target}"))
    if open_page and not webbrowser.open(target.resolve().as_uri()):
        console.print(inert(f"no web browser found; open {target.resolve().as_uri()}"))


@cli.command(name="list")
@_input_options
@_out_option("Reports folder the pages would be written to.")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON list (name, title, group, notebook, parameters, quarter, html, state,"
    " reasons) for scripts.",
)
@_exits_cleanly
def list_reports(
    quarter: str | None, data: str | None, params: Path, notebooks: Path, out: Path, as_json: bool
) -> None:
    """List the reports a build would make, their parameters, and whether each will rebuild.

    A report is current when its page was built from the same notebook, params, data, code and
    libraries; otherwise the list names which of those changed. Runs nothing.

    \b
    Examples:
        portfolio-reports list --quarter 2026Q2
        portfolio-reports list --json | jq -r '.[] | select(.state != "current") | .name'
    """
    from portfolio_reports.builder.inputs import BuildOptions
    from portfolio_reports.builder.plan import planned_reports

    options = BuildOptions(
        quarter=quarter, data=_data(data), params=params, notebooks=notebooks, out=out
    )
    reports = planned_reports(options)
    if as_json:
        click.echo(json.dumps([report.as_dict() for report in reports], indent=2))
        return
    table = Table(
        title=inert(
            f"{len(reports)} reports for {reports[0].quarter}, into {reports[0].html.parent}"
        ),
        title_justify="left",
    )
    for heading in ("report", "title", "notebook", "parameters", "state"):
        table.add_column(heading, overflow="fold")
    for report, following in zip(reports, [*reports[1:], None], strict=True):
        table.add_row(
            inert(report.name),
            inert(report.title),
            inert(report.notebook),
            inert("\n".join(f"{key}: {value}" for key, value in report.parameters.items())),
            f"will rebuild: {', '.join(report.rebuild)}" if report.rebuild else "current",
            end_section=following is not None and following.group != report.group,
        )
    Console(highlight=False, emoji=False).print(table)


@cli.command()
@click.argument("target", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--empty",
    is_flag=True,
    help="Tables with their headers only, for the company's own data, and a README of them.",
)
@_exits_cleanly
def init(target: Path, empty: bool) -> None:
    """Write a working project into TARGET: sample data, notebooks, params and its config.

    With --empty, the data folder holds every table's header line and a README of the schema,
    and params/ one file per report kind, to fill in.

    \b
    Example:
        portfolio-reports init quarterly && cd quarterly && portfolio-reports build
        portfolio-reports init --empty acme && cd acme && portfolio-reports validate
    """
    if empty:
        from portfolio_reports.data.blank import write_blank_data

        init_project(target, write_blank_data)
        then = "fill in its data (data/README.md), then: portfolio-reports validate"
    else:
        init_project(target)
        then = "build it with: portfolio-reports build"
    console.print(inert(f"ok: wrote a project to {target}; cd {target} and {then}"))


@cli.command()
@_data_option
@_exits_cleanly
def doctor(data: str | None) -> None:
    """Check the installation: the report kernel, the extras, a browser and the data source.

    Exits 1 when the kernel or the data fails; an absent extra or browser is only reported.

    \b
    Example:
        portfolio-reports doctor --data postgresql://reports@db.internal/portfolio
    """
    from portfolio_reports.cli.doctor import run_checks

    checks = run_checks(data)
    for check in checks:
        mark = "ok  " if check.ok else ("FAIL" if check.required else "--  ")
        console.print(inert(f"{mark} {check.name}: {check.detail}"))
    sys.exit(EXIT_OK if all(check.ok for check in checks if check.required) else 1)


def main() -> None:
    """Entry point of the portfolio-reports command."""
    atexit.register(gc.freeze)  # frozen, objects skip the last collections: 0.3 s after a build
    # pandera loads dask.dataframe, when installed, to build a schema: 0.3 CPU s this process,
    # which validates pandas frames only, has no use for (kernels are processes of their own).
    sys.modules.setdefault("dask.dataframe", None)  # type: ignore[arg-type]
    cli(auto_envvar_prefix=ENV_PREFIX)
