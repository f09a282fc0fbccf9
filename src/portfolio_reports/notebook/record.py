"""The regulatory and clinical record: the quarter's events and readouts, filings, approvals."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.analysis import metrics, views
from portfolio_reports.analysis.dated_status import known_status
from portfolio_reports.analysis.setbacks import MARKET_WIDE
from portfolio_reports.analysis.trials import result_summaries
from portfolio_reports.data.schema import GLOBAL_SCOPE
from portfolio_reports.notebook.frames import frame_columns
from portfolio_reports.notebook.page import NOTHING, PageArea, dated_column
from portfolio_reports.presentation import narrative
from portfolio_reports.presentation.columns import column_table
from portfolio_reports.presentation.formatting import date_text
from portfolio_reports.presentation.tables import Html, Table, defined, folded
from portfolio_reports.text import counted

NEWS_FOLD_ROWS = 2
"""A table of the quarter's events or results of more rows than this starts folded: the
highlights above give them."""
GLOBAL_TRIAL = "Global trial"
"""What the trial market column shows for a trial run in more than one market."""
EVENT_COLUMNS = [
    "date",
    "event_type",
    "asset",
    "trade_name",
    "market_agency",
    "indication_name",
    "detail",
    "source",
]


def detail_with_status(detail: object, status: object, as_of: pd.Timestamp) -> str:
    """An event's detail, then its status and the month it was reported, e.g.
    "BLA; under review as of Dec 2025"; blank parts left out."""
    stated = "" if pd.isna(status) else f"{status} as of {date_text(as_of, 'month')}"
    return "; ".join(part for part in ("" if pd.isna(detail) else str(detail), stated) if part)


def market_agency(markets: pd.Series, frame: pd.DataFrame) -> pd.Series:
    """Each market with the agency where one is named, e.g. "United States · FDA"."""
    agency = frame["agency"]
    return markets.where(agency.isna(), markets + " · " + agency)


RESULT_COLUMNS = ("Date", "Trial", "Indication", "Population", "Arms", "Result", "Run in", "Source")
"""The columns of a table of clinical results, this quarter's or to date."""


class RecordSections(PageArea):
    """Regulatory events, filings, approvals and clinical results of the scope, to date."""

    @frame_columns("Date", "Event", "Product", "Brand", "Market", "Indication", "Detail", "Source")
    def quarter_events(self) -> Html:
        """Regulatory events and deals of the quarter, a long list folded (the highlights name
        them); nothing when there were none."""
        frame = metrics.events_in_quarter(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        summary = f"Table: {counted(len(frame), 'event', 'events')} in {self.quarter.label}"
        return self.page.fold(self._events_table(frame), len(frame), summary, most=NEWS_FOLD_ROWS)

    @frame_columns(*RESULT_COLUMNS)
    def readouts(self) -> Html:
        """Clinical results reported this quarter, one row per trial, endpoint and population, a
        long list folded behind the count of those rows; nothing when there were none."""
        frame = metrics.readouts_in_quarter(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        table = self._clinical_table(frame)
        results = counted(len(table.frame), "result", "results")
        summary = f"Table: {results} reported in {self.quarter.label}"
        return self.page.fold(table, len(table.frame), summary, most=NEWS_FOLD_ROWS)

    @frame_columns("Date", "Event", "Product", "Brand", "Market", "Indication", "Detail", "Source")
    def filings_under_review(self) -> Html:
        """Filings accepted and not yet decided at quarter end, oldest first; a long list folded
        behind its count."""
        frame = metrics.filings_under_review(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        table = self._events_table(frame)
        summary = f"Table: {counted(len(frame), 'filing', 'filings')} under review at the end of"
        return self.page.fold(table, len(frame), f"{summary} {self.quarter.label}")

    @frame_columns("Product", "Region", "Markets", "Approved in")
    def approvals_by_region(self) -> Html:
        """Which markets each product is approved in at quarter end, region by region, with
        what the count means; nothing when no product is, or in one market alone (the key
        figures count its products)."""
        frame = metrics.approvals_by_region(self.dataset, self.scope, self.quarter)
        codes = pd.Series(sorted({code for codes in frame["approved_in"] for code in codes}))
        if len(codes) < 2:
            return NOTHING
        names = dict(zip(codes, self.page.market_names(codes), strict=True))
        shown = frame.assign(
            asset=self.page.products(metrics.with_inn(frame, self.dataset)),
            approved_in=[", ".join(names[code] for code in row) for row in frame["approved_in"]],
        )
        meaning = (
            f"Markets: how many of the region's markets the product's approval is in force in"
            f" (not withdrawn) at the end of {self.quarter.label}; a market a union covers counts"
            " as the union."
        )
        columns = ["asset", "region", "markets", "approved_in"]
        return defined(column_table(shown, columns, stack=True), meaning)  # long lists of names

    @frame_columns("Market", "Agency", "Approvals", "Filings accepted")
    def approvals_by_market(self) -> Table:
        """Approvals and accepted filings to date per market and agency."""
        frame = metrics.approvals_and_filings(self.dataset, self.scope, self.quarter)
        shown = frame.assign(market=self.page.market_names(frame["market"]))
        return column_table(shown, ["market", "agency", "approvals", "filings"])

    @frame_columns("Date", "Event", "Product", "Brand", "Market", "Indication", "Detail", "Source")
    def events_to_date(self, kind: str) -> Table:
        """Setbacks, approvals, filings, designations or licence deals to date, newest first."""
        frame = metrics.events_to_date(self.dataset, self.scope, self.quarter, kind)
        return self._events_table(frame, f"No {kind} to date.")

    @frame_columns("Market", "Agency", "Approvals", "Filings accepted")
    def appendix(self) -> Html:
        """The full record to date, each part folded: approvals and filings by market, setbacks,
        approvals, filings and designations, licence deals and clinical results.

        Its frame is the main part's, approvals and filings by market; each part's own is that
        section's (`approvals_by_market`, `events_to_date`, `clinical_results`).
        """
        parts = {
            "Approvals and filings by market": self.approvals_by_market(),
            **{
                f"{kind.capitalize()} to date": self.events_to_date(kind)
                for kind in ("setbacks", "approvals", "filings and designations", "licence deals")
            },
            "Clinical results to date": self.clinical_results(),
        }
        sections = "".join(folded(table, title).html for title, table in parts.items())
        main = parts["Approvals and filings by market"].frame
        return Html(f'<div class="appendix">{sections}</div>', main)

    @frame_columns(*RESULT_COLUMNS)
    def clinical_results(self) -> Table:
        """Every clinical result relevant to the slice, newest first."""
        frame = metrics.clinical_results_to_date(self.dataset, self.scope, self.quarter)
        return self._clinical_table(frame, "No clinical results in this scope.")

    def _events_table(self, frame: pd.DataFrame, empty: str | None = None) -> Table:
        """Regulatory events with their date, product, market and agency, and source.

        The detail ends with the event's status as of the date it was reported, when that date
        is not after the quarter's end.
        """
        status = known_status(frame, self.quarter)
        details = [
            detail_with_status(detail, state, as_of)
            for detail, state, as_of in zip(
                views.territory_names(self.dataset, frame["detail"]),
                status,
                frame["status_as_of"],
                strict=True,
            )
        ]
        shown = frame.assign(
            date=dated_column(frame, "date"),
            asset=self.page.products(frame).fillna(MARKET_WIDE),
            market_agency=market_agency(self.page.market_names(frame["market"]), frame),
            detail=pd.Series(details, index=frame.index, dtype=object),
        )
        return column_table(shown, EVENT_COLUMNS, empty=empty)

    def _clinical_table(self, frame: pd.DataFrame, empty: str | None = None) -> Table:
        """Clinical results, one line per trial, endpoint and population: arms, result, n."""
        results = result_summaries(frame).merge(
            frame[["trial", "indication_name"]].drop_duplicates("trial"), on="trial", how="left"
        )
        shown = results.assign(
            date=dated_column(results, "date"),
            trial=results["trial"] + " (" + results["phase"] + ")",
            result=narrative.result_lines(results),
            run_in=self.page.market_names(results["market"].replace(GLOBAL_SCOPE, GLOBAL_TRIAL)),
        )
        return column_table(
            shown,
            [
                "date",
                "trial",
                "indication_name",
                "population",
                "arms",
                "result",
                "run_in",
                "source",
            ],
            empty=empty,
        )
