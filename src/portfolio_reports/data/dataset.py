"""Validate every table of a data source (read by `sources`) and return a Dataset."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from portfolio_reports.data.limits import CELL_CHARS, capped
from portfolio_reports.data.quarters import QUARTER_PATTERN
from portfolio_reports.data.sales_detail import detail_file, detail_hash, summed_sales
from portfolio_reports.data.schema import (
    CODE_PATTERN,
    EXPECTED_PATTERN,
    FOREIGN_KEYS,
    GLOBAL_SCOPE,
    MARKET_PATTERN,
    TABLE_MODELS,
    URL_PATTERN,
)
from portfolio_reports.data.sources import (
    RawSource,
    TableLocation,
    cheap_fingerprint,
    read_source,
    write_source,
)
from portfolio_reports.errors import DataError
from portfolio_reports.paths import SNAPSHOTS_FOLDER

SNAPSHOT_MANIFEST = "snapshot.json"
_TRUE_WORDS = {"true": True, "false": False}
_PATTERN_HINTS = {
    QUARTER_PATTERN: "of the form YYYYQn, e.g. 2025Q3",
    MARKET_PATTERN: "two capital letters, e.g. CN",
    CODE_PATTERN: "a code of capitals, digits and '-', e.g. HLX10",
    URL_PATTERN: "an http(s) URL",
    EXPECTED_PATTERN: "a quarter (e.g. 2027Q1) or a date (YYYY-MM-DD)",
}
_LISTED_VALUES = 12
_MAY_BE_GLOBAL = (
    ("pipeline", "scope", "markets", "market"),
    ("clinical_results", "market", "markets", "market"),
)
"""References to a market that may also be Global."""


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
    catalysts: pd.DataFrame
    revenue_allocation: pd.DataFrame
    other_revenue: pd.DataFrame
    fingerprint: str = ""
    warnings: tuple[str, ...] = ()
    """Problems that do not stop a build, one line each naming file and row or key."""

    def table(self, name: str) -> pd.DataFrame:
        """Return one table by its name."""
        return getattr(self, name)


def load_dataset(source: str | Path) -> Dataset:
    """Load and validate a data source (see `sources`), or read a build's own snapshot as it is."""
    if _is_snapshot(source):
        return _read_snapshot(Path(source))
    raw = read_source(source)
    detail = detail_file(source)
    if detail is not None:
        raw = RawSource({**raw.tables, "sales": summed_sales(detail)}, _detail_fingerprint(detail))
    return _validated(raw)


def export_dataset(dataset: Dataset, target: str | Path, folder_format: str = "csv") -> None:
    """Write every table to a folder of `folder_format` files, a workbook or a database URL."""
    write_source({name: dataset.table(name) for name in TABLE_MODELS}, target, folder_format)


def source_fingerprint(source: str | Path) -> str | None:
    """Hash of a file source's table files, cheap to compute; None for a database or snapshot."""
    if _is_snapshot(source):
        return None
    detail = detail_file(source)
    return cheap_fingerprint(source) if detail is None else _detail_fingerprint(detail)


def _detail_fingerprint(detail: Path) -> str:
    """Hash of a folder holding a sales detail file: its CSV tables and the detail file."""
    digest = hashlib.sha256(detail_hash(detail).encode())
    for path in sorted(detail.parent.glob("*.csv")):
        if path.stem not in TABLE_MODELS:
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _is_snapshot(source: str | Path) -> bool:
    """Whether a source is a snapshot a build wrote: under .snapshots, its files unchanged."""
    if "://" in str(source):
        return False
    folder = Path(source)
    manifest = folder / SNAPSHOT_MANIFEST
    if folder.parent.name != SNAPSHOTS_FOLDER or not manifest.is_file():
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return False
    return (
        isinstance(recorded, dict)
        and str(recorded.get("fingerprint", "")).startswith(folder.name)
        and recorded.get("content") == _snapshot_content_hash(folder)
    )


def _snapshot_content_hash(folder: Path) -> str:
    """Hash of a snapshot's Parquet files."""
    digest = hashlib.sha256()
    for name in TABLE_MODELS:
        path = folder / f"{name}.parquet"
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


def empty_table(name: str) -> pd.DataFrame:
    """A table with its model's columns and types and no rows (an optional table left out)."""
    model = TABLE_MODELS[name]
    return model.validate(pd.DataFrame(columns=list(model.to_schema().columns)))


def find_snapshot(source: str | Path, snapshots: Path) -> Path | None:
    """The snapshot folder already written for this exact source, if any."""
    fingerprint = source_fingerprint(source)
    folder = snapshots / (fingerprint or "")[:16]
    return folder if fingerprint and _is_snapshot(folder) else None


def write_snapshot(dataset: Dataset, root: Path) -> Path:
    """Write the dataset as Parquet under root/<fingerprint>, once; return that folder."""
    target = root / dataset.fingerprint[:16]
    if _is_snapshot(target):
        return target
    shutil.rmtree(target, ignore_errors=True)  # a snapshot changed since written: write it again
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    for name in TABLE_MODELS:
        dataset.table(name).to_parquet(staging / f"{name}.parquet", index=False)
    manifest = {
        "fingerprint": dataset.fingerprint,
        "tables": list(TABLE_MODELS),
        "content": _snapshot_content_hash(staging),
    }
    (staging / SNAPSHOT_MANIFEST).write_text(json.dumps(manifest, indent=2))
    try:
        os.replace(staging, target)
    except OSError:  # another build wrote the same snapshot first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _read_snapshot(folder: Path) -> Dataset:
    manifest = json.loads((folder / SNAPSHOT_MANIFEST).read_text())
    paths = {name: folder / f"{name}.parquet" for name in TABLE_MODELS}
    tables = {
        name: pd.read_parquet(path) if path.is_file() else empty_table(name)
        for name, path in paths.items()
    }
    return Dataset(**tables, fingerprint=manifest["fingerprint"])


def _validated(source: RawSource) -> Dataset:
    """Parse and check every table and the references between them; raise all problems at once."""
    problems: dict[str, list[str]] = {name: [] for name in TABLE_MODELS}
    tables: dict[str, pd.DataFrame] = {}
    for name, model in TABLE_MODELS.items():
        raw = source.tables[name]
        problems[name] += raw.problems
        if raw.frame is None:
            continue
        frame, table_problems = _validate_table(raw.location, raw.frame, model)
        problems[name] += table_problems
        if frame is not None:
            tables[name] = frame
    locations = {name: raw.location for name, raw in source.tables.items()}
    written = {name: source.tables[name].frame for name in tables}
    for name, found in _foreign_key_problems(tables, written, locations):
        problems[name].append(found)
    shown = [
        line for name in TABLE_MODELS for line in capped(locations[name].label, problems[name])
    ]
    if shown:
        raise DataError(shown)
    clean = {name: frame.reset_index(drop=True) for name, frame in tables.items()}
    return Dataset(**clean, fingerprint=source.fingerprint)


def _validate_table(
    location: TableLocation, raw: pd.DataFrame, model: type[pa.DataFrameModel]
) -> tuple[pd.DataFrame | None, list[str]]:
    """Parse typed columns and run the pandera model lazily; return the valid rows and problems.

    A table without the model's columns gives no rows, so no other check reads it.
    """
    schema = model.to_schema()
    problems = _column_set_problems(location.label, raw, schema)
    if problems:
        return None, problems
    frame = raw.copy()
    unparsable: set[int] = set()
    for column_name, column in schema.columns.items():
        lengths = raw[column_name].map(lambda cell: len(cell) if isinstance(cell, str) else 0)
        for index, length in lengths[lengths > CELL_CHARS].items():
            problems.append(
                f"{location.row(index)}, column {column_name}: a cell of {length} characters;"
                f" at most {CELL_CHARS} are allowed"
            )
            unparsable.add(index)
        parsed, bad = _parse_column(raw[column_name], str(column.dtype))
        frame[column_name] = parsed
        hint = _type_hint(str(column.dtype))
        for index in (index for index in bad if index not in unparsable):
            value = raw.at[index, column_name]
            problems.append(
                f"{location.row(index)}, column {column_name}: value {value!r} is not {hint}"
            )
            unparsable.add(index)
    frame = frame.drop(index=sorted(unparsable))
    try:
        frame = model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        problems += _describe_failures(location, errors.failure_cases, schema)
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
    elif dtype.startswith("float") or dtype.lower().startswith("int"):
        parsed = pd.to_numeric(values, errors="coerce")
        parsed = parsed.where(np.isfinite(parsed.astype(float)))  # inf is not a value to show
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


def _describe_failures(
    location: TableLocation, failures: pd.DataFrame, schema: pa.DataFrameSchema
) -> list[str]:
    """Turn pandera failure cases into one readable line per problem."""
    problems = _duplicate_problems(location, failures, schema)
    for failure in failures.itertuples(index=False):
        check = str(failure.check)
        if check in ("multiple_fields_uniqueness", "field_uniqueness"):
            continue
        column = schema.columns.get(failure.column)
        allowed = _allowed_text(check, column)
        where = location.row(failure.index) if failure.index is not None else location.label
        if check == "not_nullable":
            problems.append(f"{where}, column {failure.column}: empty value; a value is required")
        else:
            problems.append(
                f"{where}, column {failure.column}: value {failure.failure_case!r} not allowed;"
                f" {allowed}"
            )
    return problems


def _duplicate_problems(
    location: TableLocation, failures: pd.DataFrame, schema: pa.DataFrameSchema
) -> list[str]:
    """One line per repeated key or unique value, naming every line it appears on."""
    checks = failures["check"].astype(str)
    problems = [
        f"{location.rows(group['index'])}, column {column}: duplicate value {value!r};"
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
        shown = ", ".join(_as_text(part) for part in key)
        problems.append(
            f"{location.rows(group.index)}: duplicate key ({', '.join(key_columns)})"
            f" = ({shown}); each combination must appear once"
        )
    return problems


def _as_text(value: object) -> str:
    """A parsed cell as it was written: empty for none, dates as YYYY-MM-DD."""
    if pd.isna(value):
        return ""
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)


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


def _foreign_key_problems(
    tables: dict[str, pd.DataFrame],
    written: dict[str, pd.DataFrame],
    locations: dict[str, TableLocation],
) -> list[tuple[str, str]]:
    """Check every valid row's references against every key written, valid or not: (table, line).

    A row rejected for another of its values (even a blank around its key) still names its key,
    so references to it are not reported again; references into unreadable tables are skipped.
    """
    problems: list[tuple[str, str]] = []
    references = [*FOREIGN_KEYS, *_MAY_BE_GLOBAL]
    for table, column, target, target_column in references:
        if table not in tables or target not in tables:
            continue
        keys = written[target][target_column].dropna()
        allowed = set(keys) | {key.strip() for key in keys}
        if (table, column, target, target_column) in _MAY_BE_GLOBAL:
            allowed.add(GLOBAL_SCOPE)
        values = tables[table][column]
        listed = ", ".join(sorted(allowed)[:_LISTED_VALUES])
        more = f", ... ({len(allowed)} in all)" if len(allowed) > _LISTED_VALUES else ""
        for index, value in values[values.notna() & ~values.isin(allowed)].items():
            problems.append(
                (
                    table,
                    f"{locations[table].row(index)}, column {column}: unknown {target_column}"
                    f" {value!r}, not in {locations[target].label}; allowed: {listed}{more}",
                )
            )
    if "regulatory_events" in tables:
        problems += _of(
            "regulatory_events",
            _status_without_date(tables["regulatory_events"], locations["regulatory_events"]),
        )
    if {"trade_names", "indications"} <= tables.keys():
        problems += _of(
            "trade_names",
            _labels_of_other_products(
                tables["trade_names"], tables["indications"], locations["trade_names"]
            ),
        )
    if {"sales", "regulatory_events"} <= tables.keys():
        events, all_events = tables["regulatory_events"], written["regulatory_events"]
        rejected = all_events.loc[~all_events.index.isin(events.index)]
        problems += _of(
            "sales",
            _sales_before_approval(tables["sales"], events, rejected, locations["sales"]),
        )
    if {"revenue_allocation", "indications"} <= tables.keys():
        problems += _of(
            "revenue_allocation",
            _allocation_problems(
                tables["revenue_allocation"], tables["indications"], locations["revenue_allocation"]
            ),
        )
    return problems


def _of(table: str, problems: list[str]) -> list[tuple[str, str]]:
    """Problems found in one table, each paired with the table's name."""
    return [(table, problem) for problem in problems]


def _allocation_problems(
    allocation: pd.DataFrame, indications: pd.DataFrame, location: TableLocation
) -> list[str]:
    """Each share names an indication of its own product; one key's shares add up to at most 1."""
    owners = indications.set_index("indication")["product"]
    owner = allocation["indication"].map(owners)
    foreign = allocation[owner.notna() & (owner != allocation["product"])]
    problems = [
        f"{location.row(index)}, column indication: {row.indication!r} is an indication of"
        f" {owners[row.indication]}, not of {row.product}; allowed: that product's indications"
        for index, row in zip(foreign.index, foreign.itertuples(index=False), strict=True)
    ]
    keys = [allocation["product"], allocation["market"].fillna("all markets")]
    for (product, market), shares in allocation.groupby(keys)["share"]:
        if shares.sum() > 1 + 1e-9:
            problems.append(
                f"{location.rows(shares.index)}: shares of {product} in {market} add up to"
                f" {shares.sum():g}; a product's shares in one market may add up to at most 1"
            )
    return problems


def _status_without_date(events: pd.DataFrame, location: TableLocation) -> list[str]:
    """A status needs the date it was reported (status_as_of), and an as-of date needs a status."""
    lone = events[events["status"].isna() != events["status_as_of"].isna()]
    return [
        f"{location.row(index)}: status {_as_text(row.status)!r} with status_as_of"
        f" {_as_text(row.status_as_of)!r}; give both (a status and the date it was reported) or"
        " neither"
        for index, row in zip(lone.index, lone.itertuples(index=False), strict=True)
    ]


def _labels_of_other_products(
    trade_names: pd.DataFrame, indications: pd.DataFrame, location: TableLocation
) -> list[str]:
    """A trade name's indication (its label) must be an indication of the same product."""
    owners = indications.set_index("indication")["product"]
    labelled = trade_names[trade_names["indication"].notna()]
    owner = labelled["indication"].map(owners)
    wrong = labelled[owner.notna() & (owner != labelled["product"])]
    return [
        f"{location.row(index)}, column indication: {row.indication!r} is an indication of"
        f" {owners[row.indication]}, not of {row.product}; allowed: an indication of"
        f" {row.product}, or empty for every label"
        for index, row in zip(wrong.index, wrong.itertuples(index=False), strict=True)
    ]


def _sales_before_approval(
    sales: pd.DataFrame, events: pd.DataFrame, rejected: pd.DataFrame, location: TableLocation
) -> list[str]:
    """Sales may only exist in a market from the quarter of the product's approval there.

    Sales of a product and market named by a rejected event row are not checked: that row may be
    the approval, and its own problem is already reported.
    """
    unsure = pd.MultiIndex.from_frame(rejected[["product", "market"]].astype(object))
    sales = sales[~pd.MultiIndex.from_frame(sales[["product", "market"]]).isin(unsure)]
    approvals = events[events["event_type"] == "approval"]
    first = (
        approvals.groupby(["product", "market"])["date"].min().dt.to_period("Q").rename("approved")
    )
    joined = sales.join(first, on=["product", "market"])
    sold_in = pd.PeriodIndex(joined["quarter"], freq="Q")
    early = joined[joined["approved"].isna() | (sold_in < joined["approved"].to_numpy())]
    return [
        f"{location.row(index)}: {row.product} has sales in {row.market} in {row.quarter}"
        f" but {_approval_status(row.approved)}; sales need an approval event in that market first"
        for index, row in zip(early.index, early.itertuples(index=False), strict=True)
    ]


def _approval_status(approved: pd.Period | None) -> str:
    return f"was approved there in {approved}" if pd.notna(approved) else "has no approval there"
