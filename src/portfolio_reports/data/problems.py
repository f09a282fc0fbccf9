"""One table at a time: parse its text cells to types, run its pandera model, one line a problem."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from portfolio_reports.data.limits import CELL_CHARS
from portfolio_reports.data.quarters import FIRST_YEAR, LAST_YEAR, QUARTER_PATTERN
from portfolio_reports.data.schema import (
    CODE_PATTERN,
    CURRENCY_PATTERN,
    EXPECTED_PATTERN,
    MARKET_PATTERN,
    URL_PATTERN,
)
from portfolio_reports.data.sources import TableLocation
from portfolio_reports.text import cut, quoted

_TRUE_WORDS = {"true": True, "false": False}
_PATTERN_HINTS = {
    QUARTER_PATTERN: f"of the form YYYYQn with a year from {FIRST_YEAR} to {LAST_YEAR},"
    " e.g. 2025Q3",
    MARKET_PATTERN: "two capital letters, e.g. CN",
    CODE_PATTERN: "a code of capitals, digits and '-', e.g. HLX10",
    CURRENCY_PATTERN: "an ISO 4217 code of three capital letters, e.g. USD",
    URL_PATTERN: "an http(s) URL",
    EXPECTED_PATTERN: f"a quarter (e.g. 2027Q1) or a date (YYYY-MM-DD) from {FIRST_YEAR} to"
    f" {LAST_YEAR}",
}


def validate_table(
    location: TableLocation, raw: pd.DataFrame, model: type[pa.DataFrameModel]
) -> tuple[pd.DataFrame | None, list[str]]:
    """Parse typed columns and run the pandera model lazily; return the valid rows and problems.

    Problems come one line per cause (column and value), naming how many rows share it. A table
    without the model's columns gives no rows, so no other check reads it.
    """
    schema = model.to_schema()
    problems = _column_set_problems(location.label, raw, schema)
    if problems:
        return None, problems
    frame = raw.copy()
    found: list[tuple[int, str]] = []
    unparsable: set[int] = set()
    for column_name, column in schema.columns.items():
        lengths = raw[column_name].map(lambda cell: len(cell) if isinstance(cell, str) else 0)
        for index, length in lengths[lengths > CELL_CHARS].items():
            found.append(
                (
                    index,
                    f", column {column_name}: a cell of {length} characters;"
                    f" at most {CELL_CHARS} are allowed",
                )
            )
            unparsable.add(index)
        parsed, bad = _parse_column(raw[column_name], str(column.dtype))
        frame[column_name] = parsed
        hint = type_hint(str(column.dtype))
        for index in (index for index in bad if index not in unparsable):
            value = quoted(raw.at[index, column_name])
            found.append((index, f", column {column_name}: value {value} is not {hint}"))
            unparsable.add(index)
    frame = frame.drop(index=sorted(unparsable))
    try:
        frame = model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        problems += _duplicate_problems(location, errors.failure_cases, schema)
        causes, whole_table = _failure_causes(location, errors.failure_cases, schema)
        found += causes
        problems += whole_table
        failed_rows = set(errors.failure_cases["index"].dropna())
        frame = frame.drop(index=[index for index in frame.index if index in failed_rows])
    problems += location.by_cause(found)
    return frame, problems


def _column_set_problems(
    file_name: str, raw: pd.DataFrame, schema: pa.DataFrameSchema
) -> list[str]:
    expected = list(schema.columns)
    missing = [name for name in expected if name not in raw.columns]
    extra = [name for name in raw.columns if name not in expected]
    return [
        f"{file_name}: missing column {name!r}; required columns: {', '.join(expected)}"
        for name in missing
    ] + [
        f"{file_name}: unexpected column {quoted(name)}; allowed columns: {', '.join(expected)}"
        for name in extra
    ]


def _parse_column(values: pd.Series, dtype: str) -> tuple[pd.Series, list[int]]:
    """Convert strings to the column's type; return the parsed column and unparsable rows."""
    present = values.notna()
    if dtype.startswith("datetime"):
        parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        in_years = parsed.dt.year.between(FIRST_YEAR, LAST_YEAR)
        parsed = parsed.where(in_years).astype("datetime64[ns]")  # a year typo: refused below
    elif dtype.startswith("float") or dtype.lower().startswith("int"):
        parsed = pd.to_numeric(values, errors="coerce")
        parsed = parsed.where(np.isfinite(parsed.astype(float)))  # inf is not a value to show
    elif dtype == "bool":
        parsed = values.map(lambda text: _TRUE_WORDS.get(str(text).strip().lower()))
    else:
        return values, []
    bad = values.index[present & parsed.isna()].tolist()
    return parsed, bad


def type_hint(dtype: str) -> str:
    """What a column of a pandera dtype holds, as a problem or the schema's README says it."""
    if dtype.startswith("datetime"):
        return f"a date of the form YYYY-MM-DD from {FIRST_YEAR} to {LAST_YEAR}"
    if dtype == "bool":
        return "true or false"
    if dtype.startswith("float") or dtype.lower().startswith("int"):
        return "a number"
    return "text"


def _failure_causes(
    location: TableLocation, failures: pd.DataFrame, schema: pa.DataFrameSchema
) -> tuple[list[tuple[int, str]], list[str]]:
    """Pandera's failure cases: (row, cause) pairs, and lines on the whole table."""
    found: list[tuple[int, str]] = []
    whole_table: list[str] = []
    for failure in failures.itertuples(index=False):
        check = str(failure.check)
        if check in ("multiple_fields_uniqueness", "field_uniqueness"):
            continue
        if check == "not_nullable":
            cause = f", column {failure.column}: empty value; a value is required"
        else:
            allowed = _allowed_text(check, schema.columns.get(failure.column))
            cause = (
                f", column {failure.column}: value {quoted(failure.failure_case)} not allowed;"
                f" {allowed}"
            )
        if failure.index is None:
            whole_table.append(f"{location.label}{cause}")
        else:
            found.append((failure.index, cause))
    return found, whole_table


def _duplicate_problems(
    location: TableLocation, failures: pd.DataFrame, schema: pa.DataFrameSchema
) -> list[str]:
    """One line per repeated key or unique value, counting the lines it appears on."""
    checks = failures["check"].astype(str)
    problems = [
        f"{location.rows(group['index'])}, column {column}: duplicate value {quoted(value)};"
        f" values must be unique"
        for (column, value), group in failures[checks == "field_uniqueness"].groupby(
            ["column", "failure_case"], sort=False
        )
    ]
    repeated_keys = failures[checks == "multiple_fields_uniqueness"]
    if repeated_keys.empty:
        return problems
    key_columns = list(schema.unique)
    keys = repeated_keys.pivot(index="index", columns="column", values="failure_case").reindex(
        columns=key_columns  # an empty key part has no failure case: it comes back empty
    )
    for key, group in keys.groupby(key_columns, sort=False, dropna=False):
        shown = ", ".join(cut(as_written(part)) for part in key)
        problems.append(
            f"{location.rows(group.index)}: duplicate key ({', '.join(key_columns)})"
            f" = ({shown}); each combination must appear once"
        )
    return problems


def as_written(value: object) -> str:
    """A parsed cell as it was written: empty for none, dates as YYYY-MM-DD."""
    if pd.isna(value):
        return ""
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)


def _allowed_text(check_name: str, column: pa.Column | None) -> str:
    """Say what a failed check allows, from the check's own statistics."""
    checks = {check.name: check.statistics for check in (column.checks if column else [])}
    name = check_name.split("(")[0]
    rule = check_rule(name, checks[name]) if name in checks else None
    if rule is None:
        return f"fails check {check_name}"
    return f"allowed: {rule}" if name == "isin" else f"must be {rule}"


def check_rule(name: str, statistics: dict[str, Any]) -> str | None:
    """What one check asks of a value, e.g. "day, month, quarter" (isin) or ">= 0"; None for a
    check without a rule to say."""
    if name == "isin":
        return ", ".join(str(value) for value in statistics["allowed_values"])
    if name == "str_matches":
        pattern = statistics["pattern"]
        return _PATTERN_HINTS.get(pattern, f"of the form {pattern}")
    if name in _BOUNDS:
        symbol, key = _BOUNDS[name]
        return f"{symbol} {statistics[key]}"
    return None


_BOUNDS = {
    "greater_than_or_equal_to": (">=", "min_value"),
    "greater_than": (">", "min_value"),
    "less_than_or_equal_to": ("<=", "max_value"),
    "less_than": ("<", "max_value"),
}
"""Range checks: the symbol each says its bound with, and the statistic holding the bound."""
