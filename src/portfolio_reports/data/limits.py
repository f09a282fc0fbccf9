"""Limits on what is read: file sizes, cell and title lengths, problem lines per file."""

from __future__ import annotations

import os
from pathlib import Path

from portfolio_reports.errors import InputError

DATA_LIMIT_ENV = "PORTFOLIO_REPORTS_MAX_DATA_MB"
DEFAULT_DATA_MB = 512.0
"""Largest data file read: ten times a large company's ten-year extract, far below RAM."""
ROWS_LIMIT_ENV = "PORTFOLIO_REPORTS_MAX_ROWS"
DEFAULT_ROWS = 1_000_000
"""Most rows read of one table: a large company's ten years of quarterly sales hold ~100,000."""
PARAMS_LIMIT_ENV = "PORTFOLIO_REPORTS_MAX_PARAMS_KB"
DEFAULT_PARAMS_KB = 64.0
"""Largest params file read: a real one is a few hundred bytes."""
PARAMS_VALUES = 1000
"""Most values a params file may hold once its YAML aliases are written out."""
CELL_CHARS = 128 * 1024
"""Longest cell a data file may hold (the csv module's own default limit)."""
TITLE_CHARS = 200
"""Longest report title or index group: a title is one line on a page and a card."""
TEXT_PARAMETER_CHARS = 1000
"""Longest text parameter in a params file."""
COMMENTARY_CHARS = 20_000
"""Longest analyst commentary: a few paragraphs under a page's highlights, not a document."""
READ_LIMIT_ENV = "PORTFOLIO_REPORTS_MAX_READ_S"
DEFAULT_READ_S = 120
"""Longest read of one database table: a million rows come in seconds; a view that never
yields its first row (an endless join inside) would otherwise hang the build."""
PROBLEMS_PER_FILE = 20
"""Problem lines (one per cause) shown per file before '... and N more problems'."""
ROWS_LISTED = 10
"""Line numbers a problem line lists before '... and N more'."""


def max_data_bytes() -> int:
    """The size limit on one data file, from PORTFOLIO_REPORTS_MAX_DATA_MB or the default."""
    return env_limit(DATA_LIMIT_ENV, DEFAULT_DATA_MB, "MB", 2**20)


def max_rows() -> int:
    """The row limit on one table, from PORTFOLIO_REPORTS_MAX_ROWS or the default."""
    return env_limit(ROWS_LIMIT_ENV, DEFAULT_ROWS, "rows", 1)


def too_many_rows(label: str, rows: int) -> str | None:
    """A one-line problem when a table has more rows than the row limit; None when it fits."""
    limit = max_rows()
    if rows <= limit:
        return None
    return (
        f"{label}: more than {limit:,} rows; tables of at most {limit:,} rows are read"
        f" (set {ROWS_LIMIT_ENV} to allow more)"
    )


def max_read_seconds() -> int:
    """The time limit on reading one database table, from PORTFOLIO_REPORTS_MAX_READ_S."""
    return env_limit(READ_LIMIT_ENV, DEFAULT_READ_S, "seconds", 1)


def too_slow(label: str) -> str:
    """The one-line problem of a table read stopped at the time limit."""
    limit = max_read_seconds()
    return (
        f"{label}: still reading after {limit:,} s; a table is read in at most {limit:,} s"
        f" (set {READ_LIMIT_ENV} to allow longer)"
    )


def too_many_bytes(label: str, size: int, what: str = "of text") -> str | None:
    """A one-line problem when a table holds more bytes (once read) than the data size limit."""
    limit = max_data_bytes()
    if size <= limit:
        return None
    return (
        f"{label}: more than {megabytes(limit)} MB {what}; tables of at most"
        f" {megabytes(limit)} MB are read"
        f" (set {DATA_LIMIT_ENV} to allow larger ones)"
    )


def max_params_bytes() -> int:
    """The size limit on one params file, from PORTFOLIO_REPORTS_MAX_PARAMS_KB or the default."""
    return env_limit(PARAMS_LIMIT_ENV, DEFAULT_PARAMS_KB, "KB", 2**10)


def oversize_problem(label: str, path: Path, limit: int, env: str) -> str | None:
    """A one-line problem when a file is larger than `limit` bytes; None when it fits."""
    size = path.stat().st_size
    if size <= limit:
        return None
    return (
        f"{label}: {megabytes(size)} MB; files of at most {megabytes(limit)} MB are read"
        f" (set {env} to allow larger ones)"
    )


def capped(label: str, problems: list[str]) -> list[str]:
    """The first PROBLEMS_PER_FILE problems of one file, then a line counting the rest."""
    if len(problems) <= PROBLEMS_PER_FILE + 1:
        return problems
    rest = len(problems) - PROBLEMS_PER_FILE
    return [*problems[:PROBLEMS_PER_FILE], f"{label}: ... and {rest} more problems"]


def env_limit(env: str, default: float, unit: str, unit_bytes: int) -> int:
    """A limit from environment variable `env` (in `unit`s of `unit_bytes`), or `default`."""
    text = os.environ.get(env, "").strip()
    try:
        value = float(text) if text else default
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise InputError(f"{env} must be a positive number of {unit}, got {text!r}")
    return int(value * unit_bytes)


def megabytes(size: int) -> str:
    """A size in MB as printed in a limit's line: one decimal, two digits below 0.1 MB."""
    value = size / 2**20
    return f"{value:.1f}" if value >= 0.1 else f"{value:.2g}"
