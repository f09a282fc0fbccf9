"""Small text helpers shared by every layer: an error's first line, a counted noun."""

from __future__ import annotations

FIRST_LINE_MAX = 300
"""Characters kept of an error's first line."""


def first_line(text: object, default: str = "") -> str:
    """The first non-blank line of a message, cut to FIRST_LINE_MAX characters."""
    lines = [line for line in str(text).splitlines() if line.strip()]
    return lines[0][:FIRST_LINE_MAX] if lines else default


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
