"""Small text helpers shared by every layer: error lines, counted nouns, quotes, masked secrets."""

from __future__ import annotations

import re
import reprlib

FIRST_LINE_MAX = 300
"""Characters kept of an error's first line."""
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters but tab and line feed: never printed from a file, nor published."""
MASK = "***"
"""What a secret in a data location is shown as."""
SECRET_QUERY_VALUE = re.compile(
    r"(?P<key>[?&;][^=&;#]*(?:pass|pwd|secret|token|key|auth|credential)[^=&;#]*=)[^&;#]*",
    re.IGNORECASE,
)
"""A URL query value whose name says it is a secret: ?password=..., &sslpassword=..., &token=..."""
QUOTED_CHARS = 80
"""Characters kept of a value quoted from a file in a problem line."""
_QUOTE = reprlib.Repr()
_QUOTE.maxstring = _QUOTE.maxother = QUOTED_CHARS


def first_line(text: object, default: str = "") -> str:
    """The first non-blank line of a message, cut to FIRST_LINE_MAX characters."""
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[0][:FIRST_LINE_MAX] if lines else default


def printable_line(text: str, limit: int = FIRST_LINE_MAX) -> str:
    """The first non-blank line of text read from a file, control characters dropped, cut to
    `limit` characters: safe to print to a terminal."""
    line = first_line(CONTROL_CHARACTERS.sub("", text.replace("\r", "\n")), "")
    return line if len(line) <= limit else f"{line[: limit - 3]}..."


def error_line(error: object) -> str:
    """An error's first line, or its type's name when its message is empty."""
    return first_line(error, default=type(error).__name__)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun in the form that goes with `count`: "row" for 1, "rows" (or `plural_form`) else."""
    if count == 1:
        return singular
    return plural_form if plural_form is not None else f"{singular}s"


def counted(count: int, singular: str, plural_form: str | None = None) -> str:
    """A count with its noun, e.g. "1 approval", "1,204 approvals"."""
    return f"{count:,} {plural(count, singular, plural_form)}"


def shown_location(location: object) -> str:
    """A data source as it may be shown anywhere: a URL's password and secret query values
    (password=, token=, ...) masked as ***; a path as it is."""
    text = str(location)
    scheme, separator, rest = text.partition("://")
    if not separator:
        return text
    query_start = rest.find("?")
    head, query = (rest, "") if query_start < 0 else (rest[:query_start], rest[query_start:])
    user, at, host = head.rpartition("@")  # a password may hold '/', so no urlsplit
    if at and ":" in user:
        head = f"{user.split(':', 1)[0]}:{MASK}@{host}"
    query = SECRET_QUERY_VALUE.sub(lambda match: f"{match['key']}{MASK}", query)
    return f"{scheme}{separator}{head}{query}"


def quoted(value: object) -> str:
    """A value from a file as a literal in quotes, control characters escaped, long ones cut.

    E.g. 'Neuro', or 'xxxxxxxxxxxx...xxxxxxxxxxxx' for a value of more than QUOTED_CHARS.
    """
    return _QUOTE.repr(value)


def cut(text: str) -> str:
    """Text from a file as written, control characters escaped, cut like `quoted` when long."""
    return quoted(text)[1:-1] if isinstance(text, str) else quoted(text)
