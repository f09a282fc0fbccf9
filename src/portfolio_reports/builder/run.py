"""A quarterly build: check every input, plan one keyed job per report, run, publish."""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from portfolio_reports.builder.fingerprints import prune_drawings
from portfolio_reports.builder.inputs import (
    BuildOptions,
    CheckedInputs,
    check_inputs,
    chosen_reports,
)
from portfolio_reports.builder.keys import key_of, key_parts, shown_links
from portfolio_reports.builder.locking import build_lock
from portfolio_reports.builder.navigation import (
    ReportTree,
    neighbour_folders,
    refresh_neighbours,
)
from portfolio_reports.builder.pack import (
    current_pack,
    kept_pack,
    pack_order,
    print_pdfs,
)
from portfolio_reports.builder.plan import build_time, report_job, row_links
from portfolio_reports.builder.publish import (
    CURRENT,
    check_manifests,
    last_outcomes,
    last_pack,
    publish_manifest_and_index,
    published_reports,
)
from portfolio_reports.builder.unchanged import (
    BuildRequest,
    forget_stamp,
    inputs_stamp,
    record_stamp,
)
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.snapshots import write_snapshot
from portfolio_reports.execution.executors import ExecutorSettings
from portfolio_reports.execution.limits import memory_ceiling
from portfolio_reports.execution.outcome import (
    Failure,
    ReportJob,
    ReportResult,
    ReportStatus,
    lost_job,
)
from portfolio_reports.execution.registry import EXECUTORS, run_job
from portfolio_reports.paths import OutputLayout, remove_scratch, shared_charts_dir


@dataclass(frozen=True)
class BuildResult:
    """The outcome of a build: one result per report, and where the index is."""

    quarter: Quarter
    results: list[ReportResult]
    index: Path
    warnings: tuple[str, ...] = ()
    """Data warnings of the build, one line each."""
    reconciliation: tuple[str, ...] = ()
    """Identities the reports' figures break, one line each (see reconcile)."""
    outdated: tuple[str, ...] = ()
    """Reports this build kept (not named, or not run) whose page a build would now rebuild."""
    printed: tuple[Path, ...] = ()
    """The PDFs printed (with --format pdf)."""
    pack: dict | None = None
    """The board pack's manifest record (see builder.pack): a current one, or the last one kept
    and marked stale; None when there is none."""

    @property
    def ok(self) -> bool:
        """Whether every report was published."""
        return all(result.ok for result in self.results)


class BuildObserver(Protocol):
    """Follows a build: what it will run, what runs now, what finished."""

    def planned(self, names: list[str]) -> None:
        """The reports of the build, in order."""

    def running(self, names: list[str]) -> None:
        """The reports executing right now."""

    def waiting(self, line: str) -> None:
        """The build waits for another build to end; `line` says which."""

    def finished(self, result: ReportResult) -> None:
        """A report was built, skipped or failed."""


def build(options: BuildOptions, observer: BuildObserver | None = None) -> BuildResult:
    """Build every report of one quarter; skip unchanged ones; a failure does not stop others."""
    stamp = inputs_stamp(_request(options))  # before the inputs are read: a change meanwhile
    inputs = check_inputs(options, snapshot=True)
    layout = OutputLayout(Path(options.out).resolve(), str(inputs.quarter))
    check_manifests(layout)
    neighbours = neighbour_folders(layout.root, inputs.quarter)
    written = (layout.root, layout.notebooks_dir, layout.snapshots_dir, *neighbours)
    with build_lock(layout.quarter_dir, *written):
        forget_stamp(layout.root)
        remove_scratch(layout.leftover_scratch())
        snapshot = inputs.snapshot or write_snapshot(
            replace(inputs.dataset, warnings=inputs.source_warnings), layout.snapshots_dir
        )
        results, reconciliation, outdated, printed, pack = _run_build(
            options, inputs, snapshot, layout, observer
        )
        prune_drawings(layout.charts_dir, shared=shared_charts_dir() is not None)
        if stamp and not reconciliation and all(r.status in CURRENT for r in results):
            names = [result.name for result in results]
            record_stamp(stamp, layout, names, inputs.dataset.warnings)
    refresh_neighbours(layout.root, inputs.quarter, observer.waiting if observer else None)
    return BuildResult(
        inputs.quarter,
        results,
        layout.index,
        inputs.dataset.warnings,
        tuple(reconciliation),
        tuple(outdated),
        tuple(printed),
        pack,
    )


def _request(options: BuildOptions) -> BuildRequest:
    """What the options ask a build to do, as the stamp of a build with nothing to do hashes it."""
    return BuildRequest(
        options.quarter,
        options.data,
        Path(options.params),
        Path(options.notebooks),
        Path(options.out),
        options.reports,
        options.formats,
        options.classification,
        options.materiality,
    )


def _run_build(
    options: BuildOptions,
    inputs: CheckedInputs,
    snapshot: Path,
    layout: OutputLayout,
    observer: BuildObserver | None,
) -> tuple[list[ReportResult], list[str], list[str], list[Path], dict | None]:
    """Run or skip every report, print them (with --format pdf), then write the manifest and
    the index.

    Returns the results, the reconciliation's broken identities, the reports kept with a page a
    build would now rebuild, the PDFs printed and the board pack's record.
    """
    built_at = build_time()
    tree = ReportTree.of(inputs.specs, inputs.dataset, inputs.quarter)
    earlier = last_outcomes(layout)
    published = published_reports(layout)
    jobs = [
        report_job(
            spec,
            inputs.dataset,
            inputs.quarter,
            snapshot,
            layout,
            built_at,
            timeout_s=options.timeout_s,
            warm=not options.fresh_kernels,
            tree=tree,
            row_labels=published.get(spec.name, {}).get("row_labels"),
        )
        for spec in inputs.specs
    ]
    if observer:
        observer.planned([job.name for job in jobs])
    chosen = set(chosen_reports([job.name for job in jobs], options.reports))
    to_run = [
        job
        for job in jobs
        if job.name in chosen
        and (options.force or published.get(job.name, {}).get("key") != job.key)
    ]
    kept = [
        _kept(job, earlier.get(job.name), job.name in published)
        for job in jobs
        if job not in to_run
    ]
    settings = ExecutorSettings(
        options.jobs, not options.fresh_kernels, options.scheduler, memory_ceiling()
    )
    running = observer.running if observer else None
    executed = EXECUTORS[options.executor](run_job, to_run, settings, running, lost=lost_job)
    results = []
    with contextlib.closing(executed):  # on Ctrl-C or a stop signal: stop the workers now
        for result in itertools.chain(kept, executed):
            results.append(result)
            if observer:
                observer.finished(result)
    order = {job.name: position for position, job in enumerate(jobs)}
    keys = {job.name: job.key for job in jobs}
    results.sort(key=lambda result: order[result.name])
    row_labels = {result.name: result.row_labels for result in results}
    parts = {
        spec.name: key_parts(
            spec,
            str(inputs.quarter),
            inputs.dataset.fingerprint,
            links=shown_links(row_links(spec, tree, inputs.dataset), row_labels[spec.name]),
            materiality=inputs.dataset.materiality,
        )
        for spec in inputs.specs
    }
    # a page built now is keyed on the rows it shows now, which its job could not know
    results = [
        replace(result, key=key_of(parts[result.name]))
        if result.status == ReportStatus.OK
        else result
        for result in results
    ]
    recorded = {
        result.name: parts[result.name]
        if result.key == key_of(parts[result.name]) and result.status != ReportStatus.PENDING
        else earlier.get(result.name, {}).get("key_parts")
        for result in results
    }
    printed: list[Path] = []
    pack = earlier_pack = None
    try:  # the manifest and index are written whatever printing does: the pages are published
        wanted = pack_order(
            inputs.dataset,
            inputs.quarter,
            tree,
            results,
            layout,
            built_at=built_at,
            classification=options.classification,
        )
        earlier_pack = last_pack(layout)
        pack = current_pack(wanted, earlier_pack, layout)
        if "pdf" in options.formats:
            printed, pack = print_pdfs(inputs.dataset, layout, results, wanted, pack)
    finally:
        pack = pack or kept_pack(earlier_pack, layout)
        reconciliation = publish_manifest_and_index(
            inputs.dataset,
            inputs.quarter,
            inputs.specs,
            layout,
            results,
            built_at,
            earlier,
            recorded,
            pack,
        )
    outdated = [
        result.name
        for result in results
        if result.status == ReportStatus.SKIPPED and result.key != keys[result.name]
    ]
    return results, reconciliation, outdated, printed, pack


def _kept(job: ReportJob, earlier: dict | None, current: bool) -> ReportResult:
    """A report this build does not run: its current page skipped, its last failure kept with
    its error, or pending when it was never built."""
    if current and earlier is not None:
        labels = earlier.get("row_labels")
        return ReportResult(
            job.name,
            ReportStatus.SKIPPED,
            0.0,
            earlier["key"],
            earlier=True,
            row_labels=tuple(labels) if labels is not None else None,
        )
    if earlier is not None and earlier.get("status") == ReportStatus.FAILED:
        error = earlier.get("error") or {}
        failure = Failure(
            error.get("cell"),
            str(error.get("error", "")),
            str(error.get("message", "")),
            str(error.get("stage", "execute")),
        )
        duration = earlier.get("duration_s", 0.0)
        return ReportResult(
            job.name, ReportStatus.FAILED, duration, earlier["key"], failure, earlier=True
        )
    return ReportResult(job.name, ReportStatus.PENDING, 0.0, job.key)
