"""Large sales extracts: a typed sales_detail.parquet summed to the quarterly sales table once.

A folder source may hold `sales_detail.parquet` (monthly revenue by product, market, channel and
account; see schema.SalesDetail) instead of `sales.csv`. It is read typed, its row-level checks run
vectorised, and it is summed to quarters; the quarterly table then goes through the same validation
as a sales.csv would, so products, markets and approvals are checked as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.raw import RawTable, TableLocation
from portfolio_reports.data.schema import (
    CHANNELS,
    MONTH_PATTERN,
    REVENUE_MAX,
    SALES_DETAIL_TABLE,
    SalesDetail,
)
from portfolio_reports.data.sources import data_file_problem, parquet_problems
from portfolio_reports.text import error_line, quoted

DETAIL_FILE = f"{SALES_DETAIL_TABLE}.parquet"
LISTED_VALUES = 10
MONTHLY_KEYS = ("month", "product", "market")
"""The detail's columns its revenue is summed by before quarters are formed."""
"""Bad values of one column shown one line each before '... N more values'."""


def detail_file(source: str | Path) -> Path | None:
    """The sales detail file of a folder source that has no sales.csv, if there is one."""
    if "://" in str(source):
        return None
    folder = Path(source)
    path = folder / DETAIL_FILE
    return path if path.is_file() and not (folder / "sales.csv").exists() else None


def summed_sales(path: Path) -> RawTable:
    """The quarterly sales table (as text, like a sales.csv) summed from the detail file, read
    within the same bounds as any Parquet table (see `sources.parquet_problems`)."""
    location = TableLocation(f"sales (summed from {path.name})")
    unreadable = data_file_problem(path)
    if unreadable:
        return RawTable(location, None, [unreadable])
    try:
        refused = parquet_problems(path)
        if refused:
            return RawTable(location, None, refused)
        detail = _read_detail(path)
    except Exception as error:  # any unreadable Parquet file is one data problem
        return RawTable(
            location, None, [f"{path.name}: not a readable Parquet file ({error_line(error)})"]
        )
    problems = _detail_problems(path.name, detail)
    if problems:
        return RawTable(location, None, problems)
    monthly = monthly_sales(detail)
    del detail
    pa.default_memory_pool().release_unused()  # the detail's memory, back to the system
    month = monthly["month"].astype(str)
    monthly["quarter"] = month.map(
        {label: str(Quarter.of_month(label)) for label in month.unique()}
    )
    summed = (
        monthly.astype({"product": str, "market": str})
        .groupby(["quarter", "product", "market"])
        .agg(revenue_m=("revenue_m", "sum"), synthetic=("synthetic", "all"))
        .reset_index()
    )
    text = pd.DataFrame(
        {
            "quarter": summed["quarter"],
            "product": summed["product"],
            "market": summed["market"],
            "revenue_m": summed["revenue_m"].round(6).astype(str),
            "synthetic": np.where(summed["synthetic"], "true", "false"),
        }
    ).astype(object)
    return RawTable(location, text)


def _read_detail(path: Path) -> pd.DataFrame:
    """The detail file read one column at a time, each column's decoding memory given back to
    the system before the next: read whole, 10 M rows held three times the frame at once."""
    columns = {}
    for column in pq.read_schema(path).names:
        columns[column] = pd.read_parquet(path, columns=[column])[column]
        pa.default_memory_pool().release_unused()
    return pd.DataFrame(columns, copy=False)


def monthly_sales(detail: pd.DataFrame) -> pd.DataFrame:
    """Revenue summed, and synthetic flags all true, per month, product and market.

    The rows are grouped on one integer made of the three columns' codes: grouping on the three
    columns themselves held several times the detail's own memory at once on 10 M rows. Each
    group sums its rows in their order, as that grouping did, so the sums are the same.
    """
    codes, uniques = zip(*(_codes(detail[column]) for column in MONTHLY_KEYS), strict=True)
    sizes = [len(values) for values in uniques]
    key_type = np.int32 if np.prod(sizes, dtype=np.float64) < 2**31 else np.int64
    key = codes[0].astype(key_type)
    for column_codes, size in zip(codes[1:], sizes[1:], strict=True):
        key *= size
        key += column_codes
    grouped = (
        detail[["revenue_m", "synthetic"]]
        .groupby(key)
        .agg(revenue_m=("revenue_m", "sum"), synthetic=("synthetic", "all"))
    )
    positions = np.unravel_index(grouped.index.to_numpy(), sizes)
    labels = {
        column: np.asarray(values).take(position)
        for column, values, position in zip(MONTHLY_KEYS, uniques, positions, strict=True)
    }
    return pd.DataFrame({**labels, **grouped.reset_index(drop=True)})


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Each row's code among the column's distinct values, and those values.

    A categorical column (a Parquet dictionary column) gives its own small codes; factorizing it
    again would make a 64-bit code per row (80 MB on 10 M rows).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), column.cat.categories
    column_codes, values = pd.factorize(column)
    return column_codes.astype(np.int32), pd.Index(values)


def _bad_labels(column: pd.Series, allowed: Callable[[pd.Index], np.ndarray]) -> np.ndarray:
    """Rows whose value is missing or fails `allowed`, tested once per distinct value."""
    labels = column.astype("category").cat
    bad_codes = np.flatnonzero(~allowed(labels.categories.astype(str)))
    codes = labels.codes.to_numpy()
    return (codes < 0) | np.isin(codes, bad_codes)


def _detail_problems(file_name: str, detail: pd.DataFrame) -> list[str]:
    """Row-level checks of the detail table, run on distinct values or vectorised."""
    expected = list(SalesDetail.to_schema().columns)
    missing = [name for name in expected if name not in detail.columns]
    extra = [name for name in detail.columns if name not in expected]
    if missing or extra:
        return [f"{file_name}: columns {', '.join(detail.columns)}; expected {', '.join(expected)}"]
    checks = {
        "month": (
            _bad_labels(detail["month"], lambda values: values.str.fullmatch(MONTH_PATTERN)),
            "must be a month YYYY-MM",
        ),
        "channel": (
            _bad_labels(detail["channel"], lambda values: values.isin(CHANNELS)),
            f"allowed: {', '.join(CHANNELS)}",
        ),
        "revenue_m": (
            ~detail["revenue_m"].between(0, REVENUE_MAX).to_numpy(),
            f"must be a number from 0 to {REVENUE_MAX}",
        ),
        "account": (~(detail["account"] >= 0).to_numpy(), "must be a whole number >= 0"),
    }
    location = TableLocation(file_name)
    problems = []
    for column, (bad, allowed) in checks.items():
        rows = pd.Series(np.flatnonzero(bad))
        values = detail[column].iloc[rows.to_numpy()].astype(object).to_numpy()
        causes = rows.groupby(pd.factorize(values)[0], sort=False)
        for cause, (_, positions) in enumerate(causes):
            if cause == LISTED_VALUES:
                rest = causes.ngroups - LISTED_VALUES
                problems.append(f"{file_name}, column {column}: {rest:,} more values; {allowed}")
                break
            value = values[positions.index[0]]
            value = value.item() if isinstance(value, np.generic) else value
            problems.append(
                f"{location.rows(positions)}, column {column}: value {quoted(value)}; {allowed}"
            )
    for column in ("product", "market", "synthetic"):
        rows = np.flatnonzero(detail[column].isna().to_numpy())
        if len(rows):
            problems.append(
                f"{location.rows(rows)}, column {column}: empty value; a value is required"
            )
    return problems
