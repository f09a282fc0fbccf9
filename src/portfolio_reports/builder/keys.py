"""Rebuild keys: a hash of everything a report's page depends on, to skip what is current."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from portfolio_reports.builder.fingerprints import code_fingerprint, environment_fingerprint
from portfolio_reports.builder.specs import ReportSpec, commentary_file

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
