"""What a build would make: one line per report, checked as a build checks it, nothing run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portfolio_reports.build import BuildOptions, check_inputs
from portfolio_reports.paths import OutputLayout
from portfolio_reports.specs import ParameterValue


@dataclass(frozen=True)
class PlannedReport:
    """One report of a build: name, title, index group, notebook, parameters, quarter, page."""

    name: str
    title: str
    group: str
    notebook: str
    parameters: dict[str, ParameterValue]
    quarter: str
    html: Path


def planned_reports(options: BuildOptions) -> list[PlannedReport]:
    """The reports a build with these options would make, in index order, with every parameter."""
    inputs = check_inputs(options)
    layout = OutputLayout(options.out, str(inputs.quarter))
    return [
        PlannedReport(
            name=spec.name,
            title=spec.title,
            group=spec.group,
            notebook=spec.notebook.name,
            parameters=spec.parameters,
            quarter=str(inputs.quarter),
            html=layout.html(spec.name),
        )
        for spec in inputs.specs
    ]
