"""Fingerprints of the code and of the libraries that shape a page; the chart drawings kept."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import platform
import shutil
from importlib import metadata
from pathlib import Path

from portfolio_reports.paths import (
    PACKAGE_DIR,
    SNAPSHOTS_FOLDER,
    OutputLayout,
    package_files_hash,
)

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
    """Hash of the package version and every source and template file, subpackages included:
    any change in them rebuilds every report."""
    files = [
        path
        for path in sorted(package_dir.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    ]
    return package_files_hash(files, package_dir)


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
    in this version's folder of its reports folder's charts folder (`OutputLayout.charts_dir`);
    else nowhere."""
    if data is None or "://" in str(data) or Path(data).parent.name != SNAPSHOTS_FOLDER:
        return None
    return OutputLayout(Path(data).parent.parent, "").charts_dir / drawings_version()


def prune_drawings(
    root: Path, *, shared: bool = False, kept_bytes: int = KEPT_DRAWINGS_BYTES
) -> None:
    """Keep in `root` (a charts folder) the `kept_bytes` of drawings used most recently. In a
    reports folder's own, only this version's are kept; in a `shared` one, which other versions
    of the code may use too, every version's drawings count alike."""
    if root.is_symlink() or not root.is_dir():
        return
    current = root / drawings_version()
    folders = [folder for folder in root.iterdir() if folder.is_dir() and not folder.is_symlink()]
    if not shared:
        for folder in folders:
            if folder != current:
                shutil.rmtree(folder, ignore_errors=True)
        folders = [current] if current in folders else []
    kept = [entry for folder in folders for entry in _files(folder)]
    total = 0
    for info, path in sorted(kept, key=lambda entry: entry[0].st_mtime_ns, reverse=True):
        total += info.st_size
        if total > kept_bytes:
            path.unlink(missing_ok=True)


def _files(folder: Path) -> list[tuple[os.stat_result, Path]]:
    """The regular files in `folder` with their status; another build may rename or remove any
    of them, or the folder, meanwhile."""
    found = []
    with contextlib.suppress(FileNotFoundError):
        for path in folder.iterdir():
            with contextlib.suppress(FileNotFoundError):
                if path.is_file():
                    found.append((path.stat(), path))
    return found
