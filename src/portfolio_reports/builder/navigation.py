"""How reports link to each other: related reports, drill-downs, the same report across quarters.

A report's parent is the report one level up that contains its slice: a disease area's therapy
area, a market's region, and the overview for every other report. Related links are the parent,
the children and the overview. Quarter links point at the same page of the neighbouring quarters
and are rewritten in place, atomically, whenever either neighbour is built, so both quarters link
each other in whichever order they were built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from portfolio_reports.analysis.key_figures import quarter_sales
from portfolio_reports.analysis.revenue import REVENUE
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.builder.locking import build_lock
from portfolio_reports.builder.specs import ReportSpec
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import Indications, Markets
from portfolio_reports.paths import OutputLayout, page_name, write_text_atomic
from portfolio_reports.presentation.pages import (
    QUARTER_LINKS,
    RELATED_LINKS,
    NavLink,
    QuarterLinks,
    quarter_links_html,
    related_links_html,
    replace_block,
)

OVERVIEW = Scope()


@dataclass(frozen=True)
class ReportTree:
    """The reports of a build as a tree: each report's parent, by report name."""

    specs: tuple[ReportSpec, ...]
    parents: dict[str, str | None]

    @classmethod
    def of(cls, specs: Iterable[ReportSpec], dataset: Dataset, quarter: Quarter) -> ReportTree:
        """Place every report under the report whose slice contains its own, each group of
        reports in order of weight (see `by_weight`)."""
        specs = by_weight(specs, dataset, quarter)
        by_scope = {spec.scope: spec.name for spec in specs}
        therapy_area = dict(
            zip(
                dataset.indications[Indications.disease_area],
                dataset.indications[Indications.therapy_area],
                strict=True,
            )
        )
        region = dict(
            zip(dataset.markets[Markets.market], dataset.markets[Markets.region], strict=True)
        )
        parents: dict[str, str | None] = {}
        for spec in specs:
            scope = spec.scope
            if scope == OVERVIEW:
                parents[spec.name] = None
                continue
            up = None
            if scope.disease_area and not scope.therapy_area and not scope.market:
                up = by_scope.get(Scope(therapy_area=therapy_area.get(scope.disease_area)))
            elif scope.market and not scope.region and not scope.therapy_area:
                up = by_scope.get(Scope(region=region.get(scope.market)))
            parents[spec.name] = up or by_scope.get(OVERVIEW)
        return cls(specs, parents)

    def children(self, name: str) -> list[ReportSpec]:
        """The reports directly under `name`, in order of weight."""
        return [spec for spec in self.specs if self.parents[spec.name] == name]

    def top_level(self) -> list[ReportSpec]:
        """The overview and the reports right under it, in reading order: overview first."""
        roots = [spec for spec in self.specs if self.parents[spec.name] is None]
        return [*roots, *(child for root in roots for child in self.children(root.name))]

    def index_order(self) -> list[ReportSpec]:
        """Every report in the order the quarter's index lists them: the top level, each report
        followed by the reports that drill down from it."""
        return [
            spec
            for top in self.top_level()
            for spec in ((top, *self.children(top.name)) if self.parents[top.name] else (top,))
        ]

    def related(self, name: str) -> tuple[NavLink, ...]:
        """Links from one report to its overview, parent and children."""
        titles = {spec.name: spec.title for spec in self.specs}
        parent = self.parents[name]
        overview = next((spec.name for spec in self.specs if spec.scope == OVERVIEW), None)
        links = []
        if overview and overview not in (name, parent):
            links.append(NavLink(page_name(overview), titles[overview], "the whole portfolio"))
        if parent:
            links.append(NavLink(page_name(parent), titles[parent], "contains this report"))
        links += [
            NavLink(page_name(child.name), child.title, "drill-down")
            for child in self.children(name)
        ]
        return tuple(links)

    def drill_downs(self, dataset: Dataset) -> tuple[tuple[str, str], ...]:
        """(row label, page) for every report a revenue table row can link to.

        A therapy area, disease area or region is labelled by its name, a market by its code and
        its name; a market alone in its region is also labelled by the region.
        """
        markets = dataset.markets
        region_size = markets[Markets.region].value_counts()
        region_of = dict(zip(markets[Markets.market], markets[Markets.region], strict=True))
        name_of = dict(zip(markets[Markets.market], markets[Markets.name], strict=True))
        labels = []
        for spec in self.specs:
            values = [value for value in vars(spec.scope).values() if value]
            if len(values) != 1:
                continue
            page = page_name(spec.name)
            market = spec.scope.market or ""
            labels.append((values[0], page))
            if market in name_of:
                labels.append((name_of[market], page))
            region = region_of.get(market)
            if region and region_size.get(region) == 1:
                labels.append((region, page))
        return tuple(labels)


def by_weight(
    specs: Iterable[ReportSpec], dataset: Dataset, quarter: Quarter
) -> tuple[ReportSpec, ...]:
    """Reports in their groups' order, each group by the quarter's product sales, largest first;
    reports of scopes without sales that quarter last, by title."""

    def weight(spec: ReportSpec) -> tuple[int, bool, float, str]:
        sales = float(quarter_sales(dataset, spec.scope, quarter)[REVENUE])
        return groups[spec.group], sales <= 0, -sales, spec.title

    specs = tuple(specs)
    groups = {group: rank for rank, group in enumerate(dict.fromkeys(s.group for s in specs))}
    return tuple(sorted(specs, key=weight))


def quarter_links(root: Path, quarter: Quarter, page: str) -> QuarterLinks:
    """Links to `page` in the previous and next quarter, where that page is published."""

    def published(other: Quarter) -> str | None:
        return str(other) if (root / str(other) / page).is_file() else None

    return QuarterLinks(page, published(quarter.previous), published(quarter.shift(1)))


def refresh_links(root: Path, quarter: Quarter, tree: ReportTree | None = None) -> int:
    """Rewrite the quarter links (and with `tree`, the related links) of a quarter's pages.

    Only pages whose links changed are written, each atomically. Returns how many were written.
    """
    folder = root / str(quarter)
    written = 0
    for path in sorted(folder.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        new = replace_block(
            html, QUARTER_LINKS, quarter_links_html(quarter_links(root, quarter, path.name))
        )
        if tree is not None and path.stem in tree.parents:
            new = replace_block(new, RELATED_LINKS, related_links_html(tree.related(path.stem)))
        if new != html:
            write_text_atomic(path, new)
            written += 1
    return written


def neighbour_folders(root: Path, quarter: Quarter) -> list[Path]:
    """The published neighbouring quarters' folders, whose pages a build links to its own."""
    layouts = [OutputLayout(root, str(other)) for other in (quarter.previous, quarter.shift(1))]
    return [layout.quarter_dir for layout in layouts if layout.index.is_file()]


def refresh_neighbours(
    root: Path, quarter: Quarter, on_wait: Callable[[str], None] | None = None
) -> None:
    """Point the neighbouring quarters' pages at this quarter, each under its own build lock.

    Called after this quarter's build released its lock; waiting for a neighbour's running
    build while holding no lock cannot deadlock, and whichever build ends last links both.
    `on_wait` is told at once when a neighbour's build is running.
    """
    for folder in neighbour_folders(root, quarter):
        with build_lock(folder, wait=True, on_wait=on_wait):
            refresh_links(root, Quarter.parse(folder.name))
