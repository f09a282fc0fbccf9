"""Income by type: revenue by type for the whole portfolio, and other income a slice names."""

from __future__ import annotations

from portfolio_reports.analysis import commercial, views
from portfolio_reports.analysis.revenue import (
    DEFINITIONS,
    NOT_ATTRIBUTABLE,
    OTHER_INCOME,
    REVENUE,
    REVENUE_TYPE,
    revenue_by_type_rows,
    year_to_date_definition,
    year_to_date_name,
)
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.errors import ParamsError
from portfolio_reports.notebook.frames import frame_columns
from portfolio_reports.notebook.page import NOTHING, PageArea
from portfolio_reports.presentation.columns import column_table
from portfolio_reports.presentation.tables import Html, Table, defined


class IncomeSections(PageArea):
    """Total revenue by type, and licence, service and other income apart from product sales."""

    @frame_columns(
        "Revenue type",
        "This quarter ({money})",
        "QoQ",
        "YoY",
        "Year to date ({money})",
        "Year to date YoY",
    )
    def revenue_by_type(self) -> Table:
        """Total revenue by type this quarter and year to date, with growth (whole portfolio)."""
        if self.scope != Scope():
            raise ParamsError([f"{self.page.label}: {NOT_ATTRIBUTABLE}"])
        frame = commercial.revenue_by_type(self.dataset, self.quarter)
        quarter = self.quarter
        start = self.dataset.profile.fiscal_year_start_month
        to_date = "year_to_date" if start == 1 else "fiscal_year_to_date"
        shown = frame.assign(
            revenue_type=frame[REVENUE_TYPE].str.capitalize(),
            this_quarter_m=frame[REVENUE],
        ).rename(columns=lambda column: column.replace("year_to_date", to_date))
        table = column_table(
            shown,
            ["revenue_type", "this_quarter_m", "qoq", "yoy", f"{to_date}_m", f"{to_date}_yoy"],
            caption=f"Revenue by type, {quarter.label} and {year_to_date_name(start).lower()}"
            f" ({quarter.year_to_date_label(start)})",
            money=self.page.money,
        )
        sentences = [DEFINITIONS[REVENUE_TYPE], year_to_date_definition(start)]
        if revenue_by_type_rows(self.dataset)["synthetic"].any() and not self.page.synthetic:
            sentences.append("Synthetic figures.")  # the page's notice covers only sales
        return defined(table, " ".join(sentences))

    @frame_columns(
        "Quarter", "Revenue type", "From", "Product", "Market", "Amount ({money})", "What for"
    )
    def other_income(self) -> Html:
        """Licence, service and other income naming the page's market or products in the year to
        date, apart from product sales, with who paid it; nothing on the whole portfolio (its
        revenue by type counts it) or without any."""
        frame = self.page.other_income
        if frame.empty:
            return NOTHING
        names = views.display_names(*self.page.slice)
        shown = frame.assign(
            revenue_type=frame[REVENUE_TYPE].str.capitalize(),
            product=frame["product"].map(names).fillna(""),
            market=self.page.market_names(frame["market"]).fillna(""),
            counterparty=frame["counterparty"].fillna(""),
            amount_m=frame[REVENUE],
        )
        columns = ["quarter", "revenue_type", "counterparty", "product", "market", "amount_m"]
        table = column_table(
            shown,
            [*columns, "basis"],
            caption="Income other than product sales,"
            f" {self.quarter.year_to_date_label(self.dataset.profile.fiscal_year_start_month)}",
            money=self.page.money,
        )
        return defined(table, OTHER_INCOME)
