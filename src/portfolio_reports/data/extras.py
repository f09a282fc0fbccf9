"""Optional dependencies: import one, or say in one line which extra installs it."""

from __future__ import annotations

import importlib
from types import ModuleType

from portfolio_reports.errors import InputError


def import_extra(module: str, extra: str) -> ModuleType:
    """Import `module`, which `extra` installs; raise InputError when it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise InputError(missing_extra(error.name or module, extra)) from error


def missing_extra(what: str, extra: str) -> str:
    """The one-line message for a dependency, installed by `extra`, that is missing."""
    return (
        f"{what} is not installed; install the '{extra}' extra:"
        f" pip install 'portfolio-reports[{extra}]'"
    )
