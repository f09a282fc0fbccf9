"""Publish a quarter's build: manifest.json, the quarter's index page and the index of quarters."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace
from pathlib import Path

from portfolio_reports import __version__
from portfolio_reports.analysis.definitions import glossary
from portfolio_reports.builder.navigation import ReportTree, quarter_links, refresh_links
from portfolio_reports.builder.reconcile import Members, PageRecord, check
from portfolio_reports.builder.specs import ReportSpec
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import QUARTER_PATTERN, Quarter
from portfolio_reports.errors import InputError
from portfolio_reports.execution.outcome import ReportResult, ReportStatus
from portfolio_reports.paths import OutputLayout, write_text_atomic
from portfolio_reports.presentation.narrative import key_figure
from portfolio_reports.presentation.pages import (
    IndexEntry,
    PackLink,
    glossary_html,
    quarter_index_html,
    quarters_index_html,
)
from portfolio_reports.text import error_line, printable_line

CURRENT = (ReportStatus.OK, ReportStatus.SKIPPED)
QUARTER_NAME = re.compile(QUARTER_PATTERN)
"""The name of a quarter's folder in the reports folder."""


MANIFEST_MAX_BYTES = 64 * 2**20
"""Largest manifest.json read: a build of a thousand reports writes a few MB."""


def last_outcomes(layout: OutputLayout) -> dict[str, dict]:
    """Every report's entry in the quarter's manifest: its last outcome, whatever it was."""
    manifest = _read_manifest(layout.manifest, layout.quarter) or {}
    reports = manifest.get("reports", [])
    return {report["name"]: {"built_at": manifest.get("built_at"), **report} for report in reports}


def last_pack(layout: OutputLayout) -> dict | None:
    """The board pack's record in the quarter's manifest; None when the last build made none."""
    manifest = _read_manifest(layout.manifest, layout.quarter) or {}
    pack = manifest.get("board_pack")
    return pack if isinstance(pack, dict) else None


def published_reports(layout: OutputLayout) -> dict[str, dict]:
    """Manifest entries of the reports the last build left current, whose HTML is still there."""
    return {
        name: report
        for name, report in last_outcomes(layout).items()
        if report.get("status") in CURRENT and layout.html(name).is_file()
    }


def check_manifests(layout: OutputLayout) -> None:
    """Refuse, before anything is written, a quarter folder's manifest.json this program did not
    write (a website's own, say): building would overwrite it, and the index of quarters needs
    every quarter's."""
    for folder in [layout.quarter_dir, *_quarter_folders(layout.root)]:
        _read_manifest(folder / layout.manifest.name, folder.name)


def _read_manifest(path: Path, quarter: str) -> dict | None:
    """A quarter's manifest as a build wrote it; None when there is none; InputError when the
    file is not one a build wrote for that quarter."""
    try:
        if not path.is_file():
            return None
        if path.stat().st_size > MANIFEST_MAX_BYTES:
            raise ValueError(f"larger than {MANIFEST_MAX_BYTES // 2**20} MB")
        manifest = json.loads(path.read_text(encoding="utf-8"))
        reports = manifest["reports"]
        if manifest["quarter"] != quarter or not all(
            isinstance(report["name"], str) for report in reports
        ):
            raise ValueError(f"not the manifest of quarter {quarter}")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(
            f"{path}: not a manifest this program wrote ({printable_line(error_line(error), 80)});"
            " move it away, or build into another --out"
        ) from error
    return manifest


def _quarter_folders(root: Path) -> list[Path]:
    """The reports folder's folders named like a quarter (2026Q3), newest first."""
    return sorted(
        (folder for folder in root.glob("*/") if QUARTER_NAME.match(folder.name)),
        reverse=True,
    )


def publish_manifest_and_index(
    dataset: Dataset,
    quarter: Quarter,
    specs: list[ReportSpec],
    layout: OutputLayout,
    results: list[ReportResult],
    built_at: str,
    earlier: dict[str, dict],
    key_parts: dict[str, dict[str, str] | None],
    pack: dict | None = None,
) -> list[str]:
    """Write the quarter's manifest and index page, then the index of every quarter.

    `earlier` holds the last manifest's entries (see last_outcomes): a report this build did not
    run keeps its figures and the time of its outcome from there. `key_parts` holds the hashes
    making up each result's key (see keys.key_parts), to tell later why a report will rebuild.
    `pack` is the board pack's record (see builder.pack): the index links the pack when there is
    one, and says when an earlier build printed it from pages that changed since (stale).

    Returns the reconciliation: one line per broken identity among the reports' figures.
    """
    by_name = {spec.name: spec for spec in specs}
    reports = []
    records = []
    for result in results:
        spec = by_name[result.name]
        skipped = result.status == ReportStatus.SKIPPED
        before = earlier.get(spec.name, {})
        reports.append(
            {
                "name": spec.name,
                "title": spec.title,
                "group": spec.group,
                "notebook": spec.notebook.name,
                "parameters": spec.parameters,
                "key_figure": before["key_figure"]
                if skipped
                else key_figure(dataset, spec.scope, quarter),
                "html": layout.html(spec.name).name if layout.html(spec.name).exists() else None,
                **asdict(result),
                "built_at": before.get("built_at") if result.earlier else built_at,
                "key_parts": key_parts.get(spec.name),
                "figures": before.get("figures") if skipped else result.figures,
            }
        )
        records.append(
            PageRecord(spec.name, spec.scope, reports[-1]["key_figure"], reports[-1]["figures"])
        )
    reconciliation = check(records, Members.of(dataset, quarter))
    manifest = {
        "quarter": str(quarter),
        "built_at": built_at,
        "package_version": __version__,
        "data_fingerprint": dataset.fingerprint,
        "warnings": list(dataset.warnings),
        "reconciliation": reconciliation,
        "reports": reports,
        **({"board_pack": pack} if pack else {}),
    }
    write_text_atomic(layout.manifest, json.dumps(manifest, indent=2, default=str) + "\n")
    entries = {
        report["name"]: IndexEntry(
            name=report["name"],
            title=report["title"],
            group=report["group"],
            status=report["status"],
            key_figure=report["key_figure"],
            error=result.error.line() if result.error else "",
            page=report["html"] is not None,
            built_at=report["built_at"] if result.earlier else None,
            duration_s=None
            if result.status == ReportStatus.PENDING
            else round(report["duration_s"], 1),
        )
        for report, result in zip(reports, results, strict=True)
    }
    tree = ReportTree.of(specs, dataset, quarter)
    write_text_atomic(
        layout.index,
        quarter_index_html(
            str(quarter),
            [_with_children(entries, tree, spec.name) for spec in tree.top_level()],
            company=dataset.profile.name,
            quarters=quarter_links(layout.root, quarter, layout.index.name),
            built_at=built_at,
            warnings=dataset.warnings,
            reconciliation=reconciliation,
            pack=PackLink(
                pack["file"], pack["pages"], pack["built_at"] if pack.get("stale") else ""
            )
            if pack
            else None,
        ),
    )
    terms = glossary(dataset)
    write_text_atomic(layout.glossary, glossary_html(str(quarter), dataset.profile.name, terms))
    refresh_links(layout.root, quarter, tree)
    quarters = _published_quarters(layout.root)
    write_text_atomic(layout.top_index, quarters_index_html(quarters, dataset.profile.name))
    return reconciliation


def _with_children(entries: dict[str, IndexEntry], tree: ReportTree, name: str) -> IndexEntry:
    """A report's index entry carrying the entries of the reports that drill down from it.

    The overview's children are the index's top level, so they are not nested under it.
    """
    if tree.parents[name] is None:
        return entries[name]
    children = tuple(entries[child.name] for child in tree.children(name))
    return replace(entries[name], children=children) if children else entries[name]


def _published_quarters(root: Path) -> list[tuple[str, int, int]]:
    """Each quarter with a manifest, newest first, with its counts of built and failed reports."""
    quarters = []
    for folder in _quarter_folders(root):
        manifest = _read_manifest(folder / "manifest.json", folder.name)
        if manifest is None:
            continue
        reports = manifest["reports"]
        ok = sum(report.get("status") == ReportStatus.OK for report in reports)
        quarters.append((folder.name, ok, len(reports) - ok))
    return quarters
