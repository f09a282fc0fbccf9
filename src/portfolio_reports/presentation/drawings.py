"""Chart drawings kept on disk by a key of what was drawn: an unchanged chart is not drawn again.

A build's reports keep their drawings in the reports folder (or the one folder
PORTFOLIO_REPORTS_DRAWINGS names), one folder per version of the code and of the libraries that
draw (`keep_in`). A chart's key hashes the function that built it, its
arguments, the colours the data set gives its names and matplotlib's settings; the drawing found
under that key is the one the same build would draw. Without a folder (a notebook opened by an
analyst), every chart is drawn.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

from portfolio_reports.paths import scratch_path
from portfolio_reports.presentation.palette import chosen_colours

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
LARGEST_DRAWING = 16 << 20
"""Bytes of the largest kept drawing read back; a larger file is not one this module wrote."""

_folder: list[Path] = []
"""The folder drawings are kept in, when there is one (see `keep_in`)."""


@dataclass(frozen=True)
class Drawing:
    """A chart as a page shows it: its PNG, its phone variant, smallest text and shown size."""

    png: bytes
    narrow_png: bytes | None
    smallest_text: float
    width: int
    height: int


def keep_in(folder: Path | None) -> None:
    """Keep drawings in `folder` from now on, and find them there; None: draw every chart."""
    _folder[:] = [] if folder is None else [folder]


def key_of(build: Callable[..., Any], args: tuple, kwargs: Mapping[str, Any]) -> str | None:
    """The key of a chart `build(*args, **kwargs)` draws under the current settings; None when
    no drawings are kept, or when an argument cannot be hashed (the chart is then drawn)."""
    if not _folder:
        return None
    settings = sorted(dict.items(matplotlib.rcParams))  # dict's: no backend resolved
    what = (build.__module__, build.__qualname__, args, dict(kwargs), chosen_colours(), settings)
    try:
        return hashlib.sha256(pickle.dumps(what, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError):
        return None


def find(key: str | None) -> Drawing | None:
    """The drawing kept under `key`, or None: no key, none kept, or a file this module did not
    write (a link is not followed)."""
    if key is None or not _folder:
        return None
    path = _folder[0] / key
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > LARGEST_DRAWING:
            return None
        content = handle.read()
        with contextlib.suppress(OSError):
            os.utime(descriptor)  # recently used: kept the longest
    return _parse(content)


def keep(key: str | None, drawing: Drawing) -> None:
    """Keep a drawing under `key`, written whole or not at all; a failure to write is no error:
    the chart is drawn again next time."""
    if key is None or not _folder:
        return
    header = {
        "png": len(drawing.png),
        "narrow_png": None if drawing.narrow_png is None else len(drawing.narrow_png),
        "smallest_text": drawing.smallest_text,
        "width": drawing.width,
        "height": drawing.height,
    }
    content = json.dumps(header).encode() + b"\n" + drawing.png + (drawing.narrow_png or b"")
    path = _folder[0] / key
    scratch = scratch_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch.write_bytes(content)
        os.replace(scratch, path)
    except OSError:
        with contextlib.suppress(OSError):
            scratch.unlink(missing_ok=True)


def _parse(content: bytes) -> Drawing | None:
    """The drawing a kept file holds, or None when it is not one `keep` wrote."""
    line, _, images = content.partition(b"\n")
    try:
        header = json.loads(line)
        png_bytes, narrow_bytes = header["png"], header["narrow_png"]
        sizes = [png_bytes, *([] if narrow_bytes is None else [narrow_bytes])]
        if not all(type(size) is int and size >= 0 for size in sizes) or sum(sizes) != len(images):
            return None
        png, narrow = images[:png_bytes], images[png_bytes:] if narrow_bytes is not None else None
        drawing = Drawing(
            png, narrow, float(header["smallest_text"]), int(header["width"]), int(header["height"])
        )
    except (ValueError, KeyError, TypeError):
        return None
    pngs = [png] if narrow is None else [png, narrow]
    return drawing if all(image.startswith(PNG_SIGNATURE) for image in pngs) else None
