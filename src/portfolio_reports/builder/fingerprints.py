"""Fingerprints of the package's code and of the libraries that shape a page, in light imports."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from portfolio_reports import __version__

PACKAGE_DIR = Path(__file__).resolve().parents[1]
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
