"""Definitions: what the report covers, its sales notices, its portfolio counts and glossary."""

from __future__ import annotations

from html import escape

import pandas as pd

from portfolio_reports.analysis import metrics
from portfolio_reports.analysis.definitions import glossary
from portfolio_reports.analysis.revenue import NOT_ATTRIBUTABLE, home_split
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.notebook.frames import frame_columns
from portfolio_reports.notebook.page import NOTHING, PageArea
from portfolio_reports.presentation.columns import column_table
from portfolio_reports.presentation.formatting import ESTIMATE_MARK, INFERRED_MARK
from portfolio_reports.presentation.tables import (
    GLOSSARY_CLASS,
    GLOSSARY_SUMMARY,
    Html,
    Table,
    bullet_list,
    wrapped,
)


class DefinitionSections(PageArea):
    """What the page covers and what each of its terms, counts and sums means."""

    @frame_columns("Line")
    def about(self) -> Html:
        """What the report covers, how revenue is counted and how dates are marked (the page's
        sales notice says once that sales figures are synthetic, where they are)."""
        lines = [
            f"Scope: {self.page.label}. Quarter: {self.quarter.label}"
            f" (data as of {self.quarter.end.isoformat()}).",
            self.page.named.sales_basis,
            f"Dates marked “{ESTIMATE_MARK}” are estimates and events marked “{INFERRED_MARK}”"
            " are inferred, not reported; a month or quarter is as precisely as a date is known.",
        ]
        return bullet_list(lines)

    def home_and_rest(self) -> str:
        """The geography breakdown's name, the home market's and the rest's; empty without a
        home market."""
        home = home_split(self.dataset)
        return "" if home is None else f"{home.label} and {home.rest}"

    @frame_columns("Term", "Definition")
    def glossary(self) -> Html:
        """What the page covers and what each term, count and sum means, one sentence each,
        folded; the published page keeps only the terms it shows (`render.GLOSSARY_CLASS`)."""
        terms = pd.DataFrame(
            glossary(self.dataset).items(),
            columns=["term", "definition"],
        )
        table = column_table(terms, ["term", "definition"], caption="Terms used on this page")
        opening = (
            f'<details class="{GLOSSARY_CLASS}"><summary>{GLOSSARY_SUMMARY}</summary>'
            f"{self.about().html}"
        )
        return wrapped(Html(table.html, table.frame), opening, "</details>")

    @frame_columns("Count", "Value", "Definition")
    def portfolio_counts(self) -> Table:
        """The portfolio counts the company states, each with its definition."""
        frame = metrics.portfolio_counts(self.dataset, self.scope, self.quarter)
        return column_table(
            frame,
            ["count", "value", "definition"],
            caption=f"{self.page.label}, end of {self.quarter.label}",
        )

    @frame_columns()
    def sales_note(self, opening: str = "") -> Html:
        """What the sales part of the page shows: the notebook's `opening` sentence where the
        scope sold; where it did not but has other income, that it lists only that income (the
        key figures say once that there were no product sales); then notices: sales figures are
        synthetic, when they are (said once a page, here, not under each chart and table), and
        a slice shows product sales only."""
        if not self.page.sells:
            if self.page.other_income.empty:
                return NOTHING
            return Html(
                f"<p>{escape(self.page.label)} had no product sales {self.page.sales_window}:"
                " this part lists its income other than product sales.</p>"
            )
        notes = [f"<p>{escape(opening)}</p>"] if opening else []
        if self.page.synthetic:
            notes.append(
                '<p class="notice">Sales figures on this page are synthetic, not reported by'
                " the company: every sales chart and table here is.</p>"
            )
        if self.scope != Scope():
            notes.append(f'<p class="definition">{escape(NOT_ATTRIBUTABLE)}</p>')
        return Html("".join(notes))
