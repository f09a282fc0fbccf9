"""Validate every table of a data source (read by `sources`) and the references between them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from portfolio_reports.config import DEFAULT_MATERIALITY, Materiality
from portfolio_reports.data.blank import blank_problems
from portfolio_reports.data.categories import category_problems, covering_unions
from portfolio_reports.data.company import Profile
from portfolio_reports.data.limits import capped
from portfolio_reports.data.problems import as_written, validate_table
from portfolio_reports.data.raw import RawSource, RawTable, TableLocation
from portfolio_reports.data.sales_detail import detail_file, summed_sales
from portfolio_reports.data.schema import (
    FOREIGN_KEYS,
    GLOBAL_SCOPE,
    LOSS_OF_EXCLUSIVITY,
    OLD_REVENUE_COLUMN,
    OPTIONAL_COLUMNS,
    REVENUE_COLUMN,
    TABLE_MODELS,
    Markets,
    RegulatoryEvents,
)
from portfolio_reports.data.snapshots import (
    SNAPSHOT_MANIFEST,
    detail_fingerprint,
    is_snapshot,
    read_snapshot,
    source_fingerprint,
)
from portfolio_reports.data.sources import (
    read_source,
    source_for,
    write_source,
)
from portfolio_reports.errors import DataError
from portfolio_reports.text import cut, quoted

_LISTED_VALUES = 12
_MAY_BE_GLOBAL = (
    ("pipeline", "scope", "markets", "market"),
    ("clinical_results", "market", "markets", "market"),
)
"""References to a market that may also be Global."""
CODE_COLUMNS = {
    name: tuple(
        dict.fromkeys(
            column
            for table, source_column, target, target_column in (*FOREIGN_KEYS, *_MAY_BE_GLOBAL)
            for column in (
                *([source_column] if table == name else []),
                *([target_column] if target == name else []),
            )
        )
    )
    for name in TABLE_MODELS
}
"""Per table, the columns holding codes: keys and references to other tables' keys."""


@dataclass(frozen=True)
class Dataset:
    """All tables of one data source, validated; dates are datetime64, flags are bool."""

    company: pd.DataFrame
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
    colours: pd.DataFrame
    fingerprint: str = ""
    warnings: tuple[str, ...] = ()
    """Problems that do not stop a build, one line each naming file and row or key."""
    materiality: Materiality = DEFAULT_MATERIALITY
    """The bar a revenue change must reach to be called material (the project's setting)."""

    def table(self, name: str) -> pd.DataFrame:
        """Return one table by its name."""
        return getattr(self, name)

    @property
    def colour_of(self) -> dict[str, str]:
        """The colour the data gives each name it colours (colours.csv)."""
        return dict(zip(self.colours["name"], self.colours["colour"], strict=True))

    @property
    def profile(self) -> Profile:
        """The company the data describes: name, money, home market, fiscal year."""
        return Profile.of(self.company)


def load_dataset(source: str | Path, materiality: Materiality = DEFAULT_MATERIALITY) -> Dataset:
    """Load and validate a data source (see `sources`), or read a build's own snapshot as it is;
    revenue changes are called material by `materiality`."""
    if is_snapshot(source):
        folder = Path(source).resolve()
        manifest = (folder / SNAPSHOT_MANIFEST).read_text(encoding="utf-8")
        return _snapshot_dataset(folder, manifest, materiality)
    before = source_fingerprint(source)
    raw = read_source(source)  # every file checked as read: links, sizes, encodings
    detail = detail_file(source)
    if detail is not None:
        raw = RawSource({**raw.tables, "sales": summed_sales(detail)}, detail_fingerprint(detail))
    blank = blank_problems({name: table.frame for name, table in raw.tables.items()}, str(source))
    if blank:
        raise DataError(blank)
    unchanged = _unchanged_key(source, raw, before, materiality)
    if unchanged is not None and unchanged in _last_loaded:
        return _last_loaded[unchanged]
    dataset = replace(_validated(raw), materiality=materiality)
    if unchanged is not None:
        _last_loaded.clear()
        _last_loaded[unchanged] = dataset
    return dataset


_last_loaded: dict[tuple[str, str, Materiality], Dataset] = {}
"""The data set a file source gave last, by kind, fingerprint and materiality: reading the same
files again (a notebook run again, a copy of the folder) returns it instead of validating them."""


def _unchanged_key(
    source: str | Path, raw: RawSource, before: str | None, materiality: Materiality
) -> tuple[str, str, Materiality] | None:
    """What a file source's data set is known by: its kind (a folder of CSV or Parquet files, a
    workbook), the hash of its tables' names and bytes and the materiality. None for a database,
    for files that changed while read (`before`, the hash then, is not the one read) and for
    tables with problems reading them; a data set holds no path: its problems name table files."""
    if before is None or before != raw.fingerprint:
        return None
    if any(table.problems for table in raw.tables.values()):
        return None
    return type(source_for(source)).__name__, before, materiality


@lru_cache(maxsize=1)
def _snapshot_dataset(folder: Path, manifest: str, materiality: Materiality) -> Dataset:
    """A snapshot's data set, read once per process while it is the one asked for (by folder,
    manifest and materiality): a warm kernel's reports then share it, and the results `memo`
    keeps for it."""
    tables, fingerprint, warnings = read_snapshot(folder)
    return Dataset(**tables, fingerprint=fingerprint, warnings=warnings, materiality=materiality)


def export_dataset(dataset: Dataset, target: str | Path, folder_format: str = "csv") -> None:
    """Write every table to a folder of `folder_format` files, a workbook or a database URL."""
    write_source({name: dataset.table(name) for name in TABLE_MODELS}, target, folder_format)


def _validated(source: RawSource) -> Dataset:
    """Parse and check every table and the references between them; raise all problems at once."""
    problems: dict[str, list[str]] = {name: [] for name in TABLE_MODELS}
    tables: dict[str, pd.DataFrame] = {}
    trimmed_codes: list[str] = []
    for name, model in TABLE_MODELS.items():
        raw = source.tables[name]
        problems[name] += raw.problems
        if raw.frame is None:
            continue
        trimmed, where = _trimmed_codes(name, raw)
        trimmed_codes += where
        source.tables[name] = replace(raw, frame=trimmed)
        absent = [c for c in OPTIONAL_COLUMNS.get(name, ()) if c not in trimmed.columns]
        text = trimmed.assign(**dict.fromkeys(absent))
        if OLD_REVENUE_COLUMN in text.columns:
            problems[name].append(
                f"{raw.location.label}: column {OLD_REVENUE_COLUMN} is now {REVENUE_COLUMN}"
                " (amounts in the currency and unit company.csv names); rename it"
            )
            continue
        frame, table_problems = validate_table(raw.location, text, model)
        problems[name] += table_problems
        if frame is not None:
            tables[name] = frame
    locations = {name: raw.location for name, raw in source.tables.items()}
    written = {name: source.tables[name].frame for name in tables}
    for name, found in [
        *_foreign_key_problems(tables, written, locations),
        *category_problems(tables, locations),
    ]:
        problems[name].append(found)
    shown = [
        line for name in TABLE_MODELS for line in capped(locations[name].label, problems[name])
    ]
    if shown:
        raise DataError(shown)
    clean = {name: frame.reset_index(drop=True) for name, frame in tables.items()}
    warnings = tuple(_trim_warning(trimmed_codes))
    return Dataset(**clean, fingerprint=source.fingerprint, warnings=warnings)


def _trimmed_codes(name: str, raw: RawTable) -> tuple[pd.DataFrame, list[str]]:
    """The table with spaces around its codes (keys and references) removed, and where each
    trimmed code was, in row order: "markets.csv line 2, column market: 'CN '"."""
    frame = raw.frame if raw.frame is not None else pd.DataFrame()
    trimmed = frame.copy()
    changed: list[tuple[int, str, str]] = []
    for column in [column for column in CODE_COLUMNS[name] if column in frame.columns]:
        values = frame[column]
        spaced = values[values.map(lambda value: isinstance(value, str) and value != value.strip())]
        changed += [(index, column, value) for index, value in spaced.items()]
        trimmed.loc[spaced.index, column] = spaced.str.strip().replace("", None)
    where = [
        f"{raw.location.row(index)}, column {column}: {quoted(value)}"
        for index, column, value in sorted(changed)
    ]
    return (trimmed, where) if changed else (frame, [])


def _trim_warning(trimmed: list[str]) -> list[str]:
    """One warning line for every code read without the spaces around it; none when none was."""
    if not trimmed:
        return []
    more = f" and {len(trimmed) - 1:,} more" if len(trimmed) > 1 else ""
    return [
        f"{trimmed[0]}{more}: codes read without the spaces around them;"
        " remove the spaces in the source"
    ]


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
        listed = ", ".join(cut(key) for key in sorted(allowed)[:_LISTED_VALUES])
        more = f", ... ({len(allowed)} in all)" if len(allowed) > _LISTED_VALUES else ""
        unknown = values[values.notna() & ~values.isin(allowed)]
        problems += _of(
            table,
            locations[table].by_cause(
                (
                    index,
                    f", column {column}: unknown {target_column} {quoted(value)}, not in"
                    f" {locations[target].label}; allowed: {listed}{more}",
                )
                for index, value in unknown.items()
            ),
        )
    if "regulatory_events" in tables:
        problems += _of(
            "regulatory_events",
            _status_without_date(tables["regulatory_events"], locations["regulatory_events"]),
        )
        problems += _of(
            "regulatory_events",
            _events_without_product(tables["regulatory_events"], locations["regulatory_events"]),
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
            _sales_before_approval(
                tables["sales"],
                _with_union_approvals(events, tables.get("markets")),
                rejected,
                locations["sales"],
            ),
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
    problems = location.by_cause(
        (
            index,
            f", column indication: {quoted(row.indication)} is an indication of"
            f" {owners[row.indication]}, not of {row.product}; allowed: that product's indications",
        )
        for index, row in zip(foreign.index, foreign.itertuples(index=False), strict=True)
    )
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
    return location.by_cause(
        (
            index,
            f": status {quoted(as_written(row.status))} with status_as_of"
            f" {quoted(as_written(row.status_as_of))}; give both (a status and the date it was"
            " reported) or neither",
        )
        for index, row in zip(lone.index, lone.itertuples(index=False), strict=True)
    )


def _events_without_product(events: pd.DataFrame, location: TableLocation) -> list[str]:
    """Every event names its product but a loss of exclusivity, which may be market-wide."""
    bare = events[events["product"].isna() & (events["event_type"] != LOSS_OF_EXCLUSIVITY)]
    return location.by_cause(
        (
            index,
            f", column product: empty for a {quoted(row.event_type)} event; allowed: a product"
            f" of products.csv, or empty for a {quoted(LOSS_OF_EXCLUSIVITY)} only",
        )
        for index, row in zip(bare.index, bare.itertuples(index=False), strict=True)
    )


def _labels_of_other_products(
    trade_names: pd.DataFrame, indications: pd.DataFrame, location: TableLocation
) -> list[str]:
    """A trade name's indication (its label) must be an indication of the same product."""
    owners = indications.set_index("indication")["product"]
    labelled = trade_names[trade_names["indication"].notna()]
    owner = labelled["indication"].map(owners)
    wrong = labelled[owner.notna() & (owner != labelled["product"])]
    return location.by_cause(
        (
            index,
            f", column indication: {quoted(row.indication)} is an indication of"
            f" {owners[row.indication]}, not of {row.product}; allowed: an indication of"
            f" {row.product}, or empty for every label",
        )
        for index, row in zip(wrong.index, wrong.itertuples(index=False), strict=True)
    )


def _with_union_approvals(events: pd.DataFrame, markets: pd.DataFrame | None) -> pd.DataFrame:
    """Events plus a copy of each union's event for every market the union covers."""
    if markets is None or Markets.covered_by not in markets:
        return events
    unions = covering_unions(markets)
    members = pd.DataFrame({"_member": unions.index, RegulatoryEvents.market: unions.to_numpy()})
    copies = events.merge(members, on=RegulatoryEvents.market)
    copies[RegulatoryEvents.market] = copies.pop("_member")
    return pd.concat([events, copies], ignore_index=True)


def _sales_before_approval(
    sales: pd.DataFrame, events: pd.DataFrame, rejected: pd.DataFrame, location: TableLocation
) -> list[str]:
    """Sales may only exist in a market from the quarter of the product's approval there (or
    of its union's approval, when a union covers the market).

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
    first_sold = early.groupby(["product", "market"])["quarter"].transform("min")
    return location.by_cause(
        (
            index,
            f": {row.product} has sales in {row.market} from {first}"
            f" but {_approval_status(row.approved)}; sales need an approval event in that market"
            " first",
        )
        for index, row, first in zip(
            early.index, early.itertuples(index=False), first_sold, strict=True
        )
    )


def _approval_status(approved: pd.Period | None) -> str:
    return f"was approved there in {approved}" if pd.notna(approved) else "has no approval there"
