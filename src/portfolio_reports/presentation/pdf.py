"""Print published report pages to A4 PDF for board packs, with headless Chromium via Playwright.

Each page is printed once, without page numbers: its own PDF gets them laid over each page with
pypdf, from a blank document of as many pages that Chromium prints with the running footer. The
board pack takes the same print, bar its last pages, which it prints again without the page's
own definitions (see `print_pages`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from portfolio_reports.data.extras import import_extra
from portfolio_reports.errors import InputError, RenderError
from portfolio_reports.paths import scratch_path, write_text_atomic
from portfolio_reports.presentation.tables import GLOSSARY_CLASS

CHROMIUM_ENV = "PORTFOLIO_REPORTS_CHROMIUM"
"""Environment variable naming the Chromium executable to print with."""
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")
PATH_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MARGINS = {"top": "16mm", "bottom": "13mm", "left": "12mm", "right": "12mm"}
"""A4 page margins; the running header and the page numbers sit in the top and bottom ones."""
SCALE = 0.9
"""Print scale: body text near 8.5 pt and tables near 7.5 pt, still easy to read on A4."""
HALF = 0.5
"""A page less used than this is short: only a document's last page may be."""
CLOSER = (
    "@media print { body { line-height: 1.3; } h2, h3, h4 { margin: 0.6em 0 0.2em; }"
    " .report figure { margin: 0.25rem 0; } .report p, .report ul { margin: 0.2em 0; } }"
)
"""Closer print spacing, text sizes unchanged: a board pack part whose last page would hold
little is printed again with it, and takes that print where it needs fewer pages."""
_BAND = (
    'style="font: 7.5pt system-ui, sans-serif; color: #555; width: 100%; margin: 0 12mm;'
    ' display: flex; justify-content: space-between;"'
)
PAGE_NUMBERS = 'Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
"""Chromium fills these spans with the page's number and the document's count of pages."""
EMPTY = "<span></span>"
"""A running header or footer with nothing in it."""
T = TypeVar("T")


def band(left: str, right: str) -> str:
    """A running header or footer: `left` and `right` (HTML) at the page's two edges."""
    return f"<div {_BAND}><span>{left}</span><span>{right}</span></div>"


FOOTER = band("", PAGE_NUMBERS)
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"
DEFINITIONS_HEADING = f"div.markdown:has(+ div.output details.{GLOSSARY_CLASS})"
"""The cell heading a page's own definitions."""
WITHOUT_PAGE_DEFINITIONS = (
    f"{DEFINITIONS_HEADING}, div.output:has(details.{GLOSSARY_CLASS}) {{ display: none; }}"
)
"""A report in the board pack prints without its own definitions (heading and block): the
pack's closing definitions hold every term once."""
PRINTED_TERMS = (
    f"() => [...document.querySelectorAll('details.{GLOSSARY_CLASS} tbody tr:not(.print-omit)')]"
    ".map(row => row.firstElementChild.textContent.trim())"
)
"""The terms the open page's print defines: the rows of its definitions that print."""
DEFINITIONS_ID = (
    f"() => document.querySelector('{DEFINITIONS_HEADING} :is(h1, h2, h3, h4, h5, h6)[id]')"
    "?.id ?? null"
)
"""The id of the heading of the page's own definitions: the contents link it, so Chromium
names its place in the PDF (a named destination)."""


def find_chromium() -> Path:
    """The Chromium to print with: $PORTFOLIO_REPORTS_CHROMIUM, /usr/bin/chromium, then PATH."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        if Path(named).is_file():
            return Path(named)
        raise InputError(f"{CHROMIUM_ENV}={named}: no such file; point it at a Chromium binary")
    if SYSTEM_CHROMIUM.is_file():
        return SYSTEM_CHROMIUM
    for name in PATH_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise InputError(
        f"PDF output needs Chromium: set {CHROMIUM_ENV}, install /usr/bin/chromium"
        f" (apt-get install -y chromium) or put one of {', '.join(PATH_NAMES)} on PATH"
    )


def check_pdf_support() -> Path:
    """Check that PDFs can be printed here, before a build runs; return the browser to use."""
    import_extra("playwright.sync_api", "pdf")
    import_extra("pypdf", "pdf")
    return find_chromium()


@contextmanager
def printing(what: str) -> Iterator[None]:
    """Raise an error met while printing `what` (a page, the board pack) as one RenderError line
    naming it and the cause: the browser's, a PDF's, a template's or the file system's."""
    causes = (
        OSError,
        jinja2.TemplateError,
        import_extra("playwright.sync_api", "pdf").Error,
        import_extra("pypdf", "pdf").errors.PyPdfError,
    )
    try:
        yield
    except RenderError:
        raise
    except causes as error:
        cause = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise RenderError(f"{what}: cannot print: {cause}") from error


def header(mark: str) -> str:
    """The running header: the page's title (report and quarter) and the data's mark."""
    return band('<span class="title"></span>', escape(mark))


def print_pdfs(pages: Iterable[Path], chromium: Path, *, mark: str) -> list[Path]:
    """Print each HTML page to <page>.pdf beside it, atomically, with one browser for all."""
    pages = list(pages)

    def print_each(printer: Printer) -> list[Path]:
        """Print every page once, then number its pages."""
        with tempfile.TemporaryDirectory(prefix="pdf-") as folder:
            print_pages(printer, pages, [], Path(folder), mark=mark)
        return [html.with_suffix(".pdf") for html in pages]

    return in_browser(chromium, print_each)


@dataclass(frozen=True)
class Pages:
    """A printed PDF's pages: all of them, or those from the first to before the second of
    `span` (counted from 0)."""

    pdf: Path
    span: tuple[int, int] | None = None

    def count(self) -> int:
        """How many pages these are."""
        if self.span is None:
            return len(import_extra("pypdf", "pdf").PdfReader(self.pdf).pages)
        return self.span[1] - self.span[0]

    def append_to(self, writer: Any) -> None:
        """Append these pages to a pypdf writer, without the PDF's outline."""
        writer.append(str(self.pdf), pages=self.span, import_outline=False)


@dataclass(frozen=True)
class PrintedPart:
    """A report as the board pack holds it: its runs of printed pages, and the terms its print
    defines, which the pack's closing definitions hold instead."""

    runs: list[Pages]
    terms: list[str]


def print_pages(
    printer: Printer, pages: list[Path], parts: list[Path], work: Path, *, mark: str
) -> dict[Path, PrintedPart]:
    """Print each HTML page once: those of `pages` to <page>.pdf beside it, with page numbers;
    those of `parts` into `work` as the board pack holds them, without page numbers or their own
    definitions. Returns each part as printed by its page.

    A page of both is printed once with its definitions, and its last pages again without them
    from the page before the definitions start (the pages after the body may fill the body's last
    page otherwise); the pack takes the first print's pages before those.
    """
    pypdf = import_extra("pypdf", "pdf")
    numbered: list[tuple[Path, Path]] = []
    printed: dict[Path, PrintedPart] = {}
    for index, html in enumerate(dict.fromkeys([*pages, *parts])):
        with printing(html.name):
            printer.open(html)
            start, own = 1, None
            if html in pages:
                own = printer.pdf(work / f"{index}.pdf", header=header(mark))
                numbered.append((own, html.with_suffix(".pdf")))
            if html not in parts:
                continue
            if own is not None:
                begins = _named_page(pypdf.PdfReader(own), printer.definitions())
                start = max(1, (begins or 1) - 1)
            terms = printer.printed_terms()
            printer.add_style(WITHOUT_PAGE_DEFINITIONS)
            rest = printer.pdf(work / f"{index}-part.pdf", header=header(mark), pages=f"{start}-")
            before = [Pages(own, (0, start - 1))] if own is not None and start > 1 else []
            runs = [*before, Pages(rest)]
            if page_use(pypdf.PdfReader(rest).pages[-1]) < HALF:
                runs = _closer(printer, work / f"{index}-closer.pdf", runs, mark)
            printed[html] = PrintedPart(runs, terms)
    stamps: dict[int, Path] = {}
    for own, target in numbered:
        with printing(target.with_suffix(".html").name):
            writer = pypdf.PdfWriter(clone_from=own)
            count = len(writer.pages)
            if count not in stamps:
                stamps[count] = blank_pages(printer, work / f"numbers-{count}", count, FOOTER)
            stamp(writer, stamps[count])
            write_pdf(writer, target)
    return printed


def _closer(printer: Printer, pdf: Path, part: list[Pages], mark: str) -> list[Pages]:
    """The open part printed again to `pdf` with closer spacing (CLOSER) where that takes
    fewer pages than `part`, none of them short but the last; else `part`."""
    printer.add_style(CLOSER)
    closer = import_extra("pypdf", "pdf").PdfReader(printer.pdf(pdf, header=header(mark)))
    used = [page_use(page) for page in closer.pages[:-1]]
    fewer = len(closer.pages) < sum(pages.count() for pages in part)
    return [Pages(pdf)] if fewer and all(share >= HALF for share in used) else part


def page_use(page: Any) -> float:
    """How far down a printed page (a pypdf page) its text runs, as a share of the space
    between its top and bottom margins."""
    top = float(page.mediabox.top) - _points(MARGINS["top"])
    bottom = _points(MARGINS["bottom"])
    heights = []

    def seen(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        y = cm[5] + tm[5] * cm[3]
        if text.strip() and bottom < y < top:
            heights.append(y)

    page.extract_text(visitor_text=seen)
    return (top - min(heights, default=top)) / (top - bottom)


def _points(millimetres: str) -> float:
    """A length such as "16mm" in PDF points."""
    return float(millimetres.removesuffix("mm")) / 25.4 * 72


def _named_page(reader: Any, name: str | None) -> int | None:
    """The page (from 1) of the PDF's destination of that name; None without one."""
    destinations = reader.named_destinations
    found = destinations.get(f"/{name}", destinations.get(name)) if name else None
    return None if found is None else reader.get_destination_page_number(found) + 1


def print_html(
    printer: Printer, stem: Path, html: str, *, header: str, footer: str = EMPTY
) -> Path:
    """Write an HTML document to <stem>.html and print it to <stem>.pdf."""
    page = stem.with_suffix(".html")
    write_text_atomic(page, html)
    return printer.print(page, stem.with_suffix(".pdf"), header=header, footer=footer)


def blank_pages(printer: Printer, stem: Path, count: int, footer: str) -> Path:
    """Print to <stem>.pdf `count` blank pages with this running footer, to lay over others."""
    pages = '<div style="break-after: page; height: 1px"></div>' * (count - 1) + "<div></div>"
    html = f"<!DOCTYPE html><html><head><title></title></head><body>{pages}</body></html>"
    return print_html(printer, stem, html, header=EMPTY, footer=footer)


def stamp(writer: Any, stamps: Path) -> None:
    """Lay each page of the PDF `stamps` over the writer's page of the same number."""
    pypdf = import_extra("pypdf", "pdf")
    for page, over in zip(writer.pages, pypdf.PdfReader(stamps).pages, strict=True):
        page.merge_page(over)


def write_pdf(writer: Any, target: Path) -> None:
    """Write a pypdf writer's document to `target`, atomically."""
    scratch = scratch_path(target)
    try:
        with scratch.open("wb") as handle:
            writer.write(handle)
        os.replace(scratch, target)
    finally:
        scratch.unlink(missing_ok=True)


class Printer:
    """One Chromium tab printing HTML files to A4 PDF files."""

    def __init__(self, page: Any) -> None:
        self._page = page

    def open(self, html: Path) -> None:
        """Load the HTML file, its folds opened."""
        self._page.goto(html.resolve().as_uri(), wait_until="load")
        self._page.evaluate(OPEN_DETAILS)

    def add_style(self, style: str) -> None:
        """Add `style` to the open page's own."""
        self._page.add_style_tag(content=style)

    def printed_terms(self) -> list[str]:
        """The terms the open page's print defines."""
        return [str(term) for term in self._page.evaluate(PRINTED_TERMS)]

    def definitions(self) -> str | None:
        """The id of the heading of the open page's own definitions; None without one."""
        heading = self._page.evaluate(DEFINITIONS_ID)
        return heading if isinstance(heading, str) else None

    def pdf(self, pdf: Path, *, header: str, footer: str = EMPTY, pages: str = "") -> Path:
        """Print the open page to `pdf`, atomically, with these running header and footer
        templates (Chromium fills their pageNumber, totalPages and title); `pages` names the
        pages to print ("3-": from the third), all when empty."""
        scratch = scratch_path(pdf)
        try:
            self._page.pdf(
                path=str(scratch),
                format="A4",
                scale=SCALE,
                margin=MARGINS,
                print_background=True,
                display_header_footer=True,
                header_template=header,
                footer_template=footer,
                page_ranges=pages,
            )
            os.replace(scratch, pdf)
        finally:
            scratch.unlink(missing_ok=True)
        return pdf

    def print(self, html: Path, pdf: Path, *, header: str, footer: str, style: str = "") -> Path:
        """Print the HTML file to `pdf`, atomically, its folds opened, with these running
        header and footer templates and `style` added to the page's own."""
        self.open(html)
        if style:
            self.add_style(style)
        return self.pdf(pdf, header=header, footer=footer)


def in_browser(chromium: Path, work: Callable[[Printer], T]) -> T:
    """Run `work` with a Printer on one headless Chromium, closed afterwards.

    Playwright runs in a thread of its own: its sync API refuses a thread whose asyncio loop
    runs (a build started from a notebook) or that already drives a browser.
    """
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(_in_browser, chromium, work).result()


def _in_browser(chromium: Path, work: Callable[[Printer], T]) -> T:
    """Run `work` with a Printer on one Chromium, in the calling thread."""
    sync_api = import_extra("playwright.sync_api", "pdf")
    with sync_api.sync_playwright() as playwright:
        with printing(f"Chromium ({chromium})"):
            browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            return work(Printer(browser.new_page()))
        finally:
            browser.close()
