"""Fingerprints of the code and of the libraries that shape a page; the chart drawings kept."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import platform
import shutil
from importlib import metadata
from pathlib import Path

from portfolio_reports import __version__
from portfolio_reports.paths import CHARTS_FOLDER, SNAPSHOTS_FOLDER

PACKAGE_DIR = Path(__file__).resolve().parents[1]
"""The package's source and templates: any change in them rebuilds every report."""
KEPT_DRAWINGS_BYTES = 64 << 20
"""Bytes of chart drawings a reports folder keeps; the least recently used beyond are removed."""
PAGE_LIBRARIES = (
    "pandas",
    "numpy",
    "matplotlib",
    "pillow",
    "pyarrow",
    "pandera",
    "papermill",
    "nbconvert",
    "nbformat",
    "ipykernel",
    "jinja2",
    "beautifulsoup4",
    "markdown-it-py",
)
"""Libraries whose upgrade may change a page; a new version of any rebuilds every report."""


@functools.cache
def code_fingerprint(package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of the package version and every source and template file, subpackages included."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package_dir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@functools.cache
def environment_fingerprint() -> str:
    """The Python version and the versions of the libraries that shape a page, as one string."""
    versions = {"python": platform.python_version()}
    for library in PAGE_LIBRARIES:
        try:
            versions[library] = metadata.version(library)
        except metadata.PackageNotFoundError:
            versions[library] = "absent"
    return json.dumps(versions, sort_keys=True)


def drawings_version() -> str:
    """The name of the folder of chart drawings the code and libraries of this build draw."""
    fingerprints = code_fingerprint() + environment_fingerprint()
    return hashlib.sha256(fingerprints.encode()).hexdigest()[:16]


def drawings_folder(data: str | Path | None) -> Path | None:
    """Where a report reading `data` keeps its chart drawings: when `data` is a build's snapshot,
    beside the snapshots in the reports folder, in this version's folder; else nowhere."""
    if data is None or "://" in str(data) or Path(data).parent.name != SNAPSHOTS_FOLDER:
        return None
    return Path(data).parent.parent / CHARTS_FOLDER / drawings_version()


def prune_drawings(root: Path, kept_bytes: int = KEPT_DRAWINGS_BYTES) -> None:
    """Remove from `root` (a reports folder's charts folder) the folders of other versions than
    this one, and in this one the least recently used drawings beyond `kept_bytes`."""
    if root.is_symlink() or not root.is_dir():
        return
    current = root / drawings_version()
    for folder in root.iterdir():
        if folder != current and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)
    if current.is_symlink() or not current.is_dir():
        return
    kept = []
    for path in current.iterdir():  # another quarter's build may rename or remove files meanwhile
        with contextlib.suppress(FileNotFoundError):
            if path.is_file():
                kept.append((path.stat(), path))
    total = 0
    for info, path in sorted(kept, key=lambda entry: entry[0].st_mtime_ns, reverse=True):
        total += info.st_size
        if total > kept_bytes:
            path.unlink(missing_ok=True)
