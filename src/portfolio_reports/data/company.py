"""The company a data set describes (company.csv): name, money, home market and fiscal year."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from portfolio_reports.data.schema import UNIT_WORDS, Company

MONEY = "{money}"
"""Stands in a definition for the company's currency and unit in words (`Money.spell`)."""
CURRENCY = "{currency}"
"""Stands in a definition for the company's currency code."""
UNIT = "{unit}"
"""Stands in a definition for the company's unit (k, m or bn)."""
REST_OF_WORLD = "rest of world"
"""What pages call the markets other than the home market when company.csv names nothing."""


@dataclass(frozen=True)
class Money:
    """The currency and unit every amount of the data is in, as pages name them."""

    currency: str
    """ISO 4217 code, e.g. USD."""
    unit: str
    """k, m or bn."""

    @property
    def label(self) -> str:
        """The unit of a column or an axis, e.g. "USD m"."""
        return f"{self.currency} {self.unit}"

    @property
    def words(self) -> str:
        """The unit in a sentence, e.g. "USD million"."""
        return f"{self.currency} {UNIT_WORDS[self.unit]}"

    def spell(self, text: str) -> str:
        """A definition with MONEY, CURRENCY and UNIT replaced, e.g. by "USD million"."""
        spelled = text.replace(MONEY, self.words).replace(CURRENCY, self.currency)
        return spelled.replace(UNIT, self.unit)

    def amount(self, figure: str) -> str:
        """A formatted number with its currency and unit, e.g. "USD 545.3 m"."""
        return f"{self.currency} {figure} {self.unit}"


@dataclass(frozen=True)
class Profile:
    """The one row of the company table, typed."""

    name: str
    money: Money
    home_market: str | None
    """The market sales are split against (home and the rest of the world); None for no
    split."""
    fiscal_year_start_month: int
    """1, 4, 7 or 10: year to date and full years follow the fiscal year."""
    rest_of_world: str = REST_OF_WORLD
    """What pages call the markets other than the home market, as in a sentence."""

    @classmethod
    def of(cls, table: pd.DataFrame) -> Profile:
        """The profile in a validated company table of one row."""
        row = table.iloc[0]
        home = row[Company.home_market]
        rest = row.get(Company.rest_of_world_label)
        return cls(
            name=str(row[Company.name]),
            money=Money(str(row[Company.currency]), str(row[Company.unit])),
            home_market=None if pd.isna(home) else str(home),
            fiscal_year_start_month=int(row[Company.fiscal_year_start_month]),
            rest_of_world=REST_OF_WORLD if rest is None or pd.isna(rest) else str(rest),
        )
