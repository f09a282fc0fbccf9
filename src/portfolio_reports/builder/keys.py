"""Rebuild keys: a hash of everything a report's page depends on, to skip what is current."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from portfolio_reports import __version__
from portfolio_reports.builder.specs import ReportSpec, commentary_file

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


KEY_PARTS = ("notebook", "params", "commentary", "data", "code", "libraries", "links")
"""What a rebuild key is made of, in order; the manifest records each part's hash.

`links` are the reports a page's table rows link to (`navigation.ReportTree.drill_downs`): a
report added or removed changes them, and pages built before would link too little or to
nothing. The header's links are rewritten in place instead (`navigation.refresh_links`).
"""
NO_PAGE = "no current page"
"""Why a report without a page from its last build will be built."""


def key_parts(
    spec: ReportSpec,
    quarter: str,
    data_fingerprint: str,
    environment: str | None = None,
    links: Sequence[tuple[str, str]] = (),
) -> dict[str, str]:
    """The hash of each thing a report depends on: notebook, parameters, the analyst's
    commentary, data, code, libraries, and the (row label, page) links its tables may carry."""
    commentary = commentary_file(spec, quarter)
    parts = (
        spec.notebook.read_bytes(),
        json.dumps([spec.title, spec.group, spec.parameters, quarter], sort_keys=True).encode(),
        commentary.read_bytes() if commentary is not None else b"",
        data_fingerprint.encode(),
        code_fingerprint().encode(),
        (environment if environment is not None else environment_fingerprint()).encode(),
        json.dumps(sorted(links)).encode(),
    )
    return {
        name: hashlib.sha256(part).hexdigest() for name, part in zip(KEY_PARTS, parts, strict=True)
    }


def job_key(
    spec: ReportSpec,
    quarter: str,
    data_fingerprint: str,
    environment: str | None = None,
    links: Sequence[tuple[str, str]] = (),
) -> str:
    """Hash of everything a report depends on: notebook, parameters, commentary, data, code,
    libraries and row links."""
    return key_of(key_parts(spec, quarter, data_fingerprint, environment, links))


def key_of(parts: dict[str, str]) -> str:
    """The rebuild key made of its parts' hashes, in order."""
    digest = hashlib.sha256()
    for name in KEY_PARTS:
        digest.update(bytes.fromhex(parts[name]))
    return digest.hexdigest()


def rebuild_reasons(parts: dict[str, str], published: dict | None) -> tuple[str, ...]:
    """Why a build would rebuild a report: the key's parts that changed since its page was built.

    `parts` are the report's key parts now; `published` its manifest entry if its last build left
    a current page (else the reason is NO_PAGE). Empty when the report is current.
    """
    if published is None:
        return (NO_PAGE,)
    if published.get("key") == key_of(parts):
        return ()
    recorded = published.get("key_parts")
    if not recorded:
        return ("built by a version that did not record its key's parts",)
    return tuple(name for name in KEY_PARTS if recorded.get(name) != parts[name])


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
