"""A quarter's board pack: cover, contents, the reports and the definitions in one PDF.

Chromium prints every part (the reports without their own page numbers or definitions, see
`pdf.print_pages`; the cover, contents and definitions from HTML), pypdf joins them, adds a
bookmark per part and stamps a footer on every page: the classification and page numbers running
through the whole pack, printed by Chromium as a blank document of as many pages and laid over
each page.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import Any

from portfolio_reports.data.extras import import_extra
from portfolio_reports.presentation.pages import (
    PACK_PAGE_LINK,
    PackCover,
    PackEntry,
    pack_definitions_html,
    pack_front_html,
)
from portfolio_reports.presentation.pdf import (
    PAGE_NUMBERS,
    Pages,
    Printer,
    band,
    blank_pages,
    header,
    in_browser,
    print_html,
    print_pages,
    printing,
    stamp,
    write_pdf,
)

COVER = "Cover"
CONTENTS = "Contents"
DEFINITIONS = "Definitions"
REFERENCE = "Reference"
"""The contents' group of the pack's closing definitions."""


@dataclass(frozen=True)
class PackPart:
    """One report printed in the pack: its name, title, group and published page."""

    name: str
    title: str
    group: str
    html: Path


@dataclass(frozen=True)
class PackContent:
    """What a board pack prints: its cover, its reports in order and the glossary whose terms
    the reports print it defines (see `pdf.PrintedPart`)."""

    cover: PackCover
    parts: list[PackPart]
    terms: dict[str, str]


@dataclass(frozen=True)
class PrintedPack:
    """The pack as printed: its pages in all, and the first page (from 1) of each part."""

    pages: int
    starts: dict[str, int]
    """Part name (or COVER, CONTENTS, DEFINITIONS) -> its first page."""


def print_build(
    chromium: Path, pages: list[Path], pack: PackContent | None, target: Path, *, mark: str
) -> PrintedPack | None:
    """Print each HTML page to <page>.pdf beside it and, when given, the board pack to `target`,
    atomically, in one browser that prints each report once (see `pdf.print_pages`)."""
    parts = pack.parts if pack is not None else []

    def work(printer: Printer) -> PrintedPack | None:
        """Print the pages, then the pack from the same prints."""
        with tempfile.TemporaryDirectory(prefix="board-pack-") as folder:
            scratch = Path(folder)
            printed = print_pages(printer, pages, [part.html for part in parts], scratch, mark=mark)
            if pack is None:
                return None
            runs = [printed[part.html].runs for part in parts]
            used = {term for part in parts for term in printed[part.html].terms}
            terms = {term: sentence for term, sentence in pack.terms.items() if term in used}
            with printing(target.name):
                return _print_pack(printer, scratch, target, replace(pack, terms=terms), runs, mark)

    return in_browser(chromium, work)


def _print_pack(
    printer: Printer,
    work: Path,
    target: Path,
    pack: PackContent,
    printed: list[list[Pages]],
    mark: str,
) -> PrintedPack:
    """Join the reports printed into `work` with the cover, contents and definitions, bookmark
    and number them into `target`."""
    pypdf = import_extra("pypdf", "pdf")
    cover, parts = pack.cover, pack.parts
    lengths = [sum(run.count() for run in runs) for runs in printed]
    definitions = print_html(
        printer, work / "definitions", pack_definitions_html(cover, pack.terms), header=header(mark)
    )
    front_pages = 2  # the cover, and contents on one page unless it needs more
    while True:
        starts = _starts(parts, lengths, front_pages)
        entries = [PackEntry(part.title, starts[part.name], part.group) for part in parts]
        entries.append(PackEntry(DEFINITIONS, starts[DEFINITIONS], REFERENCE))
        front = print_html(
            printer, work / "front", pack_front_html(cover, entries), header=header(mark)
        )
        length = len(pypdf.PdfReader(front).pages)
        if length == front_pages:
            break
        front_pages = length
    writer = pypdf.PdfWriter()
    for run in (Pages(front), *(run for runs in printed for run in runs), Pages(definitions)):
        run.append_to(writer)
    total = len(writer.pages)
    writer.add_outline_item(title=COVER, page_number=0)
    writer.add_outline_item(title=CONTENTS, page_number=1)
    for part in parts:
        writer.add_outline_item(title=part.title, page_number=starts[part.name] - 1)
    writer.add_outline_item(title=DEFINITIONS, page_number=starts[DEFINITIONS] - 1)
    _link_contents(writer, front_pages)
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": cover.title})
    stamp(writer, blank_pages(printer, work / "footers", total, footer(cover)))
    write_pdf(writer, target)
    return PrintedPack(total, {COVER: 1, CONTENTS: 2, **starts})


def _link_contents(writer: Any, front_pages: int) -> None:
    """Turn each contents line's printed link to "pack-page:N" into a link to page N."""
    annotations = import_extra("pypdf.annotations", "pdf")
    generic = import_extra("pypdf.generic", "pdf")
    for number in range(front_pages):
        page = writer.pages[number]
        links, kept = [], []
        for annotation in page.get("/Annots", []):
            action = annotation.get_object().get("/A", {})
            target = str(action.get("/URI", ""))
            if target.startswith(PACK_PAGE_LINK):
                rect = [float(edge) for edge in annotation.get_object()["/Rect"]]
                links.append((rect, int(target.removeprefix(PACK_PAGE_LINK)) - 1))
            else:
                kept.append(annotation)
        if not links:
            continue
        page[generic.NameObject("/Annots")] = generic.ArrayObject(kept)
        for rect, target_page in links:
            writer.add_annotation(
                number, annotations.Link(rect=rect, target_page_index=target_page)
            )


def _starts(parts: list[PackPart], lengths: list[int], front_pages: int) -> dict[str, int]:
    """The first page of each part and of the definitions, after `front_pages` pages."""
    starts = {}
    page = front_pages + 1
    for part, length in zip(parts, lengths, strict=True):
        starts[part.name] = page
        page += length
    starts[DEFINITIONS] = page
    return starts


def footer(cover: PackCover) -> str:
    """The pack's running footer: its classification, and the page number in the whole pack."""
    return band(escape(cover.classification), PAGE_NUMBERS)
