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
