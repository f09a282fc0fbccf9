"""The project: its root folder, found from the current folder, and the settings it configures.

A project is configured once, in a `[tool.portfolio-reports]` table of pyproject.toml or in a
portfolio-reports.toml, found in the current folder or the nearest folder above it. Folders in
it are relative to the file's folder; without a file, to the current folder. Every setting can
also come from a PORTFOLIO_REPORTS_<SETTING> environment variable, and from the command line.
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portfolio_reports.errors import InputError
from portfolio_reports.text import shown_location

CONFIG_FILE = "portfolio-reports.toml"
"""A project's own config file; its settings are at the top level."""
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "portfolio-reports"
"""The table of pyproject.toml holding the settings: [tool.portfolio-reports]."""
ENV_PREFIX = "PORTFOLIO_REPORTS"
"""Environment variables PORTFOLIO_REPORTS_DATA, ..._OUT, ..._JOBS set any setting."""

SAMPLE_DATA = Path("data/sample")
"""Where `init` puts the sample data, and the `data` it configures; never a default."""
DEFAULT_PARAMS = Path("params")
DEFAULT_NOTEBOOKS = Path("notebooks")
DEFAULT_REPORTS = Path("reports")
FOLDER_SETTINGS: dict[str, Path | None] = {
    "data": None,
    "params": DEFAULT_PARAMS,
    "notebooks": DEFAULT_NOTEBOOKS,
    "out": DEFAULT_REPORTS,
}
"""Settings naming a folder or file, with their defaults relative to the project root; `data`
has none: a project names its data source."""
OTHER_SETTINGS: dict[str, type] = {
    "quarter": str,
    "jobs": int,
    "timeout": int,
    "executor": str,
    "scheduler": str,
    "classification": str,
    "material_floor": float,
    "material_share": float,
}
"""Settings that are not paths, with their types."""
DEFAULT_CLASSIFICATION = "Confidential"
"""The classification line every page of a board pack carries unless the project sets one."""
CLASSIFICATION_MAX = 60
"""Longest classification line: it shares a page's footer with the page numbers."""
CONFINED_SETTINGS = ("data", "params", "notebooks")
"""Folders read from, which a config file may only name inside its project (not `out`)."""
CONFIG_MAX_BYTES = 256 * 1024
"""Largest config file (or pyproject.toml) read: a real one is a few hundred bytes."""
TEMPLATE_DIR = Path(__file__).parent / "project_template"
"""A working project shipped with the package: sample data, notebooks, params and config."""
TEMPLATE_PARTS = (SAMPLE_DATA.as_posix(), "notebooks", "params")
"""The template's copies of the repository's folders of the same names."""
BLANK_DATA = Path("data")
"""The data folder of a project started from a company's own data (`init --empty`)."""
BLANK_PARAMS_DIR = TEMPLATE_DIR / "blank" / "params"
"""One params file per report kind, its scope left to fill in, for `init --empty`."""


@dataclass(frozen=True)
class Materiality:
    """The bar a revenue change must reach for a page to call it material (a mover, a driver)."""

    floor: float = 1.0
    """The smallest change, in the company's currency and unit."""
    share: float = 0.05
    """The smallest change as a share of the figure it is compared with, between 0 and 1."""

    @classmethod
    def of(cls, settings: dict[str, Any]) -> Materiality:
        """The bar the settings give, today's defaults where they give none."""
        return cls(
            float(settings.get("material_floor", cls.floor)),
            float(settings.get("material_share", cls.share)),
        )


DEFAULT_MATERIALITY = Materiality()
"""The bar a project sets none of: 1.0 in the company's unit and 5%."""
MATERIALITY_SETTINGS = ("material_floor", "material_share")
"""The settings of the materiality bar (Materiality.floor, Materiality.share)."""


def materiality_problem(setting: str, value: float) -> str | None:
    """Why a value of a materiality setting cannot be used; None when it can."""
    if setting == "material_share":
        return None if 0 < value < 1 else f"must be between 0 and 1 (exclusive), got {value:g}"
    return None if 0 < value < math.inf else f"must be a positive number, got {value:g}"


@dataclass(frozen=True)
class ProjectConfig:
    """A project's root folder, the file configuring it (if any) and its settings."""

    root: Path
    file: Path | None
    settings: dict[str, Any]
    """Every folder setting (as a path from the current folder; `data` only when set) and the
    other settings given."""

    def data_source(self) -> str:
        """The data source: PORTFOLIO_REPORTS_DATA, else the file's `data`; InputError saying where
        it looked and how to set one when neither is."""
        source = os.environ.get(env_var("data")) or self.settings.get("data")
        if source:
            return str(source)
        others = f"set {env_var('data')}, or pass one (--data; `data=` in Python)"
        if self.file is not None:
            raise InputError(
                f'{self.file}: no data source set; add data = "FOLDER, .xlsx or database URL",'
                f" or {others}"
            )
        raise InputError(
            f"no data source: no {CONFIG_FILE}, nor {PYPROJECT} with [tool.{TOOL_TABLE}], in"
            f" {self.root} or any folder above; `portfolio-reports init` writes a project set up"
            f" with the sample data; or {others}"
        )


def env_var(setting: str) -> str:
    """The environment variable of a setting: PORTFOLIO_REPORTS_DATA for "data"."""
    return f"{ENV_PREFIX}_{setting.upper()}"


def find_config_file(start: Path) -> Path | None:
    """The nearest portfolio-reports.toml, or pyproject.toml with the tool table, at or above."""
    for folder in (start, *start.parents):
        own = folder / CONFIG_FILE
        if own.is_file():
            return own
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and TOOL_TABLE in _read_toml(pyproject).get("tool", {}):
            return pyproject
    return None


def load_config(start: Path | None = None) -> ProjectConfig:
    """The configuration of the project holding `start` (default: the current folder)."""
    here = (start or Path.cwd()).resolve()
    file = find_config_file(here)
    if file is None:
        return ProjectConfig(here, None, _settings(here, {}, None))
    table = _read_toml(file)
    if file.name == PYPROJECT:
        table = table["tool"][TOOL_TABLE]
    return ProjectConfig(file.parent, file, _settings(file.parent, table, file))


def project_data(start: Path | None = None) -> str:
    """The data source of the project holding `start` (default: the current folder), as
    configured (see `ProjectConfig.data_source`)."""
    return load_config(start).data_source()


def init_project(target: Path, blank_data: Callable[[Path], None] | None = None) -> None:
    """Write a project into a new or empty folder: notebooks, params, config and the sample data,
    or, with `blank_data` (which writes a data folder), a company's own data to fill in.

    The project is written into a hidden folder beside `target` and renamed to it at the end, so
    a failure (a full disk, Ctrl-C) leaves no half-written project.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{target}: not an empty folder; init writes a project into a new one")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.init-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        shutil.copytree(TEMPLATE_DIR / "notebooks", staging / "notebooks")
        if blank_data is None:
            data = SAMPLE_DATA
            shutil.copytree(TEMPLATE_DIR / SAMPLE_DATA, staging / SAMPLE_DATA)
            shutil.copytree(TEMPLATE_DIR / DEFAULT_PARAMS, staging / DEFAULT_PARAMS)
        else:
            data = BLANK_DATA
            blank_data(staging / BLANK_DATA)
            shutil.copytree(BLANK_PARAMS_DIR, staging / DEFAULT_PARAMS)
        (staging / CONFIG_FILE).write_text(_config_text(data), encoding="utf-8")
        staging.rename(target)  # over an empty folder too: rename(2) replaces an empty directory
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _config_text(data: Path) -> str:
    """A new project's portfolio-reports.toml: its folders, with `data` as the data folder."""
    folders = {**FOLDER_SETTINGS, "data": data}
    lines = [f'{key} = "{value.as_posix()}"' for key, value in folders.items() if value]
    return "\n".join([_CONFIG_HEADING, *lines]) + "\n"


_CONFIG_HEADING = (
    "# The project's folders, relative to this file; PORTFOLIO_REPORTS_<SETTING> overrides each."
)


def classification_problem(value: str) -> str | None:
    """What is wrong with a classification line, None when it is fine: it must be one line of
    printable text, 1 to CLASSIFICATION_MAX characters."""
    if not value.strip() or len(value) > CLASSIFICATION_MAX or not value.isprintable():
        return (
            f"must be one line of 1 to {CLASSIFICATION_MAX} printable characters"
            f' (e.g. "Confidential"), got {value[:80]!r}'
        )
    return None


def _settings(root: Path, table: dict[str, Any], file: Path | None) -> dict[str, Any]:
    """The table's settings checked, its folders made relative to the current folder."""
    allowed = [*FOLDER_SETTINGS, *OTHER_SETTINGS]
    settings: dict[str, Any] = {}
    for key, value in table.items():
        table_name = f"[tool.{TOOL_TABLE}] " if file and file.name == PYPROJECT else ""
        where = f"{file}: {table_name}{key}"
        wanted = str if key in FOLDER_SETTINGS else OTHER_SETTINGS.get(key)
        if wanted is None:
            raise InputError(f"{where}: unknown setting; allowed: {', '.join(allowed)}")
        numeric = wanted is float and isinstance(value, int)
        if not (isinstance(value, wanted) or numeric) or isinstance(value, bool):
            kind = {int: "whole number", float: "a number"}.get(wanted, "text")
            raise InputError(f"{where}: must be {kind}, got {value!r}")
        problem = materiality_problem(key, value) if key in MATERIALITY_SETTINGS else None
        if problem is not None:
            raise InputError(f"{where}: {problem}")
        if key == "data" and shown_location(value) != value:
            raise InputError(
                f"{where}: holds a password; leave it out of the URL and set PGPASSWORD or"
                " ~/.pgpass instead"
            )
        problem = classification_problem(str(value)) if key == "classification" else None
        if problem:
            raise InputError(f"{where}: {problem}")
        if key in CONFINED_SETTINGS and file and "://" not in str(value):
            _check_inside(where, root, str(value))
        settings[key] = value
    for key, default in FOLDER_SETTINGS.items():
        value = settings.get(key, default and str(default))
        if value is None:
            continue
        if not (key == "data" and "://" in value):
            value = os.path.relpath(root / value)
        settings[key] = value
    return settings


def _check_inside(where: str, root: Path, value: str) -> None:
    """Refuse a folder setting that leaves the project folder through a link or '..'."""
    try:
        inside = (root / value).resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a loop of links
        inside = False
    if not inside:
        raise InputError(
            f"{where}: a link or '..' out of the project folder {root}; name a folder inside it,"
            " or give another one on the command line"
        )


def _read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's tables, its size checked before it is read; a syntax error names the file
    and line."""
    try:
        with path.open("rb") as handle:
            data = handle.read(CONFIG_MAX_BYTES + 1)
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from error
    if len(data) > CONFIG_MAX_BYTES:
        raise InputError(
            f"{path}: larger than {CONFIG_MAX_BYTES // 1024} KB; config files of at most"
            f" {CONFIG_MAX_BYTES // 1024} KB are read"
        )
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text") from error
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from error
    except RecursionError as error:
        raise InputError(f"{path}: not valid TOML: values nested too deeply") from error
