"""Quarterly portfolio reports built from parameterized Jupyter notebooks."""

import sys
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("portfolio-reports")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

# jsonschema (under nbformat and papermill) imports rfc3987_syntax, when installed, to check the
# "iri" string format; it compiles dozens of grammars at import, 1-2 s in every build, worker
# and command process. No notebook or params schema uses that format, so it is left unloaded.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

_EXPORTS = {
    "build": "portfolio_reports.builder.run",
    "BuildOptions": "portfolio_reports.builder.inputs",
    "BuildResult": "portfolio_reports.builder.run",
    "check_inputs": "portfolio_reports.builder.inputs",
    "open_report": "portfolio_reports.notebook.report",
    "AdhocReport": "portfolio_reports.notebook.adhoc",
    "run_adhoc": "portfolio_reports.notebook.adhoc",
    "PortfolioReportsError": "portfolio_reports.errors",
    "InvalidInputError": "portfolio_reports.errors",
    "InputError": "portfolio_reports.errors",
    "DataError": "portfolio_reports.errors",
    "ParamsError": "portfolio_reports.errors",
    "RenderError": "portfolio_reports.errors",
}
"""The public API, imported on first use so that the command line starts quickly."""
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'portfolio_reports' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(_EXPORTS[name]), name)
