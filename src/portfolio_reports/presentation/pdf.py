"""Print published report pages to A4 PDF for board packs, with headless Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path
from typing import Any, TypeVar

from portfolio_reports.data.extras import import_extra
from portfolio_reports.errors import InputError, RenderError
from portfolio_reports.paths import scratch_path

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


def header(mark: str) -> str:
    """The running header: the page's title (report and quarter) and the data's mark."""
    return band('<span class="title"></span>', escape(mark))


def print_pdfs(pages: Iterable[Path], chromium: Path, *, mark: str) -> list[Path]:
    """Print each HTML page to <page>.pdf beside it, atomically, with one browser for all."""
    pages = list(pages)

    def print_each(printer: Printer) -> list[Path]:
        """Print every page with its running header and page numbers."""
        for html in pages:
            printer.print(html, html.with_suffix(".pdf"), header=header(mark), footer=FOOTER)
        return [html.with_suffix(".pdf") for html in pages]

    return in_browser(chromium, print_each)


class Printer:
    """One Chromium tab printing HTML files to A4 PDF files."""

    def __init__(self, page: Any, error: type[Exception]) -> None:
        self._page = page
        self._error = error

    def print(self, html: Path, pdf: Path, *, header: str, footer: str, style: str = "") -> Path:
        """Print the HTML file to `pdf`, atomically, its folds opened, with these running
        header and footer templates (Chromium fills their pageNumber, totalPages and title) and
        `style` added to the page's own."""
        self._page.goto(html.resolve().as_uri(), wait_until="load")
        if style:
            self._page.add_style_tag(content=style)
        self._page.evaluate(OPEN_DETAILS)
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
            )
            os.replace(scratch, pdf)
        except self._error as error:
            message = (str(error).strip().splitlines() or [""])[0]
            raise RenderError(f"{pdf}: cannot print the page: {message}") from error
        finally:
            scratch.unlink(missing_ok=True)
        return pdf


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
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            return work(Printer(browser.new_page(), sync_api.Error))
        finally:
            browser.close()
