"""Limits on running reports: output per cell and per report, and the build's memory."""

from __future__ import annotations

from dataclasses import dataclass

from portfolio_reports.data.limits import env_limit, megabytes

DEFAULT_TIMEOUT_S = 600
"""Seconds a notebook cell may run before its report fails (`--timeout`)."""
CELL_OUTPUT_ENV = "PORTFOLIO_REPORTS_MAX_CELL_OUTPUT_MB"
DEFAULT_CELL_OUTPUT_MB = 10.0
"""Most output one cell may send: a page's largest cell (charts inlined) sends under 1 MB."""
REPORT_OUTPUT_ENV = "PORTFOLIO_REPORTS_MAX_REPORT_OUTPUT_MB"
DEFAULT_REPORT_OUTPUT_MB = 50.0
"""Most output one report's cells may send together: a whole page is a few MB."""
MEMORY_ENV = "PORTFOLIO_REPORTS_MAX_MEMORY_MB"
DEFAULT_MEMORY_MB = 2048.0
"""The build's memory ceiling: resident memory of the build and every process under it."""


class OutputLimitExceeded(Exception):
    """A report's cell sent more output than a cap allows."""


@dataclass(frozen=True)
class OutputCaps:
    """Most output (characters of text and encoded images) a cell and a report may send."""

    cell: int
    report: int

    @classmethod
    def from_environment(cls) -> OutputCaps:
        """The caps from PORTFOLIO_REPORTS_MAX_CELL_OUTPUT_MB and ..._REPORT_OUTPUT_MB."""
        return cls(
            env_limit(CELL_OUTPUT_ENV, DEFAULT_CELL_OUTPUT_MB, "MB", 2**20),
            env_limit(REPORT_OUTPUT_ENV, DEFAULT_REPORT_OUTPUT_MB, "MB", 2**20),
        )

    def passed(self, cell: int, report: int) -> OutputLimitExceeded | None:
        """The error when a cell's output or the report's passes its cap; None when both fit."""
        if cell > self.cell:
            return OutputLimitExceeded(
                f"wrote more than {megabytes(self.cell)} MB of output; a cell may write at most"
                f" {megabytes(self.cell)} MB (set {CELL_OUTPUT_ENV} to allow more)"
            )
        if report > self.report:
            return OutputLimitExceeded(
                f"the report's cells wrote more than {megabytes(self.report)} MB of output; a"
                f" report may write at most {megabytes(self.report)} MB (set {REPORT_OUTPUT_ENV}"
                " to allow more)"
            )
        return None


def memory_ceiling() -> int:
    """The build's memory ceiling in bytes, from PORTFOLIO_REPORTS_MAX_MEMORY_MB or 2 GB."""
    return env_limit(MEMORY_ENV, DEFAULT_MEMORY_MB, "MB", 2**20)
