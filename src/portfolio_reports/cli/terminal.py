"""Text for the terminal: values from data and params shown as they are, never as commands."""

from __future__ import annotations

import re

from rich.text import Text

_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters (escape sequences, bell, carriage return) and bidirectional overrides."""


def inert(text: object) -> Text:
    """Text printed as written: no console markup or emoji codes; control characters escaped."""
    return Text(_UNSAFE.sub(lambda found: ascii(found.group())[1:-1], str(text)))
