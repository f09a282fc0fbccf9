"""Report column headers and number formats by column name, and a frame shown under them."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.data.company import Money
from portfolio_reports.presentation.tables import Table, html_table

MONEY_LABEL = "money"
"""Where a money column's header names the currency and unit (`Money.label`)."""

HEADERS = {
    "quarter": "Quarter",
    "product": "Product",
    "asset": "Product",
    "target": "Target",
    "modality": "Modality",
    "indication_name": "Indication",
    "line_of_therapy": "Line",
    "therapy_area": "Therapy area",
    "disease_area": "Disease area",
    "scope": "Scope",
    "phase": "Phase",
    "since": "Since",
    "from_phase": "From",
    "to_phase": "To",
    "change": "Change",
    "date": "Date",
    "expected": "Expected",
    "event_type": "Event",
    "trade_name": "Brand",
    "market": "Market",
    "market_agency": "Market",
    "agency": "Agency",
    "region": "Region",
    "geography": "Geography",
    "count": "Count",
    "value": "Value",
    "definition": "Definition",
    "detail": "Detail",
    "source": "Source",
    "trial": "Trial",
    "endpoint": "Endpoint",
    "population": "Population",
    "arm": "Arm",
    "arms": "Arms",
    "run_in": "Run in",
    "term": "Term",
    "result": "Result",
    "hazard_ratio": "HR",
    "revenue_m": "Product sales ({money})",
    "revenue_type": "Revenue type",
    "counterparty": "From",
    "label": "Name",
    "programmes": "Programmes",
    "amount_m": "Amount ({money})",
    "basis": "What for",
    "this_quarter_m": "This quarter ({money})",
    "year_to_date_m": "Year to date ({money})",
    "year_to_date_yoy": "Year to date YoY",
    "fiscal_year_to_date_m": "Fiscal year to date ({money})",
    "fiscal_year_to_date_yoy": "Fiscal year to date YoY",
    "previous_quarter_m": "Previous quarter ({money})",
    "year_ago_m": "Year ago ({money})",
    "change_m": "Change ({money})",
    "qoq": "QoQ",
    "yoy": "YoY",
    "mix": "Mix",
    "approvals": "Approvals",
    "markets": "Markets",
    "approved_in": "Approved in",
    "filings": "Filings accepted",
    "direction": "Direction",
    "cause": "Cause",
    "kind": "Kind",
    "programme_type": "Programme",
    "coverage": "Scope",
    "status": "Status",
    "local": "Run in one market",
    "global": "Global",
    "this_quarter": "This quarter",
    "previous_quarter": "Previous quarter",
    "inn": "INN",
    "brand": "Brand",
    "partner": "Partner",
    "next_milestone": "Next milestone",
    "launch_quarter": "Launch quarter",
    "quarters_since_launch": "Quarter since launch",
    "bridge": "Bridge",
    "step": "Step",
}
FORMATS = {
    "date": "date",
    "since": "date",
    "expected": "date",
    "phase": "label",
    "from_phase": "label",
    "to_phase": "label",
    "source": "url",
    "hazard_ratio": "ratio",
    "revenue_m": "money",
    "this_quarter_m": "money",
    "amount_m": "money",
    "year_to_date_m": "money",
    "year_to_date_yoy": "signed_percent",
    "fiscal_year_to_date_m": "money",
    "fiscal_year_to_date_yoy": "signed_percent",
    "previous_quarter_m": "money",
    "year_ago_m": "money",
    "change_m": "money",
    "qoq": "signed_percent",
    "yoy": "signed_percent",
    "mix": "percent",
    "approvals": "int",
    "markets": "int",
    "filings": "int",
    "local": "int",
    "global": "int",
    "value": "int",
    "this_quarter": "int",
    "previous_quarter": "int",
}


def column_table(
    frame: pd.DataFrame,
    columns: list[str],
    *,
    caption: str | None = None,
    empty: str | None = None,
    money: Money | None = None,
    stack: bool | None = None,
) -> Table:
    """The columns of a frame under their report headers (money ones in `money`) and formats;
    `stack` as `html_table` takes it."""
    present = [column for column in columns if column in frame.columns]
    return html_table(
        frame,
        columns={column: str(_header(column, money)) for column in present},
        formats={column: FORMATS[column] for column in present if column in FORMATS},
        caption=caption,
        stack=stack,
        **({"empty": empty} if empty else {}),
    )


def readable(
    frame: pd.DataFrame, columns: list[str] | None = None, money: Money | None = None
) -> pd.DataFrame:
    """Those of `columns` the frame has (default all; a named index first) under report headers
    (money ones in `money`), values raw."""
    named = any(name is not None for name in frame.index.names)
    shown = frame.reset_index() if named else frame
    present = [column for column in columns or shown.columns if column in shown.columns]
    headers = {column: _header(column, money) for column in present}
    return shown[present].rename(columns=headers).reset_index(drop=True)


def _header(column: object, money: Money | None) -> object:
    """A column's report header; a column without one (a market, an area) keeps its name."""
    if not isinstance(column, str) or column not in HEADERS:
        return column
    header = HEADERS[column]
    if "{" + MONEY_LABEL + "}" not in header:
        return header
    if money is None:
        raise ValueError(f"column {column} holds money: give the company's Money to name it")
    return header.format(**{MONEY_LABEL: money.label})
