"""Checks that the company's own categories and markets are consistent, instead of a fixed list.

Therapy areas, disease areas, modalities, lines of therapy and regions are whatever the tables
name; a name must be readable (not blank, at most NAME_MAX_LENGTH characters, no control
characters), a disease area belongs to one therapy area, a union covers markets that are not
unions themselves, no two products share a display name, and the company table holds one row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from portfolio_reports.data.schema import NAME_MAX_LENGTH, Indications, Markets, Products
from portfolio_reports.text import quoted

if TYPE_CHECKING:
    from portfolio_reports.data.raw import TableLocation

CATEGORY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("products", "therapy_area"),
    ("products", "modality"),
    ("products", "display_name"),
    ("indications", "therapy_area"),
    ("indications", "disease_area"),
    ("indications", "line_of_therapy"),
    ("markets", "region"),
    ("company", "rest_of_world_label"),
)
"""(table, column) of the names the company chooses."""
_CONTROL = r"[\x00-\x1f\x7f]"


def covering_unions(markets: pd.DataFrame) -> pd.Series:
    """The union covering each member market (covered_by), indexed by member; unions not listed."""
    if Markets.covered_by not in markets:
        return pd.Series(dtype=object)
    members = markets[markets[Markets.covered_by].notna()]
    return members.set_index(Markets.market)[Markets.covered_by]


def category_problems(
    tables: dict[str, pd.DataFrame], locations: dict[str, TableLocation]
) -> list[tuple[str, str]]:
    """One (table, line) per unreadable name, split disease area, nested union or display name
    two products share, and one when the company table has not one row (an empty project is
    told what to fill elsewhere)."""
    problems: list[tuple[str, str]] = []
    company = tables.get("company")
    filled = any(len(frame) for name, frame in tables.items() if name != "company")
    if company is not None and len(company) != 1 and (filled or len(company) > 1):
        problems.append(
            (
                "company",
                f"{locations['company'].label}: {len(company)} rows; the company table holds"
                " exactly one row (name, currency, unit, home_market, fiscal_year_start_month)",
            )
        )
    for table, column in CATEGORY_COLUMNS:
        if table in tables:
            problems += [
                (table, line)
                for line in _unreadable(tables[table][column], column, locations[table])
            ]
    if "indications" in tables:
        problems += [
            ("indications", line)
            for line in _split_disease_areas(tables["indications"], locations["indications"])
        ]
    if "markets" in tables:
        problems += [
            ("markets", line) for line in _nested_unions(tables["markets"], locations["markets"])
        ]
    if "products" in tables:
        problems += [
            ("products", line)
            for line in _shared_display_names(tables["products"], locations["products"])
        ]
    return problems


def _unreadable(values: pd.Series, column: str, location: TableLocation) -> list[str]:
    """Names that are blank, too long or hold control characters, one line per name."""
    text = values.dropna().astype(str)
    bad = text[
        (text.str.strip() == "")
        | (text.str.len() > NAME_MAX_LENGTH)
        | text.str.contains(_CONTROL, regex=True)
    ]
    return [
        f"{location.rows(rows.index)}, column {column}: name {quoted(name)} not allowed; a name is"
        f" 1 to {NAME_MAX_LENGTH} characters without control characters"
        for name, rows in bad.groupby(bad, sort=True)
    ]


def _split_disease_areas(indications: pd.DataFrame, location: TableLocation) -> list[str]:
    """Disease areas named under more than one therapy area, one line each."""
    pairs = indications[[Indications.disease_area, Indications.therapy_area]]
    areas = pairs.groupby(Indications.disease_area)[Indications.therapy_area].unique()
    problems = []
    for disease_area, therapy_areas in areas[areas.map(len) > 1].items():
        rows = pairs.index[pairs[Indications.disease_area] == disease_area]
        named = ", ".join(quoted(area) for area in sorted(therapy_areas))
        problems.append(
            f"{location.rows(rows)}, column therapy_area: disease area {quoted(disease_area)} is in"
            f" therapy areas {named}; a disease area belongs to one therapy area"
        )
    return problems


def _nested_unions(markets: pd.DataFrame, location: TableLocation) -> list[str]:
    """A market covered by itself, or by a union that is itself covered, one line each."""
    unions = covering_unions(markets)
    wrong = unions[(unions == unions.index) | unions.isin(unions.index)]
    rows = markets.reset_index().set_index(Markets.market)["index"]
    return [
        f"{location.row(rows[member])}, column covered_by: {member} covered by {quoted(union)}; a"
        " union covers other markets and is not covered itself"
        for member, union in wrong.items()
    ]


def _shared_display_names(products: pd.DataFrame, location: TableLocation) -> list[str]:
    """A display name given to more than one product, one line each."""
    if Products.display_name not in products:
        return []
    names = products[Products.display_name].dropna()
    shared = names[names.duplicated(keep=False)]
    return [
        f"{location.rows(rows.index)}, column display_name: {quoted(name)} names products"
        f" {', '.join(products.loc[rows.index, Products.product])}; each product needs a name"
        " of its own"
        for name, rows in shared.groupby(shared, sort=True)
    ]
