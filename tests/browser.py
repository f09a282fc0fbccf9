"""Open local pages in a local chromium through Playwright and record what the page does."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from playwright.sync_api import Browser as PlaywrightBrowser
from playwright.sync_api import ConsoleMessage, Dialog, Page, Playwright, Request, sync_playwright

CHROMIUM_ENV = "PORTFOLIO_REPORTS_CHROMIUM"
"""Names the chromium executable to use before any other."""
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
PATH_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
NO_CHROMIUM = (
    f"no chromium for the browser tests: set {CHROMIUM_ENV} to a chromium executable, or run"
    " `make browsers` (Playwright's download; Debian's chromium as root); a snap cannot open them"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HEIGHT = 800
LOCAL_SCHEMES = ("file:", "data:")


class NoChromiumError(Exception):
    """No usable chromium on this machine."""


def is_snap(path: Path) -> bool:
    """Whether path runs a snap (Ubuntu's chromium), which cannot read pages under /tmp."""
    real = path.resolve()
    if real.parts[1:2] == ("snap",):
        return True
    with real.open("rb") as handle:
        head = handle.read(4096)
    return head.startswith(b"#!") and b"/snap/" in head


def find_chromium(playwright_download: Path) -> Path:
    """$PORTFOLIO_REPORTS_CHROMIUM, Debian's, one on PATH (no snap) or Playwright's download."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        if not os.access(configured, os.X_OK):
            raise NoChromiumError(f"{CHROMIUM_ENV}={configured}: not an executable file")
        return Path(configured)
    on_path = [shutil.which(name) for name in PATH_NAMES]
    for path in [DEBIAN_CHROMIUM, *(Path(found) for found in on_path if found)]:
        if os.access(path, os.X_OK) and path.is_file() and not is_snap(path):
            return path
    if os.access(playwright_download, os.X_OK):
        return playwright_download
    raise NoChromiumError(NO_CHROMIUM)


@dataclass
class Visit:
    """One page opened at one width, with everything it logged, requested or raised."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def remote_requests(self) -> list[str]:
        """Requests for anything but a local file or inline data."""
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]

    def screenshot(self, path: Path) -> Path:
        """Save a full-page screenshot, creating the folder."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        """Close the page."""
        self.page.close()


class Browser:
    """A local chromium (see `find_chromium`) driven by Playwright; use as a context manager."""

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._browser: PlaywrightBrowser | None = None

    def __enter__(self) -> Browser:
        self._playwright = sync_playwright().start()
        try:
            executable = find_chromium(Path(self._playwright.chromium.executable_path))
        except NoChromiumError:
            self._playwright.stop()
            raise
        self._browser = self._playwright.chromium.launch(
            executable_path=str(executable), args=CHROMIUM_ARGS
        )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()

    def visit(self, path: Path, width: int, height: int = HEIGHT) -> Visit:
        """Open a local file at a viewport size and wait until it has loaded."""
        if self._browser is None:
            raise RuntimeError("use Browser as a context manager")
        page = self._browser.new_page(viewport={"width": width, "height": height})
        visit = Visit(page)
        page.on("console", lambda message: _console_error(visit, message))
        page.on("pageerror", lambda error: visit.page_errors.append(str(error)))
        page.on("request", lambda request: visit.requests.append(request.url))
        page.on("requestfailed", lambda request: visit.failed_requests.append(_failure(request)))
        page.on("dialog", lambda dialog: _dismiss(visit, dialog))
        page.goto(path.resolve().as_uri(), wait_until="load")
        return visit


def _console_error(visit: Visit, message: ConsoleMessage) -> None:
    """Keep console messages of type error."""
    if message.type == "error":
        visit.console_errors.append(message.text)


def _failure(request: Request) -> str:
    """A failed request as "URL: reason"."""
    return f"{request.url}: {request.failure}"


def _dismiss(visit: Visit, dialog: Dialog) -> None:
    """Record a dialog and dismiss it, so the page does not hang."""
    visit.dialogs.append(f"{dialog.type}: {dialog.message}")
    dialog.dismiss()


def main() -> int:
    """Print the chromium the browser tests would drive (exit 0), or why there is none (exit 1)."""
    with sync_playwright() as playwright:
        try:
            print(find_chromium(Path(playwright.chromium.executable_path)))
        except NoChromiumError as error:
            print(error, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
