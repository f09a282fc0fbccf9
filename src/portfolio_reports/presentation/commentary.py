"""An analyst's commentary: a Markdown file rendered safely, marked as the analyst's own words."""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from portfolio_reports.data.limits import COMMENTARY_CHARS
from portfolio_reports.errors import ParamsError
from portfolio_reports.presentation.tables import Html
from portfolio_reports.text import CONTROL_CHARACTERS

LINK_SCHEMES = frozenset({"http", "https"})
"""The only links commentary may hold; any other link is shown as its text."""


class _SafeMarkdown(MarkdownIt):
    """CommonMark without raw HTML or images, with links to http(s) only."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})
        self.disable("image")

    def validateLink(self, url: str) -> bool:
        """Allow a link only to an http or https address."""
        return urlsplit(url.strip()).scheme.lower() in LINK_SCHEMES


def markdown_html(text: str) -> str:
    """Markdown as HTML with raw HTML escaped, images left out and links limited to http(s)."""
    return _SafeMarkdown().render(text)


def read_commentary(path: str | Path) -> str:
    """A commentary file's text, its size checked before it is read; raises ParamsError naming
    the file when it is too large, not UTF-8, or holds control characters other than tab and
    line breaks."""
    limit = COMMENTARY_CHARS * 4  # the most bytes COMMENTARY_CHARS characters take in UTF-8
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise ParamsError(
            f"{path}: cannot read the commentary ({error.strerror or type(error).__name__})"
        ) from error
    if len(data) > limit:
        raise ParamsError(
            f"{path}: commentary larger than {limit:,} bytes; at most {COMMENTARY_CHARS:,}"
            " characters are shown under the highlights"
        )
    try:
        text = data.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ParamsError(
            f"{path} line {line}: bytes that are not UTF-8; save the commentary as UTF-8"
        ) from error
    if len(text) > COMMENTARY_CHARS:
        raise ParamsError(
            f"{path}: commentary of {len(text):,} characters; at most {COMMENTARY_CHARS:,} are"
            " shown under the highlights"
        )
    control = CONTROL_CHARACTERS.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        column = control.start() - text.rfind("\n", 0, control.start())
        raise ParamsError(
            f"{path} line {line} column {column}: control character"
            f" U+{ord(control.group()):04X}; commentary holds text, tabs and line breaks only"
        )
    return text


def commentary_html(path: str | Path, *, author: str = "Analyst commentary") -> Html:
    """The commentary file as a marked aside; a file read_commentary refuses raises ParamsError
    naming it."""
    text = read_commentary(path)
    if not text.strip():
        return Html("")
    return Html(
        f'<aside class="commentary" aria-label="{escape(author)}">'
        f'<p class="commentary-label">{escape(author)}: the analyst\'s own words, not computed'
        f" from the data</p>{markdown_html(text)}</aside>"
    )
