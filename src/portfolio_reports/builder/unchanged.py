"""A build with nothing to do, told before anything heavy is imported.

A build that leaves every report current records a stamp in the reports folder: a hash of what
its pages depend on (the options, params files, notebooks, commentary, the data source's files,
the package's code and the libraries' versions), the quarters published beside it and a hash of
the manifest it wrote. A later build whose inputs hash the same, beside the same quarters and
with that manifest and every page still there, has nothing to do: it reads the manifest and
hashes the inputs, without importing pandas, matplotlib or papermill or starting a fork server
or a kernel. A database source is never stamped: its fingerprint hashes its rows.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from portfolio_reports.builder.fingerprints import code_fingerprint, environment_fingerprint
from portfolio_reports.config import (
    DEFAULT_CLASSIFICATION,
    DEFAULT_MATERIALITY,
    ENV_PREFIX,
    Materiality,
)
from portfolio_reports.paths import COMMENTARY_DIR, OutputLayout, file_blocks, file_hash

STAMP_NAME = ".unchanged.json"
"""The stamp of the last build that left every report current, in the reports folder."""


@dataclass(frozen=True)
class BuildRequest:
    """What a build is asked to do, as its options give it, before any input is read."""

    quarter: str | None
    data: str | Path
    params: Path
    notebooks: Path
    out: Path
    reports: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("html",)
    classification: str = DEFAULT_CLASSIFICATION
    materiality: Materiality = DEFAULT_MATERIALITY


@dataclass(frozen=True)
class UnchangedBuild:
    """A build with nothing to do: its quarter, reports, index page and data warnings."""

    quarter: str
    reports: tuple[str, ...]
    index: Path
    warnings: tuple[str, ...]


def inputs_stamp(request: BuildRequest) -> str | None:
    """Hash of everything the request's pages depend on; None when the data is a database or
    a folder or file that does not exist."""
    data = Path(request.data)
    if "://" in str(request.data) or not data.exists():
        return None
    settings = {
        "quarter": request.quarter,
        "folders": [str(Path(p).resolve()) for p in (data, request.params, request.notebooks)],
        "out": str(request.out.resolve()),
        "reports": sorted(request.reports),
        "formats": sorted(request.formats),
        "classification": request.classification,
        "materiality": asdict(request.materiality),
        "environment": {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)},
        "code": code_fingerprint(),
        "libraries": environment_fingerprint(),
    }
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    commentary = request.params.parent / COMMENTARY_DIR
    for base, files in (
        (data.parent, [data] if data.is_file() else _files(data.iterdir())),
        (request.params, _files(_listing(request.params))),
        (request.notebooks, _files(_listing(request.notebooks))),
        (commentary, _files(commentary.rglob("*"))),
    ):
        for path in files:
            digest.update(f"\0{path.relative_to(base)}\0".encode())
            for block in file_blocks(path):
                digest.update(block)
    return digest.hexdigest()


def unchanged_build(request: BuildRequest) -> UnchangedBuild | None:
    """The build the request would make when nothing changed since the stamped one, else None."""
    stamp = inputs_stamp(request)
    try:
        recorded = json.loads((request.out / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not stamp or not isinstance(recorded, dict) or recorded.get("stamp") != stamp:
        return None
    layout = OutputLayout(request.out, str(recorded["quarter"]))
    pages = [_page(layout, name, kind) for name in recorded["reports"] for kind in request.formats]
    if "pdf" in request.formats:
        pages.append(layout.board_pack)
    if (
        recorded.get("others") != _other_quarters(request.out, layout.quarter)
        or recorded.get("manifest") != _file_hash(layout.manifest)
        or not all(page.is_file() for page in [layout.index, *pages])
        or layout.quarter_scratch()  # a killed build's: the full path removes them
    ):
        return None
    return UnchangedBuild(
        layout.quarter, tuple(recorded["reports"]), layout.index, tuple(recorded["warnings"])
    )


def forget_stamp(out: Path) -> None:
    """Remove the stamp: a build is about to change the reports folder."""
    (out / STAMP_NAME).unlink(missing_ok=True)


def record_stamp(
    stamp: str, layout: OutputLayout, reports: Iterable[str], warnings: Iterable[str]
) -> None:
    """Stamp a build that left every report of the quarter current."""
    record = {
        "stamp": stamp,
        "quarter": layout.quarter,
        "reports": list(reports),
        "warnings": list(warnings),
        "others": _other_quarters(layout.root, layout.quarter),
        "manifest": _file_hash(layout.manifest),
    }
    (layout.root / STAMP_NAME).write_text(json.dumps(record, indent=1), encoding="utf-8")


def _page(layout: OutputLayout, name: str, kind: str) -> Path:
    """A report's page of one output format."""
    return layout.pdf(name) if kind == "pdf" else layout.html(name)


def _other_quarters(out: Path, quarter: str) -> list[str]:
    """The quarters published in the reports folder besides this one (their pages link it)."""
    return sorted(p.parent.name for p in out.glob("*/manifest.json") if p.parent.name != quarter)


def _file_hash(path: Path) -> str | None:
    """Hash of a file's bytes; None when it cannot be read."""
    try:
        return file_hash(path)
    except OSError:
        return None


def _listing(folder: Path) -> Iterable[Path]:
    """A folder's entries; none when it does not exist."""
    return folder.iterdir() if folder.is_dir() else ()


def _files(paths: Iterable[Path]) -> list[Path]:
    """The regular files among paths, in name order."""
    return sorted(path for path in paths if path.is_file())
