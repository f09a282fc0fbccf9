"""Quarter value type: parse "2025Q3", step back, and give date bounds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from portfolio_reports.errors import InputError

FIRST_YEAR, LAST_YEAR = 1900, 2200
"""The years a quarter or a date of the data may fall in: outside them, a year is a typo."""
YEAR_PATTERN = r"(?:19\d\d|2[01]\d\d|2200)"
"""A year from FIRST_YEAR to LAST_YEAR."""
QUARTER_PATTERN = rf"^{YEAR_PATTERN}Q[1-4]$"
_QUARTER_RE = re.compile(QUARTER_PATTERN)
_DATE_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-\d{2}$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter such as 2025Q3."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """Parse "YYYYQn"; raise InputError naming the allowed form otherwise."""
        cleaned = str(text).strip().upper()
        if not _QUARTER_RE.match(cleaned):
            raise InputError(
                f"quarter {text!r} is not of the form YYYYQn with a year from {FIRST_YEAR} to"
                f" {LAST_YEAR}, e.g. 2025Q3"
            )
        return cls(int(cleaned[:4]), int(cleaned[5]))

    @classmethod
    def of_expected(cls, text: str) -> Quarter:
        """The quarter a timing names: a quarter ("2027Q1") or a date ("2027-02-15")."""
        cleaned = str(text).strip()
        if _QUARTER_RE.match(cleaned.upper()):
            return cls.parse(cleaned)
        if not _DATE_RE.match(cleaned):
            raise InputError(
                f"timing {text!r} is neither a quarter (e.g. 2027Q1) nor a date (YYYY-MM-DD)"
            )
        return cls.of_month(cleaned[:7])

    @classmethod
    def of_month(cls, text: str) -> Quarter:
        """The quarter a month "YYYY-MM" falls in."""
        return cls(int(text[:4]), (int(text[5:7]) - 1) // 3 + 1)

    @classmethod
    def of(cls, day: date | pd.Timestamp) -> Quarter:
        """Return the quarter a date falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    def shift(self, quarters: int) -> Quarter:
        """Return the quarter `quarters` steps later (earlier when negative)."""
        index = self.year * 4 + (self.number - 1) + quarters
        return Quarter(index // 4, index % 4 + 1)

    @property
    def previous(self) -> Quarter:
        """The quarter before this one."""
        return self.shift(-1)

    @property
    def year_ago(self) -> Quarter:
        """The same quarter one year earlier."""
        return self.shift(-4)

    @property
    def start(self) -> date:
        """First day of the quarter."""
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """Last day of the quarter."""
        return self.shift(1).start - timedelta(days=1)

    @property
    def label(self) -> str:
        """Human label such as "Q3 2025"."""
        return f"Q{self.number} {self.year}"

    def year_to_date(self, start_month: int = 1) -> list[Quarter]:
        """The quarters of the year starting in `start_month` (1, 4, 7 or 10: the fiscal year)
        up to and including this one, oldest first."""
        first = (start_month - 1) // 3 + 1
        return self.trailing((self.number - first) % 4 + 1)

    def year_to_date_label(self, start_month: int = 1) -> str:
        """Label of the year to date: "Q1-Q3 2025", "Q1 2025" for a first quarter, or
        "Q2 2025-Q1 2026" for a fiscal year from April."""
        first = self.year_to_date(start_month)[0]
        if first == self:
            return self.label
        return (
            f"Q{first.number}-{self.label}"
            if first.year == self.year
            else f"{first.label}-{self.label}"
        )

    def contains(self, day: date | pd.Timestamp) -> bool:
        """Whether a date falls in this quarter."""
        return Quarter.of(day) == self

    def trailing(self, count: int) -> list[Quarter]:
        """The `count` quarters ending with this one, oldest first."""
        return [self.shift(offset) for offset in range(1 - count, 1)]
