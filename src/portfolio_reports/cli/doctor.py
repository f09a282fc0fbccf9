"""Checks of an installation: the report kernel, the optional extras, a browser and the data."""

from __future__ import annotations

import importlib.util
import sys
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

from portfolio_reports.config import project_data
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.errors import InputError, PortfolioReportsError
from portfolio_reports.execution.kernels import KERNEL_NAME, WarmKernel
from portfolio_reports.presentation.pdf import find_chromium
from portfolio_reports.text import shown_location

EXTRA_MODULES = {
    "sql": ("sqlalchemy", "psycopg"),
    "duckdb": ("sqlalchemy", "duckdb_engine"),
    "excel": ("openpyxl",),
    "dask": ("distributed",),
    "pdf": ("playwright", "pypdf"),
}
"""The modules each optional extra installs."""


@dataclass(frozen=True)
class Check:
    """One check: what was checked, whether it passed, and what was found."""

    name: str
    ok: bool
    detail: str
    required: bool = True
    """Whether a failure makes the installation unusable (an absent extra does not)."""


def run_checks(data: str | None) -> list[Check]:
    """Every check, in order: kernel, extras, browser, data source."""
    return [check_kernel(), *check_extras(), check_browser(), check_data(data)]


def check_kernel() -> Check:
    """Start the kernel reports run on; it must be this interpreter and import this package."""
    note = ""
    installed = KernelSpecManager().find_kernel_specs().get(KERNEL_NAME)
    if installed:
        argv = KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv
        if argv and argv[0] != sys.executable:
            note = f"; the {KERNEL_NAME} kernelspec in {installed} (runs {argv[0]}) is not used"
    return _attempt("kernel", lambda: f"{_kernel_python()}{note}")


def _kernel_python() -> str:
    """Start a report kernel, check inside it which interpreter runs it, and name that."""
    kernel = WarmKernel()
    try:
        kernel.run(f"import sys; assert sys.executable == {sys.executable!r}, sys.executable")
    finally:
        kernel.shutdown()
    return f"reports run on {sys.executable}"


def check_extras() -> list[Check]:
    """Whether each optional extra's modules are installed."""
    checks = []
    for extra, modules in EXTRA_MODULES.items():
        absent = [module for module in modules if importlib.util.find_spec(module) is None]
        detail = (
            f"not installed ({', '.join(absent)}): pip install 'portfolio-reports[{extra}]'"
            if absent
            else "installed"
        )
        checks.append(Check(f"extra {extra}", not absent, detail, required=False))
    return checks


def check_browser() -> Check:
    """A headless browser for screenshots and PDFs, and a browser `run --open` can open pages in."""
    try:
        found: str | None = str(find_chromium())
    except InputError as error:
        found, missing = None, str(error)
    try:
        opener = type(webbrowser.get()).__name__
    except webbrowser.Error:
        opener = None
    detail = f"headless: {found or missing}; run --open: {opener or 'none'}"
    return Check("browser", found is not None, detail, required=False)


def check_data(data: str | None) -> Check:
    """The data source given, else the project's, loads and validates (a database's password:
    libpq's own)."""

    def loaded() -> str:
        source = data if data is not None else project_data()
        shown = shown_location(source if "://" in source else Path(source))
        return f"{shown}: {len(load_dataset(source).sales)} sales rows"

    return _attempt("data", loaded)


def _attempt(name: str, check: Callable[[], str]) -> Check:
    """Run a check that returns what it found; an error becomes its first line."""
    try:
        return Check(name, True, check())
    except (PortfolioReportsError, RuntimeError, OSError) as error:
        return Check(
            name, False, str(error).splitlines()[0] if str(error) else type(error).__name__
        )
