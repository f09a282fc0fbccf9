"""A quarter's board pack: cover, contents, the reports and the definitions in one PDF.

Chromium prints every part (the reports without their own page numbers, the cover, contents and
definitions from HTML), pypdf joins them, adds a bookmark per part and stamps a footer on every
page: the classification and page numbers running through the whole pack, printed by Chromium as
a blank document of as many pages and laid over each page.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from html import escape
from pathlib import Path

from portfolio_reports.data.extras import import_extra
from portfolio_reports.paths import scratch_path, write_text_atomic
from portfolio_reports.presentation.pdf import (
    EMPTY,
    PAGE_NUMBERS,
    Printer,
    band,
    header,
    in_browser,
)
from portfolio_reports.presentation.render import (
    PackCover,
    PackEntry,
    pack_definitions_html,
    pack_front_html,
)
from portfolio_reports.presentation.tables import GLOSSARY_CLASS

COVER = "Cover"
CONTENTS = "Contents"
DEFINITIONS = "Definitions"
REFERENCE = "Reference"
"""The contents' group of the pack's closing definitions."""
WITHOUT_PAGE_DEFINITIONS = (
    f"div.markdown:has(+ div.output details.{GLOSSARY_CLASS}),"
    f" div.output:has(details.{GLOSSARY_CLASS}) {{ display: none; }}"
)
"""A report in the pack prints without its own definitions (heading and block): the pack's
closing definitions hold every term once."""


@dataclass(frozen=True)
class PackPart:
    """One report printed in the pack: its name, title, group and published page."""

    name: str
    title: str
    group: str
    html: Path


@dataclass(frozen=True)
class PrintedPack:
    """The pack as printed: its pages in all, and the first page (from 1) of each part."""

    pages: int
    starts: dict[str, int]
    """Part name (or COVER, CONTENTS, DEFINITIONS) -> its first page."""


def print_pack(
    target: Path,
    chromium: Path,
    cover: PackCover,
    parts: list[PackPart],
    terms: dict[str, str],
    *,
    mark: str,
) -> PrintedPack:
    """Print the board pack to `target`, atomically."""
    with tempfile.TemporaryDirectory(prefix="board-pack-") as folder:
        work = Path(folder)
        return in_browser(
            chromium,
            lambda printer: _print_pack(printer, work, target, cover, parts, terms, mark),
        )


def _print_pack(
    printer: Printer,
    work: Path,
    target: Path,
    cover: PackCover,
    parts: list[PackPart],
    terms: dict[str, str],
    mark: str,
) -> PrintedPack:
    """Print every part into `work`, then join, bookmark and number them into `target`."""
    pypdf = import_extra("pypdf", "pdf")
    printed = [
        printer.print(
            part.html,
            work / f"{index}.pdf",
            header=header(mark),
            footer=EMPTY,
            style=WITHOUT_PAGE_DEFINITIONS,
        )
        for index, part in enumerate(parts)
    ]
    lengths = [len(pypdf.PdfReader(pdf).pages) for pdf in printed]
    definitions = _print_html(
        printer, work / "definitions", pack_definitions_html(cover, terms), header(mark)
    )
    front_pages = 2  # the cover, and contents on one page unless it needs more
    while True:
        starts = _starts(parts, lengths, front_pages)
        entries = [PackEntry(part.title, starts[part.name], part.group) for part in parts]
        entries.append(PackEntry(DEFINITIONS, starts[DEFINITIONS], REFERENCE))
        front = _print_html(printer, work / "front", pack_front_html(cover, entries), header(mark))
        length = len(pypdf.PdfReader(front).pages)
        if length == front_pages:
            break
        front_pages = length
    writer = pypdf.PdfWriter()
    for pdf in (front, *printed, definitions):
        writer.append(str(pdf), import_outline=False)
    total = len(writer.pages)
    writer.add_outline_item(title=COVER, page_number=0)
    writer.add_outline_item(title=CONTENTS, page_number=1)
    for part in parts:
        writer.add_outline_item(title=part.title, page_number=starts[part.name] - 1)
    writer.add_outline_item(title=DEFINITIONS, page_number=starts[DEFINITIONS] - 1)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": cover.title})
    footers = _print_html(printer, work / "footers", _blank_pages(total), EMPTY, footer(cover))
    for page, stamp in zip(writer.pages, pypdf.PdfReader(footers).pages, strict=True):
        page.merge_page(stamp)
    scratch = scratch_path(target)
    try:
        with scratch.open("wb") as handle:
            writer.write(handle)
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)
    return PrintedPack(total, {COVER: 1, CONTENTS: 2, **starts})


def _starts(parts: list[PackPart], lengths: list[int], front_pages: int) -> dict[str, int]:
    """The first page of each part and of the definitions, after `front_pages` pages."""
    starts = {}
    page = front_pages + 1
    for part, length in zip(parts, lengths, strict=True):
        starts[part.name] = page
        page += length
    starts[DEFINITIONS] = page
    return starts


def _print_html(
    printer: Printer, stem: Path, html: str, running_header: str, running_footer: str = EMPTY
) -> Path:
    """Print an HTML document of the pack to <stem>.pdf."""
    page = stem.with_suffix(".html")
    write_text_atomic(page, html)
    return printer.print(
        page, stem.with_suffix(".pdf"), header=running_header, footer=running_footer
    )


def footer(cover: PackCover) -> str:
    """The pack's running footer: its classification, and the page number in the whole pack."""
    return band(escape(cover.classification), PAGE_NUMBERS)


def _blank_pages(count: int) -> str:
    """An HTML document of `count` blank pages."""
    pages = '<div style="break-after: page; height: 1px"></div>' * (count - 1) + "<div></div>"
    return f"<!DOCTYPE html><html><head><title></title></head><body>{pages}</body></html>"
