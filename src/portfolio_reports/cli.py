"""Command line: parse arguments, call the library, map errors to exit codes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from portfolio_reports import __version__
from portfolio_reports.build import BuildOptions, ReportResult, build, check_inputs
from portfolio_reports.errors import InvalidInputError, PortfolioReportsError
from portfolio_reports.paths import DEFAULT_DATA, DEFAULT_NOTEBOOKS, DEFAULT_PARAMS, DEFAULT_REPORTS

EXIT_OK, EXIT_FAILED_REPORTS, EXIT_INVALID_INPUT = 0, 1, 2

console = Console(stderr=True, highlight=False, soft_wrap=True)


def _exits_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print PortfolioReportsError as one line per problem and exit with its code."""

    @wraps(command)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except PortfolioReportsError as error:
            if debug:
                traceback.print_exc()
            for line in str(error).splitlines():
                console.print(f"error: {line}", markup=False)
            sys.exit(EXIT_INVALID_INPUT if isinstance(error, InvalidInputError) else 1)

    return click.option("--debug", is_flag=True, help="Show tracebacks.")(wrapper)


def _input_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that reads data and params."""
    options = [
        click.option(
            "--data",
            type=click.Path(path_type=Path),
            default=DEFAULT_DATA,
            show_default=True,
            help="Folder of CSV files, one per table.",
        ),
        click.option(
            "--params",
            type=click.Path(path_type=Path),
            default=DEFAULT_PARAMS,
            show_default=True,
            help="Folder of params files, one per report.",
        ),
        click.option(
            "--notebooks",
            type=click.Path(path_type=Path),
            default=DEFAULT_NOTEBOOKS,
            show_default=True,
            help="Folder of report notebooks.",
        ),
        click.option("--quarter", help="e.g. 2026Q3; default: the latest quarter in the data."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group()
@click.version_option(__version__, prog_name="portfolio-reports")
def cli() -> None:
    """Build quarterly portfolio reports from parameterized notebooks."""


@cli.command(name="build")
@_input_options
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=DEFAULT_REPORTS,
    show_default=True,
    help="Reports folder; the quarter's reports go to OUT/<quarter>/.",
)
@click.option("--jobs", type=int, default=None, help="Reports built at once; default: cores.")
@click.option("--timeout", type=int, default=600, show_default=True, help="Seconds per cell.")
@_exits_cleanly
def build_reports(
    quarter: str | None,
    data: Path,
    params: Path,
    notebooks: Path,
    out: Path,
    jobs: int | None,
    timeout: int,
) -> None:
    """Build every report in params/ for one quarter.

    \b
    Example:
        portfolio-reports build --quarter 2026Q3
    """
    options = BuildOptions(
        quarter=quarter, data=data, params=params, notebooks=notebooks, out=out, timeout_s=timeout
    )
    if jobs is not None:
        options = replace(options, jobs=jobs)
    result = build(options, on_result=_print_result)
    failed = [r for r in result.results if not r.ok]
    console.print(
        f"{len(result.results) - len(failed)} of {len(result.results)} reports built for"
        f" {result.quarter}: {result.index}"
    )
    sys.exit(EXIT_FAILED_REPORTS if failed else EXIT_OK)


@cli.command()
@_input_options
@_exits_cleanly
def validate(quarter: str | None, data: Path, params: Path, notebooks: Path) -> None:
    """Check the data and every params file; run nothing.

    \b
    Example:
        portfolio-reports validate --data data/sample --params params
    """
    options = BuildOptions(quarter=quarter, data=data, params=params, notebooks=notebooks)
    inputs = check_inputs(options)
    console.print(
        f"ok: data {data} ({len(inputs.dataset.sales)} sales rows), {len(inputs.specs)} params"
        f" files valid, quarter {inputs.quarter}"
    )


def _print_result(result: ReportResult) -> None:
    if result.ok:
        console.print(f"  ok      {result.name} ({result.duration_s:.1f} s)", markup=False)
    else:
        error = result.error or {}
        cell = f"cell {error.get('cell')}: " if error.get("cell") is not None else ""
        console.print(
            f"  FAILED  {result.name}: {cell}{error.get('error')}: {error.get('message')}",
            markup=False,
        )


def main() -> None:
    """Entry point of the portfolio-reports command."""
    cli()
