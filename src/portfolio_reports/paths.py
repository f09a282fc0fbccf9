"""Where things live: the layout of a report build (the project's folders: config)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from portfolio_reports import __version__
from portfolio_reports.errors import InputError, WriteError

PACKAGE_DIR = Path(__file__).resolve().parent
"""The package's source and templates."""
FOLDER_FORMAT_NAMES = ("csv", "parquet")
"""File formats a data folder may hold, one file per table."""
SNAPSHOTS_FOLDER = ".snapshots"
"""The reports folder's folder of build snapshots; only snapshots in it skip validation."""
CHARTS_FOLDER = ".charts"
"""The reports folder's folder of chart drawings, kept so that an unchanged chart is not redrawn."""
SHARED_CHARTS_ENV = "PORTFOLIO_REPORTS_DRAWINGS"
"""An absolute folder where every reports folder keeps its chart drawings instead of in its own
.charts: builds into new folders (one per quarter, a CI run's) then draw an unchanged chart once."""
COMMENTARY_DIR = "commentary"
"""Folder beside params/ with the analysts' commentary: <quarter>/<report name>.md."""
BOARD_PACK = "board-pack.pdf"
"""A quarter's board pack, in its folder beside the reports."""
GLOSSARY_PAGE = "glossary.html"
"""A quarter's glossary page, beside its reports, which each report's definitions link."""
SCRATCH_MARK = ".partial"
"""Files are written under a hidden name holding this mark, then renamed into place."""
SCRATCH_FOLDER_MARK = ".tmp-"
"""Folders are written under a hidden name starting with this mark, then renamed into place."""
SCRATCH_OWNER = re.compile(
    rf"(?:\..*\.|{re.escape(SCRATCH_FOLDER_MARK)})(?P<pid>\d+)-[0-9a-f]{{32}}"
    rf"(?:{re.escape(SCRATCH_MARK)}.*)?"
)
"""A scratch file's or folder's name, holding the id of the process writing it."""


HASH_BLOCK = 1 << 20
"""Bytes read at a time when a file is hashed."""


def file_blocks(path: Path) -> Iterator[bytes]:
    """A file's bytes a block at a time, for hashing a file of any size without holding it."""
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(HASH_BLOCK), b"")


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read a block at a time."""
    digest = hashlib.sha256()
    for block in file_blocks(path):
        digest.update(block)
    return digest.hexdigest()


def package_files_hash(files: Iterable[Path], package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of the package version and of each file's path under `package_dir` and its bytes."""
    digest = hashlib.sha256(__version__.encode())
    for path in files:
        digest.update(str(path.relative_to(package_dir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


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
    """A unique hidden name beside `path` (same suffix) to write it under before renaming it;
    it holds this process's id, so that a later build knows when its writer is gone."""
    unique = f"{os.getpid()}-{uuid.uuid4().hex}"
    return path.with_name(f".{path.stem}.{unique}{SCRATCH_MARK}{path.suffix}")


def scratch_folder(parent: Path) -> Path:
    """A unique hidden folder in `parent` to write a folder in before renaming it into place."""
    return parent / f"{SCRATCH_FOLDER_MARK}{os.getpid()}-{uuid.uuid4().hex}"


def remove_scratch(paths: list[Path]) -> None:
    """Remove scratch files and folders; one already gone is no error."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _owner_gone(path: Path) -> bool:
    """Whether `path` is a scratch file or folder whose writing process has ended."""
    match = SCRATCH_OWNER.fullmatch(path.name)
    if match is None:
        return False
    pid = int(match["pid"])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


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


def shared_charts_dir() -> Path | None:
    """The folder PORTFOLIO_REPORTS_DRAWINGS names, or None when it is unset or empty; an
    InputError when it is not an absolute path (a kernel's current folder is not the build's)."""
    value = os.environ.get(SHARED_CHARTS_ENV, "")
    if not value:
        return None
    if not Path(value).is_absolute():
        raise InputError(f"{SHARED_CHARTS_ENV} must be an absolute path to a folder, got {value!r}")
    return Path(value)


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
    def glossary(self) -> Path:
        """The quarter's glossary.html: every term of its reports, defined once."""
        return self.quarter_dir / GLOSSARY_PAGE

    @property
    def top_index(self) -> Path:
        """reports/index.html listing every quarter."""
        return self.root / "index.html"

    @property
    def snapshots_dir(self) -> Path:
        """Parquet snapshots of validated data, one folder per data fingerprint."""
        return self.root / SNAPSHOTS_FOLDER

    @property
    def charts_dir(self) -> Path:
        """Chart drawings the reports keep, one folder per version of the code that drew them:
        the folder PORTFOLIO_REPORTS_DRAWINGS names, else the reports folder's own."""
        return shared_charts_dir() or self.root / CHARTS_FOLDER

    def html(self, name: str) -> Path:
        """A report's HTML file."""
        return self.quarter_dir / page_name(name)

    def pdf(self, name: str) -> Path:
        """A report's printed PDF, beside its HTML."""
        return self.quarter_dir / f"{name}.pdf"

    @property
    def board_pack(self) -> Path:
        """The quarter's reports printed as one PDF, with a cover, contents and definitions."""
        return self.quarter_dir / BOARD_PACK

    def from_notebooks(self, path: Path) -> str:
        """`path` as the kept notebooks reach it: relative to their folder, where they run, so
        that they run again after the project and its reports move elsewhere."""
        return os.path.relpath(path.resolve(), self.notebooks_dir.resolve())

    def executed(self, name: str) -> Path:
        """A report's executed notebook."""
        return self.notebooks_dir / f"{name}.ipynb"

    def leftover_scratch(self) -> list[Path]:
        """Scratch files left by a build that was killed: any in this quarter's folders (whose
        lock the caller holds), and those of ended processes in the reports folder, the other
        quarters' folders and the snapshots folder."""
        ours = self.quarter_scratch()
        folders = [
            self.root,
            self.snapshots_dir,
            *self.charts_dir.glob("*/"),
            *self.root.glob("*/"),
            *self.root.glob("*/notebooks/"),
        ]
        ended = [path for folder in folders for path in folder.glob(".*") if _owner_gone(path)]
        return list(dict.fromkeys([*ours, *ended]))

    def quarter_scratch(self) -> list[Path]:
        """Scratch files in this quarter's folders: a build writing them, or one killed."""
        pattern = f".*{SCRATCH_MARK}*"
        return [*self.quarter_dir.glob(pattern), *self.notebooks_dir.glob(pattern)]

    def failed(self, name: str) -> Path:
        """The partially executed notebook of a report whose last run failed."""
        return self.notebooks_dir / f"{name}.failed.ipynb"
