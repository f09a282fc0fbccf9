"""One pandera model per data table, with the vocabularies that carry meaning (phases, events)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from portfolio_reports.data.quarters import QUARTER_PATTERN, YEAR_PATTERN

ORIGINS = ("In-house", "In-licensed", "Partner-owned")
DEVELOPMENT_PHASES = (
    "Preclinical",
    "Phase 1",
    "Phase 1/2",
    "Phase 2",
    "Phase 2/3",
    "Phase 3",
    "Filed",
)
PHASES = (*DEVELOPMENT_PHASES, "Approved", "Launched", "Discontinued")
TRIAL_PHASES = ("Phase 1", "Phase 1/2", "Phase 2", "Phase 2/3", "Phase 3", "Bridging", "Real-world")
LOSS_OF_EXCLUSIVITY = "loss of exclusivity"
"""The one event type that may name no product: a generic or biosimilar entry in a market."""
EVENT_TYPES = (
    "IND cleared",
    "first patient dosed",
    "topline data",
    "data presented",
    "filing accepted",
    "priority review",
    "breakthrough designation",
    "orphan designation",
    "CHMP opinion",
    "approval",
    "launch",
    "reimbursement listed",
    "licence deal",
    "complete response letter",
    "negative opinion",
    "refusal",
    "withdrawal",
    LOSS_OF_EXCLUSIVITY,
    "resubmission",
)
DATE_PRECISIONS = ("day", "month", "quarter")
"""How precisely a date is known; a month is stored as its 15th, a quarter as its middle month's."""
REVENUE_TYPES = ("licence income", "service income", "other income")
"""Kinds of revenue other than product sales (other_revenue.csv)."""
GLOBAL_SCOPE = "Global"
REVENUE_MAX = 100_000
"""Largest revenue one sales row may hold, in the company's currency and unit: a larger one is
a unit error."""
REVENUE_COLUMN = "revenue_m"
"""The amount column of sales and other revenue."""
OLD_REVENUE_COLUMN = "revenue_rmb_m"
"""The amount column's former name, which a table still using it is told to rename."""
NAME_MAX_LENGTH = 80
"""Longest name a category (therapy area, disease area, modality, line, region) may have."""
CURRENCY_PATTERN = r"^[A-Z]{3}$"
COLOUR_PATTERN = r"^#[0-9a-fA-F]{6}$"
UNIT_WORDS = {"k": "thousand", "m": "million", "bn": "billion"}
"""Units an amount may be given in, and the word a sentence uses for each."""
CODE_PATTERN = r"^[A-Z][A-Z0-9-]{1,15}$"
MARKET_PATTERN = r"^[A-Z]{2}$"
URL_PATTERN = r"^https?://\S+$"
EXPECTED_PATTERN = rf"^{YEAR_PATTERN}(Q[1-4]|-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]))$"


class _Table(pa.DataFrameModel):
    """Shared settings: no extra columns, values coerced to the declared types."""

    class Config:
        strict = True
        coerce = True


class Company(_Table):
    """The company the data describes, in one row (company.csv)."""

    name: Series[str] = pa.Field(description="the company's name, as every page is headed")
    currency: Series[str] = pa.Field(
        str_matches=CURRENCY_PATTERN, description="ISO 4217 code of the amounts, e.g. USD"
    )
    unit: Series[str] = pa.Field(
        isin=tuple(UNIT_WORDS), description="k, m or bn: amounts in thousands, millions, billions"
    )
    home_market: Series[str] = pa.Field(
        nullable=True, description="markets.market sales are split against; empty: no split"
    )
    fiscal_year_start_month: Series[int] = pa.Field(
        isin=(1, 4, 7, 10), description="1, 4, 7 or 10: the month the fiscal year starts"
    )
    rest_of_world_label: Series[str] = pa.Field(
        nullable=True,
        description="optional: what pages call the markets other than the home market, as in"
        " a sentence (e.g. international); empty: rest of world",
    )


class Markets(_Table):
    """Markets reported on (markets.csv)."""

    market: Series[str] = pa.Field(unique=True, str_matches=MARKET_PATTERN, description="code")
    name: Series[str] = pa.Field(unique=True, description="market name")
    region: Series[str] = pa.Field(description="reporting region")
    regulator: Series[str] = pa.Field(description="medicines regulator")
    covered_by: Series[str] = pa.Field(
        nullable=True,
        description="markets.market of a union whose approvals cover this market (EU); optional",
    )


class Products(_Table):
    """Products and pipeline assets (products.csv)."""

    product: Series[str] = pa.Field(unique=True, str_matches=CODE_PATTERN, description="code")
    inn: Series[str] = pa.Field(description="international non-proprietary name")
    modality: Series[str]
    target: Series[str]
    therapy_area: Series[str] = pa.Field(description="primary therapy area")
    origin: Series[str] = pa.Field(isin=ORIGINS)
    partner: Series[str] = pa.Field(nullable=True, description="partners and their territories")
    reference_product: Series[str] = pa.Field(nullable=True, description="biosimilar reference")
    display_name: Series[str] = pa.Field(
        nullable=True,
        description="the name every page gives the product, over the brand it would pick; optional",
    )


class TradeNames(_Table):
    """Brand names by product, market and label (trade_names.csv)."""

    product: Series[str] = pa.Field(description="products.product")
    market: Series[str] = pa.Field(description="markets.market")
    indication: Series[str] = pa.Field(
        nullable=True,
        description="indications.indication of the label; empty: every label in the market",
    )
    trade_name: Series[str]

    class Config:
        unique = ["product", "market", "indication"]


class Indications(_Table):
    """Indications a product is developed or approved for (indications.csv)."""

    indication: Series[str] = pa.Field(unique=True, str_matches=CODE_PATTERN, description="code")
    product: Series[str] = pa.Field(description="products.product")
    name: Series[str] = pa.Field(description="indication as a reader knows it")
    disease_area: Series[str]
    therapy_area: Series[str]
    line_of_therapy: Series[str] = pa.Field(nullable=True)


class Pipeline(_Table):
    """Phase history: one row each time an indication reaches a phase in a scope (pipeline.csv)."""

    indication: Series[str] = pa.Field(description="indications.indication")
    scope: Series[str] = pa.Field(description="markets.market, or Global")
    phase: Series[str] = pa.Field(isin=PHASES)
    since: Series[pd.Timestamp] = pa.Field(description="date the phase was reached")
    estimated: Series[bool] = pa.Field(description="true where the fact is an estimate")

    class Config:
        unique = ["indication", "scope", "phase"]


class RegulatoryEvents(_Table):
    """Regulatory and business events (regulatory_events.csv)."""

    product: Series[str] = pa.Field(
        nullable=True,
        description="products.product; empty only for a loss of exclusivity of a whole market",
    )
    indication: Series[str] = pa.Field(nullable=True, description="indications.indication")
    market: Series[str] = pa.Field(description="markets.market")
    agency: Series[str] = pa.Field(nullable=True)
    event_type: Series[str] = pa.Field(isin=EVENT_TYPES)
    date: Series[pd.Timestamp]
    date_precision: Series[str] = pa.Field(
        isin=DATE_PRECISIONS, description="day, month or quarter"
    )
    detail: Series[str] = pa.Field(nullable=True)
    estimated: Series[bool] = pa.Field(description="true where the fact is an estimate")
    inferred: Series[bool] = pa.Field(
        description="true where the event's market or date is inferred, not reported"
    )
    status: Series[str] = pa.Field(nullable=True, description="e.g. under review")
    status_as_of: Series[pd.Timestamp] = pa.Field(
        nullable=True, description="date the status was reported; required with a status"
    )
    source: Series[str] = pa.Field(nullable=True, str_matches=URL_PATTERN)

    class Config:
        unique = ["product", "indication", "market", "event_type", "date"]


class ClinicalResults(_Table):
    """Trial results, one row per trial, endpoint, population and arm (clinical_results.csv)."""

    trial: Series[str]
    product: Series[str] = pa.Field(description="products.product")
    indication: Series[str] = pa.Field(description="indications.indication")
    phase: Series[str] = pa.Field(isin=TRIAL_PHASES)
    market: Series[str] = pa.Field(
        description="markets.market where the trial ran, or Global for more than one market"
    )
    endpoint: Series[str]
    population: Series[str]
    sample_size: Series[pd.Int64Dtype] = pa.Field(
        nullable=True, ge=1, description="patients in the population, all arms together"
    )
    arm: Series[str]
    value: Series[float] = pa.Field(nullable=True)
    unit: Series[str] = pa.Field(nullable=True)
    hazard_ratio: Series[float] = pa.Field(nullable=True, gt=0, le=5)
    note: Series[str] = pa.Field(nullable=True, description="a result that is not a number")
    date: Series[pd.Timestamp] = pa.Field(description="date the result was reported")
    date_precision: Series[str] = pa.Field(
        isin=DATE_PRECISIONS, description="day, month or quarter"
    )
    source: Series[str] = pa.Field(str_matches=URL_PATTERN)

    class Config:
        unique = ["trial", "endpoint", "population", "arm", "date"]


class Sales(_Table):
    """Revenue by quarter, product and market (sales.csv)."""

    quarter: Series[str] = pa.Field(str_matches=QUARTER_PATTERN)
    product: Series[str] = pa.Field(description="products.product")
    market: Series[str] = pa.Field(description="markets.market")
    revenue_m: Series[float] = pa.Field(
        ge=0, le=REVENUE_MAX, description="in the company's currency and unit"
    )
    synthetic: Series[bool] = pa.Field(description="true where the figure is generated")

    class Config:
        unique = ["quarter", "product", "market"]


class Catalysts(_Table):
    """Expected events of the coming quarters (catalysts.csv; optional)."""

    product: Series[str] = pa.Field(description="products.product")
    indication: Series[str] = pa.Field(nullable=True, description="indications.indication")
    market: Series[str] = pa.Field(description="markets.market")
    event_type: Series[str] = pa.Field(isin=EVENT_TYPES)
    expected: Series[str] = pa.Field(
        str_matches=EXPECTED_PATTERN, description="a quarter (2027Q1) or a date (YYYY-MM-DD)"
    )
    detail: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(nullable=True, str_matches=URL_PATTERN)

    class Config:
        unique = ["product", "indication", "market", "event_type", "expected"]


class RevenueAllocation(_Table):
    """Shares of a product's sales attributed to its indications (revenue_allocation.csv; optional).

    A row with a market applies there; rows without one apply in the product's other markets.
    The shares of one product in one market (or in all) add up to at most 1; the rest of its
    sales stays unallocated.
    """

    product: Series[str] = pa.Field(description="products.product")
    indication: Series[str] = pa.Field(description="indications.indication of the product")
    market: Series[str] = pa.Field(nullable=True, description="markets.market; empty: all")
    share: Series[float] = pa.Field(ge=0, le=1, description="fraction of the product's sales")
    estimated: Series[bool] = pa.Field(description="true where the share is an estimate")
    basis: Series[str] = pa.Field(description="how the share was set, or its source")

    class Config:
        unique = ["product", "indication", "market"]


class OtherRevenue(_Table):
    """Revenue other than product sales, by quarter and type (other_revenue.csv; optional)."""

    quarter: Series[str] = pa.Field(str_matches=QUARTER_PATTERN)
    revenue_type: Series[str] = pa.Field(isin=REVENUE_TYPES)
    counterparty: Series[str] = pa.Field(nullable=True, description="partner that paid, if one")
    product: Series[str] = pa.Field(nullable=True, description="products.product, if one")
    market: Series[str] = pa.Field(nullable=True, description="markets.market, if one")
    revenue_m: Series[float] = pa.Field(
        ge=0, le=REVENUE_MAX, description="in the company's currency and unit"
    )
    synthetic: Series[bool] = pa.Field(description="true where the figure is generated")
    basis: Series[str] = pa.Field(description="what the figure stands for, or its source")

    class Config:
        unique = ["quarter", "revenue_type", "counterparty", "product", "market"]


class Colours(_Table):
    """Chart colours the company fixes for some names (colours.csv; optional)."""

    name: Series[str] = pa.Field(unique=True, description="a product, area, region or market")
    colour: Series[str] = pa.Field(str_matches=COLOUR_PATTERN, description="#rrggbb")


TABLE_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "company": Company,
    "markets": Markets,
    "products": Products,
    "trade_names": TradeNames,
    "indications": Indications,
    "pipeline": Pipeline,
    "regulatory_events": RegulatoryEvents,
    "clinical_results": ClinicalResults,
    "sales": Sales,
    "catalysts": Catalysts,
    "revenue_allocation": RevenueAllocation,
    "other_revenue": OtherRevenue,
    "colours": Colours,
}
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    "markets": ("covered_by",),
    "products": ("display_name",),
    "company": ("rest_of_world_label",),
}
"""Columns a table may leave out; an absent one loads empty."""
OPTIONAL_TABLES = frozenset({"catalysts", "revenue_allocation", "other_revenue", "colours"})
"""Tables a data source may leave out; an absent one loads as an empty table."""

FOREIGN_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("company", "home_market", "markets", "market"),
    ("markets", "covered_by", "markets", "market"),
    ("trade_names", "product", "products", "product"),
    ("trade_names", "market", "markets", "market"),
    ("trade_names", "indication", "indications", "indication"),
    ("indications", "product", "products", "product"),
    ("pipeline", "indication", "indications", "indication"),
    ("regulatory_events", "product", "products", "product"),
    ("regulatory_events", "indication", "indications", "indication"),
    ("regulatory_events", "market", "markets", "market"),
    ("clinical_results", "product", "products", "product"),
    ("clinical_results", "indication", "indications", "indication"),
    ("sales", "product", "products", "product"),
    ("sales", "market", "markets", "market"),
    ("catalysts", "product", "products", "product"),
    ("catalysts", "indication", "indications", "indication"),
    ("catalysts", "market", "markets", "market"),
    ("revenue_allocation", "product", "products", "product"),
    ("revenue_allocation", "indication", "indications", "indication"),
    ("revenue_allocation", "market", "markets", "market"),
    ("other_revenue", "product", "products", "product"),
    ("other_revenue", "market", "markets", "market"),
)
"""(table, column, referenced table, referenced column); pipeline.scope and clinical_results.market
are checked apart (they may also be Global)."""

CHANNELS = ("Hospital", "Retail pharmacy", "DTP pharmacy", "Tender")
SALES_DETAIL_TABLE = "sales_detail"
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class SalesDetail(_Table):
    """Monthly revenue by product, market, channel and account (sales_detail.parquet or .csv).

    An alternative to sales.csv for large extracts: it is validated, then summed to quarters.
    """

    month: Series[str] = pa.Field(str_matches=MONTH_PATTERN, description="YYYY-MM")
    product: Series[str] = pa.Field(description="products.product")
    market: Series[str] = pa.Field(description="markets.market")
    channel: Series[str] = pa.Field(isin=CHANNELS)
    account: Series[int] = pa.Field(ge=0, description="anonymised account number")
    revenue_m: Series[float] = pa.Field(
        ge=0, le=REVENUE_MAX, description="in the company's currency and unit"
    )
    synthetic: Series[bool] = pa.Field(description="true where the figure is generated")


def empty_table(name: str) -> pd.DataFrame:
    """A table with its model's columns and types and no rows (an optional table left out)."""
    model = TABLE_MODELS[name]
    return model.validate(pd.DataFrame(columns=list(model.to_schema().columns)))
