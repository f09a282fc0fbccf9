"""Show a build as it runs: a progress bar, one line per report, a summary table at the end."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from portfolio_reports.cli.terminal import inert
from portfolio_reports.execution.job import ReportResult, ReportStatus

STATUS_STYLES = {
    ReportStatus.OK: "green",
    ReportStatus.SKIPPED: "cyan",
    ReportStatus.FAILED: "bold red",
    ReportStatus.PENDING: "dim",
}


class BuildProgress:
    """A BuildObserver that draws on a rich console; use it as a context manager."""

    def __init__(self, console: Console, title: str = "Building") -> None:
        self.console = console
        self.counts = dict.fromkeys(STATUS_STYLES, 0)
        self.results: list[ReportResult] = []
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[running]}", style="dim"),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task(title, total=None, counts="", running="")

    def __enter__(self) -> BuildProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def planned(self, names: list[str]) -> None:
        """Size the bar to the number of reports."""
        self._progress.update(self._task, total=len(names))

    def running(self, names: list[str]) -> None:
        """Name the reports executing now."""
        self._progress.update(self._task, running=", ".join(names))

    def waiting(self, line: str) -> None:
        """Say at once what the build waits for."""
        self.console.print(inert(line), highlight=False)

    def finished(self, result: ReportResult) -> None:
        """Count the result and print its line."""
        self.results.append(result)
        self.counts[result.status] += 1
        counts = " ".join(f"{status} {count}" for status, count in self.counts.items() if count)
        self._progress.update(self._task, advance=1, counts=counts)
        self.console.print(inert(result_line(result)), highlight=False)

    def summary(self) -> Table:
        """A table of every report with its status and time."""
        table = Table(title="Build summary", title_justify="left")
        table.add_column("report")
        table.add_column("status")
        table.add_column("seconds", justify="right")
        table.add_column("kernel peak MiB", justify="right")
        for result in self.results:
            table.add_row(
                result.name,
                f"[{STATUS_STYLES[result.status]}]{result.status}[/]",
                f"{result.duration_s:.1f}",
                f"{result.kernel_peak_mib:.0f}" if result.kernel_peak_mib else "",
            )
        return table


def result_line(result: ReportResult) -> str:
    """One line for a finished report, with the failing cell and error when it failed."""
    if result.error is None:
        return f"  {result.status:<7} {result.name} ({result.duration_s:.1f} s)"
    return f"  FAILED  {result.name}: {result.error.line()}"
