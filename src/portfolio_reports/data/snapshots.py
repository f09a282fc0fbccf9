"""Parquet snapshots of validated data: written once per data fingerprint, read back unchecked.

A build validates its source once and writes a snapshot under the reports folder, with the
warnings validating gave; every notebook reads that snapshot. Only a folder inside the snapshots
folder, whose recorded fingerprint matches its name and whose files match the hash it recorded, is
trusted without validation; a later build reuses it only if this version of the code wrote it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Protocol

import pandas as pd

from portfolio_reports.data.sales_detail import detail_file
from portfolio_reports.data.schema import TABLE_MODELS, empty_table
from portfolio_reports.data.sources import cheap_fingerprint
from portfolio_reports.errors import WriteError
from portfolio_reports.paths import (
    PACKAGE_DIR,
    SNAPSHOTS_FOLDER,
    file_hash,
    package_files_hash,
    scratch_folder,
)
from portfolio_reports.text import error_line

SNAPSHOT_MANIFEST = "snapshot.json"
VALIDATING_CODE = ("data", "config.py", "paths.py", "errors.py", "text.py")
"""The package's parts that read and check a source: the data layer and the layers below it."""


class ValidatedTables(Protocol):
    """What a snapshot is written from: validated tables by name and their data's fingerprint."""

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the data the tables hold."""
        ...

    @property
    def warnings(self) -> tuple[str, ...]:
        """What validating the data warned of."""
        ...

    def table(self, name: str) -> pd.DataFrame:
        """Return one table by its name."""
        ...


def source_fingerprint(source: str | Path) -> str | None:
    """Hash of a file source's table files, cheap to compute; None for a database or snapshot."""
    if is_snapshot(source):
        return None
    detail = detail_file(source)
    return cheap_fingerprint(source) if detail is None else detail_fingerprint(detail)


def detail_fingerprint(detail: Path) -> str:
    """Hash of a folder holding a sales detail file: its CSV tables and the detail file."""
    digest = hashlib.sha256(file_hash(detail).encode())
    for path in sorted(detail.parent.glob("*.csv")):
        if path.stem not in TABLE_MODELS:
            continue
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_snapshot(source: str | Path) -> bool:
    """Whether a source is a snapshot a build wrote: under .snapshots, its files unchanged."""
    return _manifest_of_snapshot(source) is not None


def _manifest_of_snapshot(source: str | Path) -> dict | None:
    """A snapshot's recorded manifest; None when the source is not a snapshot (see is_snapshot)."""
    if "://" in str(source):
        return None
    folder = Path(source)
    manifest = folder / SNAPSHOT_MANIFEST
    if folder.parent.name != SNAPSHOTS_FOLDER or not manifest.is_file():
        return None
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    whole = (
        isinstance(recorded, dict)
        and str(recorded.get("fingerprint", "")).startswith(folder.name)
        and recorded.get("content") == _content_hash(folder)
    )
    return recorded if whole else None


def _content_hash(folder: Path) -> str:
    """Hash of a snapshot's Parquet files."""
    digest = hashlib.sha256()
    for name in TABLE_MODELS:
        path = folder / f"{name}.parquet"
        digest.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


@functools.cache
def validating_code_fingerprint() -> str:
    """Hash of the package version and of VALIDATING_CODE's files: a snapshot that other code
    wrote may lack a table or a check this code has, so its source is validated again."""
    parts = [PACKAGE_DIR / part for part in VALIDATING_CODE]
    return package_files_hash(
        file for part in parts for file in (sorted(part.rglob("*.py")) if part.is_dir() else [part])
    )


def _current(folder: Path) -> bool:
    """Whether a folder is a snapshot that this version of the code wrote."""
    recorded = _manifest_of_snapshot(folder)
    return recorded is not None and recorded.get("validated_by") == validating_code_fingerprint()


def find_snapshot(source: str | Path, snapshots: Path) -> Path | None:
    """The snapshot folder this code already wrote for this exact source, if any."""
    fingerprint = source_fingerprint(source)
    folder = snapshots / (fingerprint or "")[:16]
    return folder if fingerprint and _current(folder) else None


def write_snapshot(dataset: ValidatedTables, root: Path) -> Path:
    """Write the dataset as Parquet under root/<fingerprint>, with its warnings, once for this
    code; return that folder."""
    target = root / dataset.fingerprint[:16]
    if _current(target):
        return target
    shutil.rmtree(target, ignore_errors=True)  # a snapshot changed since written: write it again
    root.mkdir(parents=True, exist_ok=True)
    staging = scratch_folder(root)
    try:
        staging.mkdir()
        for name in TABLE_MODELS:
            dataset.table(name).to_parquet(staging / f"{name}.parquet", index=False)
        manifest = {
            "fingerprint": dataset.fingerprint,
            "validated_by": validating_code_fingerprint(),
            "warnings": list(dataset.warnings),
            "tables": list(TABLE_MODELS),
            "content": _content_hash(staging),
        }
        (staging / SNAPSHOT_MANIFEST).write_text(json.dumps(manifest, indent=2))
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(
            f"{target}: cannot write the data snapshot ({error.strerror or error_line(error)});"
            " nothing was published"
        ) from error
    try:
        os.replace(staging, target)
    except OSError:  # another build wrote the same snapshot first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def read_snapshot(folder: Path) -> tuple[dict[str, pd.DataFrame], str, tuple[str, ...]]:
    """The tables of a snapshot folder, the fingerprint of the data they hold and the warnings
    validating that data gave."""
    manifest = json.loads((folder / SNAPSHOT_MANIFEST).read_text())
    paths = {name: folder / f"{name}.parquet" for name in TABLE_MODELS}
    tables = {
        name: pd.read_parquet(path) if path.is_file() else empty_table(name)
        for name, path in paths.items()
    }
    return tables, manifest["fingerprint"], tuple(manifest.get("warnings", ()))
