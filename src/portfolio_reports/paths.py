"""Where things live: the layout of a report build (the project's folders: config)."""

from __future__ import annotations

import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

from portfolio_reports.errors import WriteError

FOLDER_FORMAT_NAMES = ("csv", "parquet")
"""File formats a data folder may hold, one file per table."""
SNAPSHOTS_FOLDER = ".snapshots"
"""The reports folder's folder of build snapshots; only snapshots in it skip validation."""
SCRATCH_MARK = ".partial"
"""Files are written under a hidden name holding this mark, then renamed into place."""


def confinement_problem(label: str, path: Path, folder: Path, what: str) -> str | None:
    """Why a file is not read: it leaves `folder` through a link or '..', or is not a regular file.

    `what` names the folder in the line, e.g. "the params folder"; None when the file may be read.
    """
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
        mode = path.stat().st_mode
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of links
        return f"{label}: cannot read: {getattr(error, 'strerror', None) or 'a loop of links'}"
    if not inside:
        return f"{label}: a link or '..' out of {what}; only files inside it are read"
    if not stat.S_ISREG(mode):
        return f"{label}: not a regular file; only plain files in {what} are read"
    return None


def scratch_path(path: Path) -> Path:
    """A unique hidden name beside `path` (same suffix) to write it under before renaming it."""
    return path.with_name(f".{path.stem}.{uuid.uuid4().hex}{SCRATCH_MARK}{path.suffix}")


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file under a scratch name, then rename it into place: never half-written.

    Raises WriteError naming `path` when the disk is full or the write fails otherwise; the
    previous file, if any, is left as it was and no scratch file is left behind.
    """
    scratch = scratch_path(path)
    try:
        scratch.write_text(text, encoding="utf-8")
        os.replace(scratch, path)
    except OSError as error:
        raise WriteError(
            f"{path}: cannot write ({error.strerror or error}); any previous version is kept"
        ) from error
    finally:
        scratch.unlink(missing_ok=True)


def page_name(report: str) -> str:
    """A report's HTML file name within its quarter's folder."""
    return f"{report}.html"


@dataclass(frozen=True)
class OutputLayout:
    """Paths of one quarter's published reports under the reports folder."""

    root: Path
    quarter: str

    @property
    def quarter_dir(self) -> Path:
        """reports/<quarter>/"""
        return self.root / self.quarter

    @property
    def notebooks_dir(self) -> Path:
        """Executed notebooks kept for audit; the folder they run in (see `from_notebooks`)."""
        return self.quarter_dir / "notebooks"

    @property
    def manifest(self) -> Path:
        """The quarter's manifest.json."""
        return self.quarter_dir / "manifest.json"

    @property
    def index(self) -> Path:
        """The quarter's index.html."""
        return self.quarter_dir / "index.html"

    @property
    def top_index(self) -> Path:
        """reports/index.html listing every quarter."""
        return self.root / "index.html"

    @property
    def snapshots_dir(self) -> Path:
        """Parquet snapshots of validated data, one folder per data fingerprint."""
        return self.root / SNAPSHOTS_FOLDER

    def html(self, name: str) -> Path:
        """A report's HTML file."""
        return self.quarter_dir / page_name(name)

    def pdf(self, name: str) -> Path:
        """A report's printed PDF, beside its HTML."""
        return self.quarter_dir / f"{name}.pdf"

    def from_notebooks(self, path: Path) -> str:
        """`path` as the kept notebooks reach it: relative to their folder, where they run, so
        that they run again after the project and its reports move elsewhere."""
        return os.path.relpath(path.resolve(), self.notebooks_dir.resolve())

    def executed(self, name: str) -> Path:
        """A report's executed notebook."""
        return self.notebooks_dir / f"{name}.ipynb"

    def leftover_scratch(self) -> list[Path]:
        """Scratch files in the quarter's folders, left by a build that was killed."""
        pattern = f".*{SCRATCH_MARK}*"
        return [*self.quarter_dir.glob(pattern), *self.notebooks_dir.glob(pattern)]

    def failed(self, name: str) -> Path:
        """The partially executed notebook of a report whose last run failed."""
        return self.notebooks_dir / f"{name}.failed.ipynb"
