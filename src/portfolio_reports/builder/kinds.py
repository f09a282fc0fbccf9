"""Report kinds: each kind's notebook, the scope parameters that choose its slice, its group.

A params file names a kind's notebook and values for its parameters; the values are checked
against the data by `Scope.check` (an unknown product or market is refused in one line), and
the scope they make is what the index card, the reconciliation and the navigation use. A new
kind is registered here with `register`, next to its notebook in notebooks/.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.dataset import Dataset

SCOPE_PARAMETERS = tuple(field.name for field in fields(Scope))
"""Notebook parameters that choose a report's slice: each a field of Scope, text or None."""


@dataclass(frozen=True)
class ReportKind:
    """One kind of report: its notebook (stem in notebooks/), its index group, and the scope
    parameters its params files set."""

    notebook: str
    group: str
    parameters: tuple[str, ...]


KINDS: dict[str, ReportKind] = {}
"""Every kind by notebook stem, in index order."""


def register(kind: ReportKind) -> ReportKind:
    """Add a kind; its parameters must be scope parameters."""
    unknown = set(kind.parameters) - set(SCOPE_PARAMETERS)
    if unknown:
        raise ValueError(f"{kind.notebook}: not scope parameters: {', '.join(sorted(unknown))}")
    KINDS[kind.notebook] = kind
    return kind


register(ReportKind("portfolio_overview", "Portfolio", ()))
register(ReportKind("therapy_area", "Therapy and disease areas", ("therapy_area", "disease_area")))
register(ReportKind("market", "Markets and regions", ("market", "region")))
register(ReportKind("product", "Products", ("product",)))

OTHER_GROUP = "Reports"
"""The index group of a notebook no kind registers."""


def group_of(notebook_stem: str) -> str:
    """The index group of a notebook's reports."""
    kind = KINDS.get(notebook_stem)
    return kind.group if kind else OTHER_GROUP


def group_rank(group: str) -> int:
    """Where a group comes on the index: the registered kinds' order, other groups after."""
    groups = list(dict.fromkeys(kind.group for kind in KINDS.values()))
    return groups.index(group) if group in groups else len(groups)


def unset_scope(notebook: str, scoped: Sequence[str], dataset: Dataset) -> str:
    """Why a notebook of one slice (a market, a therapy area) needs a parameter to say which."""
    valid = Scope.valid_values(dataset)
    words = " or ".join(name.replace("_", " ") for name in scoped)
    options = " or ".join(
        f"{name} (in the data: {', '.join(valid[name]) or 'none yet'})" for name in scoped
    )
    return f"{notebook} reports on one {words}; set parameter {options}"
