"""The quarter's board pack: what it holds, its rebuild key, its printing and its manifest record.

The pack holds every report with a current page, in the index's order (see
`navigation.ReportTree.top_level`, each report followed by its drill-downs); a report that failed
or was never built is left out, and its cover says so. The pack is printed again only when its
key changes: the pages it holds, its cover (bar the build date), the definitions, the code and
the libraries; a pack no longer current is kept, marked stale.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from portfolio_reports.analysis.definitions import glossary
from portfolio_reports.builder.fingerprints import code_fingerprint, environment_fingerprint
from portfolio_reports.builder.navigation import ReportTree
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import Sales
from portfolio_reports.execution.outcome import ReportResult, ReportStatus
from portfolio_reports.paths import OutputLayout
from portfolio_reports.presentation.pack import PackContent, PackPart, PrintedPack, print_build
from portfolio_reports.presentation.pages import PackCover
from portfolio_reports.presentation.pdf import check_pdf_support

SYNTHETIC_MARK = "Synthetic sales"
"""The running header's mark on printed pages when the sales figures are synthetic."""
STALE = "stale"
"""The manifest record's mark of a pack printed from pages that changed since."""
LEFT_OUT = {ReportStatus.FAILED: "failed", ReportStatus.PENDING: "not built"}
"""Why a report is not in the pack, by its status."""


def printed_mark(dataset: Dataset) -> str:
    """The mark every printed page carries: "Synthetic sales" when the sales are, else none."""
    return SYNTHETIC_MARK if bool(dataset.sales[Sales.synthetic].any()) else ""


def pack_contents(
    tree: ReportTree, results: list[ReportResult], layout: OutputLayout
) -> tuple[list[PackPart], tuple[str, ...]]:
    """The reports in the pack, in the index's order, and those left out, as "name (why)"."""
    status = {result.name: result.status for result in results}
    parts, left_out = [], []
    for spec in tree.index_order():
        page = layout.html(spec.name)
        if status.get(spec.name) in (ReportStatus.OK, ReportStatus.SKIPPED) and page.is_file():
            parts.append(PackPart(spec.name, spec.title, spec.group, page))
        else:
            why = LEFT_OUT.get(status.get(spec.name, ReportStatus.PENDING), "no page")
            left_out.append(f"{spec.name} ({why})")
    return parts, tuple(left_out)


def pack_key(cover: PackCover, parts: list[PackPart], terms: dict[str, str], mark: str) -> str:
    """Hash of everything the pack shows but its build date."""
    digest = hashlib.sha256(code_fingerprint().encode() + environment_fingerprint().encode())
    shown = {"cover": asdict(replace(cover, built_at="")), "terms": terms, "mark": mark}
    digest.update(json.dumps(shown, sort_keys=True).encode())
    for part in parts:
        named = f"\0{part.name}\0{part.title}\0{part.group}\0"
        digest.update(named.encode() + part.html.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class PackOrder:
    """The board pack the build's current pages make: what it prints, its mark and its key."""

    content: PackContent
    mark: str
    key: str

    def record(self, printed: PrintedPack, layout: OutputLayout) -> dict:
        """The manifest record of this pack, printed now to `layout.board_pack`."""
        cover = self.content.cover
        return {
            "file": layout.board_pack.name,
            "key": self.key,
            "built_at": cover.built_at,
            "classification": cover.classification,
            "pages": printed.pages,
            "reports": [part.name for part in self.content.parts],
            "starts": printed.starts,
            "left_out": list(cover.left_out),
        }


def pack_order(
    dataset: Dataset,
    quarter: Quarter,
    tree: ReportTree,
    results: list[ReportResult],
    layout: OutputLayout,
    *,
    built_at: str,
    classification: str,
) -> PackOrder | None:
    """The pack of the reports with a current page; None without a report to hold."""
    parts, left_out = pack_contents(tree, results, layout)
    if not parts:
        return None
    cover = PackCover(
        company=dataset.profile.name,
        quarter=quarter.label,
        data_as_of=quarter.end.isoformat(),
        fingerprint=dataset.fingerprint[:16],
        built_at=built_at,
        classification=classification,
        left_out=left_out,
    )
    terms = glossary(dataset)
    mark = printed_mark(dataset)
    return PackOrder(PackContent(cover, parts, terms), mark, pack_key(cover, parts, terms, mark))


def current_pack(
    order: PackOrder | None, earlier: dict | None, layout: OutputLayout
) -> dict | None:
    """The earlier pack's manifest record while its key holds and its file is there, else None."""
    if order is None or earlier is None or earlier.get("key") != order.key:
        return None
    return _record(earlier, stale=False) if layout.board_pack.is_file() else None


def kept_pack(earlier: dict | None, layout: OutputLayout) -> dict | None:
    """The earlier pack's record, marked stale, when a build leaves no current pack: its file
    stays (a build never removes what it published), and the index says which build printed it.
    None when there is no earlier pack."""
    if earlier is None or not layout.board_pack.is_file():
        return None
    return _record(earlier, stale=True)


def _record(record: dict, *, stale: bool) -> dict:
    """A pack's manifest record, marked stale (printed from pages that changed since) or not."""
    kept = {key: value for key, value in record.items() if key != STALE}
    return {**kept, STALE: True} if stale else kept


def print_pdfs(
    dataset: Dataset,
    layout: OutputLayout,
    results: list[ReportResult],
    order: PackOrder | None,
    pack: dict | None,
) -> tuple[list[Path], dict | None]:
    """Print to PDF every page built now, and every current page that has no PDF yet, and the
    board pack unless `pack` (its record) is current; return the PDFs and the pack's record."""
    pages = [
        layout.html(result.name)
        for result in results
        if result.status == ReportStatus.OK
        or (result.status == ReportStatus.SKIPPED and not layout.pdf(result.name).is_file())
    ]
    fresh = order if pack is None else None
    printed = print_build(
        check_pdf_support(),
        pages,
        fresh.content if fresh else None,
        layout.board_pack,
        mark=printed_mark(dataset),
    )
    if fresh is not None and printed is not None:
        pack = fresh.record(printed, layout)
    return [page.with_suffix(".pdf") for page in pages], pack
