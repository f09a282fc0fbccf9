"""Read a data source, validate every table, and return a Dataset."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from portfolio_reports.errors import DataError
from portfolio_reports.schema import FOREIGN_KEYS, GLOBAL_SCOPE, TABLE_MODELS

SNAPSHOT_MANIFEST = "snapshot.json"
_TRUE_WORDS = {"true": True, "false": False}
_PATTERN_HINTS = {
    r"^\d{4}Q[1-4]$": "the form YYYYQn, e.g. 2025Q3",
    r"^[A-Z]{2}$": "two capital letters, e.g. CN",
    r"^[A-Z][A-Z0-9-]{1,15}$": "a code of capitals, digits and '-', e.g. HLX10",
    r"^https?://\S+$": "an http(s) URL",
}
_LISTED_VALUES = 12


@dataclass(frozen=True)
class Dataset:
    """All tables of one data source, validated; dates are datetime64, flags are bool."""

    markets: pd.DataFrame
    products: pd.DataFrame
    trade_names: pd.DataFrame
    indications: pd.DataFrame
    pipeline: pd.DataFrame
    regulatory_events: pd.DataFrame
    clinical_results: pd.DataFrame
    sales: pd.DataFrame
    fingerprint: str = ""

    def table(self, name: str) -> pd.DataFrame:
        """Return one table by its name."""
        return getattr(self, name)


def load_dataset(source: str | Path) -> Dataset:
    """Load a CSV folder (validated) or a build snapshot (validated when it was written)."""
    folder = Path(source)
    if not folder.exists():
        raise DataError([f"{folder}: data folder does not exist"])
    if not folder.is_dir():
        raise DataError([f"{folder}: not a folder; expected a folder of CSV files, one per table"])
    if (folder / SNAPSHOT_MANIFEST).is_file():
        return _read_snapshot(folder)
    return _read_csv_folder(folder)


def write_snapshot(dataset: Dataset, root: Path) -> Path:
    """Write the dataset as Parquet under root/<fingerprint>, once; return that folder."""
    target = root / dataset.fingerprint[:16]
    if (target / SNAPSHOT_MANIFEST).is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    for name in TABLE_MODELS:
        dataset.table(name).to_parquet(staging / f"{name}.parquet", index=False)
    (staging / SNAPSHOT_MANIFEST).write_text(
        json.dumps({"fingerprint": dataset.fingerprint, "tables": list(TABLE_MODELS)}, indent=2)
    )
    try:
        os.replace(staging, target)
    except OSError:  # another build wrote the same snapshot first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _read_snapshot(folder: Path) -> Dataset:
    manifest = json.loads((folder / SNAPSHOT_MANIFEST).read_text())
    tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLE_MODELS}
    return Dataset(**tables, fingerprint=manifest["fingerprint"])


def _read_csv_folder(folder: Path) -> Dataset:
    problems: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    digest = hashlib.sha256()
    for name, model in TABLE_MODELS.items():
        path = folder / f"{name}.csv"
        raw, read_problems = _read_csv(path, model)
        problems += read_problems
        if raw is None:
            continue
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        frame, table_problems = _validate_table(path.name, raw, model)
        problems += table_problems
        tables[name] = frame
    problems += _foreign_key_problems(tables)
    if problems:
        raise DataError(problems)
    clean = {name: frame.reset_index(drop=True) for name, frame in tables.items()}
    return Dataset(**clean, fingerprint=digest.hexdigest())


def _read_csv(path: Path, model: type[pa.DataFrameModel]) -> tuple[pd.DataFrame | None, list[str]]:
    """Read one table as strings; return it or the problems that stopped the read."""
    expected = ", ".join(model.to_schema().columns)
    if not path.exists():
        return None, [f"{path.name}: missing table file; expected columns: {expected}"]
    if not path.is_file():
        return None, [f"{path.name}: is a directory, not a CSV file"]
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        line = path.read_bytes()[: error.start].count(b"\n") + 1
        return None, [f"{path.name} line {line}: bytes that are not UTF-8; save the file as UTF-8"]
    if not text.strip():
        return None, [f"{path.name}: empty file; expected a header line with: {expected}"]
    ragged = _ragged_lines(text)
    if ragged:
        return None, [
            f"{path.name} line {line}: {found} fields where the header has {wanted}"
            f" (truncated or unquoted line)"
            for line, found, wanted in ragged
        ]
    frame = pd.read_csv(
        path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8"
    ).astype(object)
    return frame.where(frame.notna(), None), []


def _ragged_lines(text: str) -> list[tuple[int, int, int]]:
    """Lines whose field count differs from the header's: (line number, found, expected)."""
    rows = list(csv.reader(text.splitlines()))
    width = len(rows[0])
    return [
        (number, len(row), width)
        for number, row in enumerate(rows[1:], start=2)
        if row and len(row) != width
    ]


def _validate_table(
    file_name: str, raw: pd.DataFrame, model: type[pa.DataFrameModel]
) -> tuple[pd.DataFrame, list[str]]:
    """Parse typed columns and run the pandera model lazily; return the valid rows and problems."""
    schema = model.to_schema()
    problems = _column_set_problems(file_name, raw, schema)
    if problems:
        return raw, problems
    frame = raw.copy()
    unparsable: set[int] = set()
    for column_name, column in schema.columns.items():
        parsed, bad = _parse_column(raw[column_name], str(column.dtype))
        frame[column_name] = parsed
        hint = _type_hint(str(column.dtype))
        for index in bad:
            value = raw.at[index, column_name]
            problems.append(
                f"{_where(file_name, index)}, column {column_name}: value {value!r} is not {hint}"
            )
            unparsable.add(index)
    frame = frame.drop(index=sorted(unparsable))
    try:
        frame = model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        problems += _describe_failures(file_name, errors.failure_cases, schema)
        failed_rows = set(errors.failure_cases["index"].dropna())
        frame = frame.drop(index=[index for index in frame.index if index in failed_rows])
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
        f"{file_name}: unexpected column {name!r}; allowed columns: {', '.join(expected)}"
        for name in extra
    ]


def _parse_column(values: pd.Series, dtype: str) -> tuple[pd.Series, list[int]]:
    """Convert strings to the column's type; return the parsed column and unparsable rows."""
    present = values.notna()
    if dtype.startswith("datetime"):
        parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    elif dtype.startswith("float") or dtype.startswith("int"):
        parsed = pd.to_numeric(values, errors="coerce")
    elif dtype == "bool":
        parsed = values.map(lambda text: _TRUE_WORDS.get(str(text).strip().lower()))
    else:
        return values, []
    bad = values.index[present & parsed.isna()].tolist()
    return parsed, bad


def _type_hint(dtype: str) -> str:
    if dtype.startswith("datetime"):
        return "a date of the form YYYY-MM-DD"
    if dtype == "bool":
        return "true or false"
    return "a number"


def _where(file_name: str, index: object) -> str:
    """Name the file line of a 0-based data row (the header is line 1)."""
    return f"{file_name} line {int(index) + 2}"


def _describe_failures(
    file_name: str, failures: pd.DataFrame, schema: pa.DataFrameSchema
) -> list[str]:
    """Turn pandera failure cases into one readable line per problem."""
    problems: list[str] = []
    unique_key = ", ".join(schema.unique or [])
    key_rows_seen: set[object] = set()
    for failure in failures.itertuples(index=False):
        check = str(failure.check)
        if check == "multiple_fields_uniqueness":
            if failure.index in key_rows_seen:
                continue
            key_rows_seen.add(failure.index)
            problems.append(
                f"{_where(file_name, failure.index)}: duplicate key ({unique_key});"
                f" each combination must appear once"
            )
            continue
        column = schema.columns.get(failure.column)
        allowed = _allowed_text(check, column)
        location = _where(file_name, failure.index) if failure.index is not None else file_name
        if check == "not_nullable":
            problems.append(
                f"{location}, column {failure.column}: empty value; a value is required"
            )
        elif check == "field_uniqueness":
            problems.append(
                f"{location}, column {failure.column}: duplicate value {failure.failure_case!r};"
                f" values must be unique"
            )
        else:
            problems.append(
                f"{location}, column {failure.column}: value {failure.failure_case!r} not allowed;"
                f" {allowed}"
            )
    return problems


def _allowed_text(check_name: str, column: pa.Column | None) -> str:
    """Say what a failed check allows, from the check's own statistics."""
    checks = {check.name: check.statistics for check in (column.checks if column else [])}
    name = check_name.split("(")[0]
    stats = checks.get(name, {})
    if name == "isin":
        return "allowed: " + ", ".join(stats["allowed_values"])
    if name == "str_matches":
        return "must be " + _PATTERN_HINTS.get(stats["pattern"], f"of the form {stats['pattern']}")
    bounds = {
        "greater_than_or_equal_to": (">=", "min_value"),
        "greater_than": (">", "min_value"),
        "less_than_or_equal_to": ("<=", "max_value"),
        "less_than": ("<", "max_value"),
    }
    if name in bounds:
        symbol, key = bounds[name]
        return f"must be {symbol} {stats[key]}"
    return f"fails check {check_name}"


def _foreign_key_problems(tables: dict[str, pd.DataFrame]) -> list[str]:
    """Check every reference between tables; references into unreadable tables are skipped."""
    problems: list[str] = []
    references = [*FOREIGN_KEYS, ("pipeline", "scope", "markets", "market")]
    for table, column, target, target_column in references:
        if table not in tables or target not in tables:
            continue
        allowed = set(tables[target][target_column].dropna())
        if (table, column) == ("pipeline", "scope"):
            allowed.add(GLOBAL_SCOPE)
        values = tables[table][column]
        listed = ", ".join(sorted(allowed)[:_LISTED_VALUES])
        more = f", ... ({len(allowed)} in all)" if len(allowed) > _LISTED_VALUES else ""
        for index, value in values[values.notna() & ~values.isin(allowed)].items():
            problems.append(
                f"{_where(f'{table}.csv', index)}, column {column}: unknown {target_column}"
                f" {value!r}, not in {target}.csv; allowed: {listed}{more}"
            )
    if {"sales", "regulatory_events"} <= tables.keys():
        problems += _sales_before_approval(tables["sales"], tables["regulatory_events"])
    return problems


def _sales_before_approval(sales: pd.DataFrame, events: pd.DataFrame) -> list[str]:
    """Sales may only exist in a market from the quarter of the product's approval there."""
    approvals = events[events["event_type"] == "approval"]
    first = (
        approvals.groupby(["product", "market"])["date"].min().dt.to_period("Q").rename("approved")
    )
    joined = sales.join(first, on=["product", "market"])
    sold_in = pd.PeriodIndex(joined["quarter"], freq="Q")
    early = joined[joined["approved"].isna() | (sold_in < joined["approved"].to_numpy())]
    return [
        f"{_where('sales.csv', index)}: {row.product} has sales in {row.market} in {row.quarter}"
        f" but {_approval_status(row.approved)}; sales need an approval event in that market first"
        for index, row in zip(early.index, early.itertuples(index=False), strict=True)
    ]


def _approval_status(approved: pd.Period | None) -> str:
    return f"was approved there in {approved}" if pd.notna(approved) else "has no approval there"
