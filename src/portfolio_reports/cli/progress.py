"""Show a build as it runs: a progress bar, one line per report, a summary table at the end."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from portfolio_reports.builder.pack import STALE
from portfolio_reports.cli.terminal import inert
from portfolio_reports.execution.outcome import ReportResult, ReportStatus
from portfolio_reports.text import counted

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
        """Count the result; print its line when it was built or failed (see `not_run_line`)."""
        self.results.append(result)
        self.counts[result.status] += 1
        counts = " ".join(f"{status} {count}" for status, count in self.counts.items() if count)
        self._progress.update(self._task, advance=1, counts=counts)
        if result.status in (ReportStatus.OK, ReportStatus.FAILED):
            self.console.print(inert(result_line(result)), highlight=False)

    def summary(self) -> Table | None:
        """A table of the reports this build ran, with status, time and memory; None if none."""
        ran = [result for result in self.results if _ran(result)]
        if not ran:
            return None
        table = Table(title="Build summary", title_justify="left")
        table.add_column("report")
        table.add_column("status")
        table.add_column("seconds", justify="right")
        table.add_column("kernel peak MiB", justify="right")
        for result in ran:
            table.add_row(
                result.name,
                f"[{STATUS_STYLES[result.status]}]{result.status}[/]",
                f"{result.duration_s:.1f}",
                f"{result.kernel_peak_mib:.0f}" if result.kernel_peak_mib else "",
            )
        return table


def result_line(result: ReportResult) -> str:
    """One line for a finished report, with the failing cell and error when it failed."""
    if result.status == ReportStatus.FAILED and result.earlier:
        error = f": {result.error.line()}" if result.error else ""
        return f"  failed  {result.name}, not run now; in an earlier build{error}"
    if result.error is None:
        return f"  {result.status:<7} {result.name} ({result.duration_s:.1f} s)"
    return f"  FAILED  {result.name}: {result.error.line()}"


def not_run_line(results: list[ReportResult], outdated: tuple[str, ...]) -> str | None:
    """One line for the reports a build did not run: kept current or out of date, failed in an
    earlier build, never built; None when it ran every report."""
    kept = [result for result in results if not _ran(result)]
    if not kept:
        return None
    skipped = [r.name for r in kept if r.status == ReportStatus.SKIPPED]
    stale = [name for name in skipped if name in outdated]
    failed = [r.name for r in kept if r.status == ReportStatus.FAILED]
    pending = [r.name for r in kept if r.status == ReportStatus.PENDING]
    parts = []
    if len(skipped) > len(stale):
        parts.append(f"{len(skipped) - len(stale)} current")
    if stale:
        parts.append(f"{len(stale)} out of date ({', '.join(stale)}; `list` says why)")
    if failed:
        parts.append(f"{len(failed)} failed in an earlier build ({', '.join(failed)})")
    if pending:
        parts.append(f"{len(pending)} never built")
    return f"{counted(len(kept), 'report')} not run: {', '.join(parts)}"


def _ran(result: ReportResult) -> bool:
    """Whether this build ran the report (built or failed now)."""
    return result.status in (ReportStatus.OK, ReportStatus.FAILED) and not result.earlier


def printed_line(printed: tuple[Path, ...], folder: Path) -> str:
    """What --format pdf printed: how many PDFs, and where."""
    if not printed:
        return f"printed no PDF: every current page in {folder} has one already"
    return f"printed {counted(len(printed), 'PDF')} beside the pages in {folder}"


def pack_line(pack: dict | None, folder: Path) -> str:
    """Where --format pdf left the board pack, and how long it is."""
    if pack is None or pack.get(STALE):
        kept = f"; kept {folder / pack['file']} of {pack['built_at']}" if pack else ""
        return f"no board pack: no report has a current page{kept}"
    left_out = f"; not in it: {', '.join(pack['left_out'])}" if pack["left_out"] else ""
    return f"board pack: {folder / pack['file']} ({counted(pack['pages'], 'page')}){left_out}"
