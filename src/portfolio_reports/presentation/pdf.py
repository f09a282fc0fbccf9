"""Print published report pages to A4 PDF for board packs, with headless Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path

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
FOOTER = (
    f'<div {_BAND}><span></span><span>Page <span class="pageNumber"></span>'
    ' of <span class="totalPages"></span></span></div>'
)
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
    return find_chromium()


def header(mark: str) -> str:
    """The running header: the page's title (report and quarter) and the data's mark."""
    return f'<div {_BAND}><span class="title"></span><span>{escape(mark)}</span></div>'


def print_pdfs(pages: Iterable[Path], chromium: Path, *, mark: str) -> list[Path]:
    """Print each HTML page to <page>.pdf beside it, atomically, with one browser for all.

    Playwright runs in a thread of its own: its sync API refuses a thread whose asyncio loop
    runs (a build started from a notebook) or that already drives a browser.
    """
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(_print_pdfs, list(pages), chromium, mark).result()


def _print_pdfs(pages: list[Path], chromium: Path, mark: str) -> list[Path]:
    """Print the pages with one Chromium, in the calling thread."""
    sync_api = import_extra("playwright.sync_api", "pdf")
    printed = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            for html in pages:
                pdf = html.with_suffix(".pdf")
                page.goto(html.resolve().as_uri(), wait_until="load")
                page.evaluate(OPEN_DETAILS)
                scratch = scratch_path(pdf)
                try:
                    page.pdf(
                        path=str(scratch),
                        format="A4",
                        scale=SCALE,
                        margin=MARGINS,
                        print_background=True,
                        display_header_footer=True,
                        header_template=header(mark),
                        footer_template=FOOTER,
                    )
                    os.replace(scratch, pdf)
                except sync_api.Error as error:
                    message = (str(error).strip().splitlines() or [""])[0]
                    raise RenderError(f"{pdf}: cannot print the page: {message}") from error
                finally:
                    scratch.unlink(missing_ok=True)
                printed.append(pdf)
        finally:
            browser.close()
    return printed
