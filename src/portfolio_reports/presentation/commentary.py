"""An analyst's commentary: a Markdown file rendered safely, marked as the analyst's own words."""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from markdown_it import MarkdownIt

from portfolio_reports.data.limits import COMMENTARY_CHARS
from portfolio_reports.errors import ParamsError
from portfolio_reports.presentation.tables import Html

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


def commentary_html(path: str | Path, *, author: str = "Analyst commentary") -> Html:
    """The commentary file as a marked aside; a file that cannot be read or is longer than
    COMMENTARY_CHARS raises ParamsError naming it."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ParamsError(
            f"{path}: cannot read the commentary ({type(error).__name__}); it must be a UTF-8"
            " Markdown file"
        ) from error
    if len(text) > COMMENTARY_CHARS:
        raise ParamsError(
            f"{path}: commentary of {len(text):,} characters; at most {COMMENTARY_CHARS:,} are"
            " shown under the highlights"
        )
    if not text.strip():
        return Html("")
    return Html(
        f'<aside class="commentary" aria-label="{escape(author)}">'
        f'<p class="commentary-label">{escape(author)}: the analyst\'s own words, not computed'
        f" from the data</p>{markdown_html(text)}</aside>"
    )
