"""Rebuild keys: a hash of everything a report's page depends on, to skip what is current."""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import nbformat

from portfolio_reports.builder.fingerprints import environment_fingerprint
from portfolio_reports.builder.specs import ReportSpec, commentary_file
from portfolio_reports.config import DEFAULT_MATERIALITY, Materiality
from portfolio_reports.paths import PACKAGE_DIR, package_files_hash

PACKAGE = "portfolio_reports"
PAGE_MODULES = (f"{PACKAGE}.execution.kernel_session", f"{PACKAGE}.presentation.render")
"""Modules that shape every page besides a notebook's own imports: the warm kernel's session
(which imports the report API) and the renderer of pages, with its templates."""
TEMPLATES = Path("presentation") / "templates"


KEY_PARTS = ("notebook", "params", "commentary", "data", "code", "libraries", "links")
"""What a rebuild key is made of, in order; the manifest records each part's hash.

`links` are the reports a page's table rows link to (`navigation.ReportTree.drill_downs`),
narrowed to the row labels its last page showed (`shown_links`): a report added or removed
rebuilds only the pages with a row it links from or to. The header's links are rewritten in
place instead (`navigation.refresh_links`).
"""
NO_PAGE = "no current page"
"""Why a report without a page from its last build will be built."""


def key_parts(
    spec: ReportSpec,
    quarter: str,
    data_fingerprint: str,
    environment: str | None = None,
    links: Sequence[tuple[str, str]] = (),
    materiality: Materiality = DEFAULT_MATERIALITY,
) -> dict[str, str]:
    """The hash of each thing a report depends on: notebook, parameters (the materiality bar
    among them), the analyst's commentary, data, code, libraries, and the (row label, page)
    links its tables may carry."""
    commentary = commentary_file(spec, quarter)
    parts = (
        spec.notebook.read_bytes(),
        json.dumps(
            [spec.title, spec.group, spec.parameters, quarter, asdict(materiality)], sort_keys=True
        ).encode(),
        commentary.read_bytes() if commentary is not None else b"",
        data_fingerprint.encode(),
        page_code_fingerprint(spec.notebook).encode(),
        (environment if environment is not None else environment_fingerprint()).encode(),
        json.dumps(sorted(links)).encode(),
    )
    return {
        name: hashlib.sha256(part).hexdigest() for name, part in zip(KEY_PARTS, parts, strict=True)
    }


def shown_links(
    links: Sequence[tuple[str, str]], row_labels: Sequence[str] | None
) -> tuple[tuple[str, str], ...]:
    """The (row label, page) links whose label is among a page's revenue table rows; all of
    them when the page's rows are not known (a report never built, or built before they were
    recorded)."""
    if row_labels is None:
        return tuple(links)
    shown = set(row_labels)
    return tuple((label, page) for label, page in links if label in shown)


def job_key(
    spec: ReportSpec,
    quarter: str,
    data_fingerprint: str,
    environment: str | None = None,
    links: Sequence[tuple[str, str]] = (),
    materiality: Materiality = DEFAULT_MATERIALITY,
) -> str:
    """Hash of everything a report depends on: notebook, parameters, commentary, data, code,
    libraries and row links."""
    return key_of(key_parts(spec, quarter, data_fingerprint, environment, links, materiality))


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


def page_code_fingerprint(notebook: Path, package_dir: Path = PACKAGE_DIR) -> str:
    """Hash of the package version and of the package code a notebook's page depends on (see
    `page_code`): a change elsewhere, in the command line say, rebuilds nothing."""
    return package_files_hash(page_code(notebook, package_dir), package_dir)


def page_code(notebook: Path, package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The package files a notebook's page depends on, sorted: every module its kernel may
    import (from the notebook's imports and PAGE_MODULES, following the package's imports,
    those inside functions too, and the packages holding them) and the page templates."""
    stat = notebook.stat()
    roots = _notebook_imports(notebook, stat.st_mtime_ns, stat.st_size) | set(PAGE_MODULES)
    modules = _imported_modules(frozenset(roots), package_dir)
    templates = [path for path in (package_dir / TEMPLATES).rglob("*") if path.is_file()]
    return sorted({*modules, *templates})


@functools.lru_cache(maxsize=64)
def _notebook_imports(notebook: Path, mtime_ns: int, size: int) -> frozenset[str]:
    """The package modules a notebook's code cells import (IPython magics left out)."""
    cells = nbformat.read(notebook, as_version=4).cells
    sources = [cell.source for cell in cells if cell.cell_type == "code"]
    python = "\n".join(
        line for source in sources for line in source.splitlines() if line.lstrip()[:1] not in "%!"
    )
    try:
        return _imports_of(ast.parse(python), package=PACKAGE)
    except SyntaxError:  # not Python the parser reads: count every module of the package
        return frozenset({PACKAGE})


@functools.cache
def _imported_modules(roots: frozenset[str], package_dir: Path) -> frozenset[Path]:
    """The files of the package's modules reachable from `roots` by import, with their packages'
    __init__ files; a root naming the package itself is every module of it."""
    if PACKAGE in roots:
        return frozenset(
            path for path in package_dir.rglob("*.py") if "__pycache__" not in path.parts
        )
    seen: set[Path] = set()
    waiting = list(roots)
    while waiting:
        name = waiting.pop()
        for path in _module_files(name, package_dir):
            if path in seen:
                continue
            seen.add(path)
            waiting += _imports_of(ast.parse(path.read_bytes()), package=PACKAGE)
    return frozenset(seen)


def _module_files(name: str, package_dir: Path) -> list[Path]:
    """A package module's file and the __init__ files of the packages above it; none if the
    name is not a module of the package (an attribute imported from one, say)."""
    parts = name.split(".")[1:]
    files = [package_dir.joinpath(*parts[:depth], "__init__.py") for depth in range(len(parts))]
    module = package_dir.joinpath(*parts)
    candidates = [module.with_suffix(".py"), module / "__init__.py"] if parts else []
    found = [path for path in candidates if path.is_file()]
    return [path for path in files if path.is_file()] + found


def _imports_of(tree: ast.AST, *, package: str) -> frozenset[str]:
    """Names of the package's modules an AST imports, anywhere in it; `from m import x` also
    names m.x, which counts when x is a module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return frozenset(name for name in names if name.split(".")[0] == package)
