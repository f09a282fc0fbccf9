"""One report's page: a data set seen through one scope at one quarter, shared by its sections."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import pandas as pd

from portfolio_reports.analysis import commercial, key_figures, views
from portfolio_reports.analysis.pipeline import GLOBAL, LOCAL
from portfolio_reports.analysis.revenue import (
    DEFINITIONS,
    GEOGRAPHY,
    NOT_ALLOCATED_NOTE,
    home_split,
)
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.company import Money
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.presentation.charts import Chart
from portfolio_reports.presentation.columns import HEADERS
from portfolio_reports.presentation.figures import CHART_PROGRAMMES
from portfolio_reports.presentation.formatting import dated
from portfolio_reports.presentation.tables import (
    TABLE_SUMMARY,
    Html,
    Table,
    defined,
    folded,
    titled,
)

NOTHING = Table("")
"""What a section shows when its scope has nothing for it: the page leaves its heading out."""
FOLD_ROWS = 4
"""A table of more rows than this, under a chart or a count that sums it up, starts folded."""


@dataclass
class Position:
    """Where on its page a report's cells have got to."""

    in_appendix: bool = False
    """Past the appendix's heading (`ReportView.appendix_begins`)."""


@dataclass(frozen=True)
class Page:
    """A data set seen through one scope at one quarter, and the figures drawn on it so far."""

    dataset: Dataset
    scope: Scope
    quarter: Quarter
    shown: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Figures the sections drawn so far put on the page, by name (see `ReportView.figures`)."""
    position: Position = field(default_factory=Position, compare=False, repr=False)

    @property
    def slice(self) -> tuple[Dataset, Scope, Quarter]:
        """The data, scope and quarter, as the analysis functions take them."""
        return self.dataset, self.scope, self.quarter

    @property
    def synthetic(self) -> bool:
        """Whether any sales figure of the scope is generated rather than reported."""
        return bool(self.scope.sales(self.dataset)["synthetic"].any())

    @cached_property
    def sells(self) -> bool:
        """Whether the scope had product sales in the quarters the page charts."""
        return key_figures.has_sales(self.dataset, self.scope, self.quarter)

    @property
    def sales_window(self) -> str:
        """The quarters a page charts sales for, e.g. "from Q4 2024 to Q3 2026"."""
        first = self.quarter.shift(1 - key_figures.SALES_WINDOW).label
        return f"from {first} to {self.quarter.label}"

    def fold(self, table: Html, rows: int, summary: str, *, most: int = FOLD_ROWS) -> Html:
        """A table of more than `most` rows folded behind its summary line, a short one shown
        open, titled by that line when it has no caption of its own; in the page's appendix,
        which the reader opens part by part, a table of any rows starts folded."""
        if rows > (0 if self.position.in_appendix else most):
            return folded(table, summary)
        return titled(table, summary.removeprefix(TABLE_SUMMARY))

    def no_sales_note(self) -> str:
        """Why a page holds no sales figures: none sold in the quarters it charts, or none
        allocated to a disease area."""
        if self.scope.disease_area is not None and self.dataset.revenue_allocation.empty:
            return NOT_ALLOCATED_NOTE
        return f"No product sales {self.sales_window}."

    @cached_property
    def other_income(self) -> pd.DataFrame:
        """The income other than product sales the page lists (`commercial.other_income`);
        none on the whole portfolio, whose revenue by type counts it all."""
        frame = commercial.other_income(self.dataset, self.scope, self.quarter)
        return frame.iloc[:0] if self.scope == Scope() else frame

    @property
    def money(self) -> Money:
        """The currency and unit of the data's amounts."""
        return self.dataset.profile.money

    def meaning(self, by: str | None) -> str:
        """What the figures of a revenue breakdown mean (`by`; None: the total), in sentences."""
        home = home_split(self.dataset)
        meaning = home.definition if by == GEOGRAPHY and home else DEFINITIONS[by]
        return " ".join(dict.fromkeys([self.named.sales_basis, self.money.spell(meaning)]))

    def breaks_down(self, by: str) -> bool:
        """Whether the scope sold and sales split by `by`: geography needs a home market."""
        return self.sells and (by != GEOGRAPHY or home_split(self.dataset) is not None)

    def sales_chart(self, chart: Chart, by: str | None = None) -> Chart:
        """A revenue chart noted with what its figures mean (the page says once when they are
        synthetic: `sales_note`)."""
        return replace(chart, note=self.meaning(by))

    def products(self, frame: pd.DataFrame) -> pd.Series:
        """Each row's product as the page's tables name it: the page's name for it, then its
        code and INN (`views.product_cells`)."""
        return views.product_cells(frame, views.display_names(*self.slice))

    def sales_table(self, table: Table, by: str | None = None) -> Table:
        """A revenue table followed by what its figures mean."""
        return defined(table, self.meaning(by))

    def noted(self, chart: Chart, *terms: str) -> Chart:
        """The chart with the definitions of `terms` (views.VIEW_DEFINITIONS) as its note."""
        sentences = [self.money.spell(views.VIEW_DEFINITIONS[term]) for term in terms]
        return replace(chart, note=" ".join(sentences))

    @property
    def named(self) -> Scope:
        """The scope for titles and sentences: its market named as readers know it ("United
        States", not "US")."""
        if self.scope.market is None:
            return self.scope
        return replace(self.scope, market=self.market_names(pd.Series([self.scope.market])).iloc[0])

    @property
    def label(self) -> str:
        """The scope's name for titles, e.g. "United States" or "Whole portfolio"."""
        return self.named.label

    def market_names(self, codes: pd.Series) -> pd.Series:
        """Market codes as the names readers know ("US" as "United States"); a value that is no
        market code (Global) as it is."""
        return views.market_names(self.dataset, codes)

    def drew_programmes(self, count: int) -> None:
        """Record what a pipeline chart drew, for the build's check against the tables."""
        self.shown.setdefault(CHART_PROGRAMMES, []).append(count)

    @property
    def coverage_names(self) -> dict[str, str]:
        """Headers for local and global programmes, naming the scope's market or region."""
        place = self.scope.place(self.dataset)
        local = f"Run in {place}" if place else HEADERS[LOCAL]
        return {LOCAL: local, GLOBAL: "Global"}


class PageArea:
    """The sections of one area of a page (story, commercial, pipeline, record, glossary)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def dataset(self) -> Dataset:
        """The page's data set."""
        return self.page.dataset

    @property
    def scope(self) -> Scope:
        """The page's scope."""
        return self.page.scope

    @property
    def quarter(self) -> Quarter:
        """The page's quarter."""
        return self.page.quarter


def dated_column(frame: pd.DataFrame, column: str) -> pd.Series:
    """A date column as precisely as each date is known, marked "inferred" or "est." where so.

    Uses the frame's date_precision, estimated and inferred columns where it has them.
    """
    columns = {name: frame.get(name) for name in ("date_precision", "estimated", "inferred")}
    present = {name: values for name, values in columns.items() if values is not None}

    def one(index: object) -> str:
        flags = {name: values.at[index] for name, values in present.items()}
        return dated(
            frame.at[index, column],
            flags.get("date_precision", "day"),
            estimated=bool(flags.get("estimated", False)),
            inferred=bool(flags.get("inferred", False)),
        )

    return pd.Series([one(index) for index in frame.index], index=frame.index, dtype=object)
