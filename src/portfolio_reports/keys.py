"""Rebuild keys: a hash of everything a report's page depends on, to skip what is current."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from portfolio_reports import __version__
from portfolio_reports.specs import ReportSpec

PACKAGE_DIR = Path(__file__).parent
"""The package's source and templates: any change in them rebuilds every report."""
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
)
"""Libraries whose upgrade may change a page; a new version of any rebuilds every report."""


def job_key(
    spec: ReportSpec, quarter: str, data_fingerprint: str, environment: str | None = None
) -> str:
    """Hash of everything a report depends on: notebook, parameters, data, code, libraries."""
    digest = hashlib.sha256()
    for part in (
        spec.notebook.read_bytes(),
        json.dumps([spec.title, spec.group, spec.parameters, quarter], sort_keys=True).encode(),
        data_fingerprint.encode(),
        code_fingerprint().encode(),
        (environment if environment is not None else environment_fingerprint()).encode(),
    ):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


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
