"""Page templates: report shells, indexes, glossary, board pack pages, navigation blocks."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

TEMPLATES = Path(__file__).parent / "templates"
"""Every template and the stylesheet; a change here changes every page."""
BUILD_TIME_KEY = "build time"
"""The provenance label whose value the footer states first, as the build time."""
STATUSES = ("ok", "failed", "skipped", "pending")
QUARTER_LINKS = "quarter-links"
RELATED_LINKS = "related-links"
"""Names of the page blocks that navigation rewrites in place after later builds."""


@dataclass(frozen=True)
class NavLink:
    """A link to another report of the same quarter: file name, its title, how it relates."""

    href: str
    title: str
    relation: str


@dataclass(frozen=True)
class QuarterLinks:
    """The same page in the previous and next quarter, each None when it is not published."""

    page: str
    previous: str | None = None
    next: str | None = None


@dataclass(frozen=True)
class PageInfo:
    """Header lines of one report page, and its provenance (label -> value, shown in order).

    `index` is the link back to the quarter's index, None for a page published on its own.
    """

    title: str
    subtitle: str
    quarter: str
    data_as_of: str
    provenance: dict[str, str]
    index: str | None = "index.html"
    related: tuple[NavLink, ...] = ()
    quarters: QuarterLinks | None = None
    drill_downs: tuple[tuple[str, str], ...] = ()
    """(row label, report file) pairs: revenue table rows with this label link to the report."""


@dataclass(frozen=True)
class PackLink:
    """The board pack as a quarter's index links it: its file, its pages, and, when an earlier
    build printed it from pages that changed since, that build's time."""

    file: str
    pages: int
    earlier: str = ""


@dataclass(frozen=True)
class IndexEntry:
    """One report's line on a quarter index; `name` is also the page's file stem."""

    name: str
    title: str
    group: str
    status: str
    key_figure: str
    error: str
    duration_s: float | None
    page: bool = True
    """Whether the report has a page: the last good one when it failed since."""
    built_at: str | None = None
    """When an earlier build made this outcome; None when this build made it."""
    children: tuple[IndexEntry, ...] = ()
    """Reports that drill down from this one (disease areas of a therapy area, markets of a
    region), shown under its card."""


def _duration(seconds: float) -> str:
    """Format a run time as "12.3 s" or "4 min 05 s"."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


@functools.cache
def _pages() -> jinja2.Environment:
    """The Jinja environment for page shells and index pages, escaping by default."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["duration"] = _duration
    environment.globals["css"] = Markup((TEMPLATES / "style.css").read_text(encoding="utf-8"))
    return environment


def render_page(template: str, **context: Any) -> str:
    """Render one of the page templates (TEMPLATES)."""
    return _pages().get_template(template).render(**context)


def _nav_macro(name: str, *args: Any) -> str:
    """Render one macro of nav.html.j2, a block that navigation can rewrite in place."""
    return str(getattr(_pages().get_template("nav.html.j2").module, name)(*args))


def quarter_links_html(links: QuarterLinks) -> str:
    """The previous / next quarter links of a page, between their block markers."""
    return _nav_macro("quarter_links", links)


def related_links_html(links: Sequence[NavLink]) -> str:
    """The related reports of a page, between their block markers."""
    return _nav_macro("related_links", links)


def replace_block(html: str, name: str, block: str) -> str:
    """`html` with its marked block `name` replaced by `block` (which carries the markers)."""
    pattern = re.compile(f"<!--{name}-->.*?<!--/{name}-->", re.DOTALL)
    return pattern.sub(lambda _: block, html, count=1)


def quarter_index_html(
    quarter: str,
    entries: list[IndexEntry],
    *,
    company: str,
    quarters: QuarterLinks,
    built_at: str,
    warnings: Sequence[str] = (),
    reconciliation: Sequence[str] = (),
    pack: PackLink | None = None,
) -> str:
    """Render a quarter's index, headed by the company's name: problems, report cards (children
    under their parent), build log.

    `entries` are the top-level reports in reading order, each carrying its drill-downs;
    `pack` is the board pack's link, when there is one.
    """
    groups: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.group, []).append(entry)
    every = [report for entry in entries for report in (entry, *entry.children)]
    counts = Counter(entry.status for entry in every)
    return render_page(
        "quarter.html.j2",
        company=company,
        quarter=quarter,
        groups=groups,
        log=every,
        total=len(every),
        counts={status: counts[status] for status in STATUSES if counts[status]},
        quarters=quarters,
        built_at=built_at,
        warnings=warnings,
        reconciliation=reconciliation,
        pack=pack,
    )


def quarters_index_html(quarters: list[tuple[str, int, int]], company: str) -> str:
    """Render the company's list of quarters, each (quarter, reports ok, reports failed), newest
    first."""
    return render_page("quarters.html.j2", quarters=quarters, company=company)


@dataclass(frozen=True)
class PackCover:
    """What a board pack's cover says: whose, which quarter, from which data, when, how marked."""

    company: str
    quarter: str
    """The quarter's label, e.g. "Q3 2026"."""
    data_as_of: str
    fingerprint: str
    built_at: str
    classification: str
    left_out: tuple[str, ...] = ()
    """Reports not in the pack, each as "market-jp (failed)"."""

    @property
    def title(self) -> str:
        """The pack's title, e.g. "Example Bio · Board pack · Q3 2026"."""
        return f"{self.company} · Board pack · {self.quarter}"


@dataclass(frozen=True)
class PackEntry:
    """A line of a board pack's contents: a part's title, its first page and its group."""

    title: str
    page: int
    group: str = ""


PACK_PAGE_LINK = "pack-page:"
"""How a contents line's link names its page in the board pack ("pack-page:12"): printed as a
link to that address, which the pack turns into a link to the page."""


def pack_front_html(cover: PackCover, contents: Sequence[PackEntry]) -> str:
    """Render a board pack's cover and, from a new page, its contents, each line a link to its
    page (see PACK_PAGE_LINK)."""
    return render_page("pack_front.html.j2", cover=cover, contents=contents, link=PACK_PAGE_LINK)


def pack_definitions_html(cover: PackCover, terms: dict[str, str]) -> str:
    """Render a board pack's closing page: each term the reports use, with its definition."""
    return render_page("pack_definitions.html.j2", cover=cover, terms=terms)


def glossary_html(quarter: str, company: str, terms: dict[str, str]) -> str:
    """Render a quarter's glossary page: every term of its reports with its sentence."""
    return render_page("glossary.html.j2", quarter=quarter, company=company, terms=terms)
