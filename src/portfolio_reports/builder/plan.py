"""A build's plan: one keyed job per report, and what `list` says of each report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portfolio_reports import __version__
from portfolio_reports.builder.inputs import BuildOptions, check_inputs, chosen_reports
from portfolio_reports.builder.keys import job_key, key_parts, rebuild_reasons, shown_links
from portfolio_reports.builder.navigation import ReportTree, quarter_links
from portfolio_reports.builder.publish import published_reports
from portfolio_reports.builder.specs import (
    COMMENTARY_PARAMETER,
    ParameterValue,
    ReportSpec,
    commentary_file,
    declared_parameters,
    materiality_parameters,
)
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.execution.outcome import ReportJob
from portfolio_reports.paths import OutputLayout, page_name
from portfolio_reports.presentation.pages import BUILD_TIME_KEY, PageInfo


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
    rebuild: tuple[str, ...] = ()
    """Why a build would rebuild it (see keys.rebuild_reasons); empty when current."""

    def as_dict(self) -> dict[str, Any]:
        """The report as plain values for JSON: its state is "current" or "will rebuild"."""
        return {
            "name": self.name,
            "title": self.title,
            "group": self.group,
            "notebook": self.notebook,
            "parameters": self.parameters,
            "quarter": self.quarter,
            "html": str(self.html),
            "state": "will rebuild" if self.rebuild else "current",
            "reasons": list(self.rebuild),
        }


def planned_reports(options: BuildOptions) -> list[PlannedReport]:
    """The reports a build with these options would make, in index order, with every parameter."""
    inputs = check_inputs(options)
    layout = OutputLayout(options.out, str(inputs.quarter))
    published = published_reports(layout)
    fingerprint = inputs.dataset.fingerprint
    chosen = set(chosen_reports([spec.name for spec in inputs.specs], options.reports))
    tree = ReportTree.of(inputs.specs, inputs.dataset, inputs.quarter)
    return [
        PlannedReport(
            name=spec.name,
            title=spec.title,
            group=spec.group,
            notebook=spec.notebook.name,
            parameters=spec.parameters,
            quarter=str(inputs.quarter),
            html=layout.html(spec.name),
            rebuild=rebuild_reasons(
                key_parts(
                    spec,
                    str(inputs.quarter),
                    fingerprint,
                    links=shown_links(
                        row_links(spec, tree, inputs.dataset),
                        published.get(spec.name, {}).get("row_labels"),
                    ),
                    materiality=inputs.dataset.materiality,
                ),
                published.get(spec.name),
            ),
        )
        for spec in inputs.specs
        if spec.name in chosen
    ]


def build_time() -> str:
    """Now, as pages and manifests state it."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def provenance(
    parameters: dict[str, Any], notebook: Path, built_at: str, fingerprint: str | None
) -> dict[str, str]:
    """A page's provenance footer: parameters, notebook, data (when it read any), version, time."""
    return {
        "Parameters": json.dumps(parameters, sort_keys=True, default=str),
        "Notebook": notebook.name,
        **({"Data fingerprint": fingerprint[:16]} if fingerprint else {}),
        "Package version": __version__,
        BUILD_TIME_KEY: built_at,
    }


def row_links(
    spec: ReportSpec, tree: ReportTree | None, dataset: Dataset
) -> tuple[tuple[str, str], ...]:
    """(row label, page) of every other report a row of this report's tables may link to."""
    page = page_name(spec.name)
    drill_downs = tree.drill_downs(dataset) if tree else ()
    return tuple((label, target) for label, target in drill_downs if target != page)


def report_job(
    spec: ReportSpec,
    dataset: Dataset,
    quarter: Quarter,
    snapshot: Path,
    layout: OutputLayout,
    built_at: str,
    *,
    timeout_s: int,
    warm: bool = True,
    index: str | None = "index.html",
    tree: ReportTree | None = None,
    row_labels: list[str] | None = None,
) -> ReportJob:
    """The job that builds one report: its parameters, page header and footer, and rebuild key.

    With `tree`, the page links its related reports and the same report in other quarters;
    `row_labels` are its revenue table rows when last built, which its key's links count.
    """
    commentary = commentary_file(spec, str(quarter))
    page = page_name(spec.name)
    info = PageInfo(
        title=spec.title,
        subtitle=f"{dataset.profile.name} · {spec.group} · {quarter.label}",
        quarter=str(quarter),
        data_as_of=quarter.end.isoformat(),
        provenance=provenance(spec.parameters, spec.notebook, built_at, dataset.fingerprint),
        index=index,
        related=tree.related(spec.name) if tree else (),
        quarters=quarter_links(layout.root, quarter, page) if tree else None,
        drill_downs=row_links(spec, tree, dataset),
    )
    return ReportJob(
        name=spec.name,
        notebook=spec.notebook,
        parameters={
            **spec.parameters,
            "quarter": str(quarter),
            "data": layout.from_notebooks(snapshot),
            **({COMMENTARY_PARAMETER: layout.from_notebooks(commentary)} if commentary else {}),
            **materiality_parameters(dataset.materiality, declared_parameters(spec.notebook)),
        },
        layout=layout,
        page=info,
        timeout_s=timeout_s,
        key=job_key(
            spec,
            str(quarter),
            dataset.fingerprint,
            links=shown_links(info.drill_downs, row_labels),
            materiality=dataset.materiality,
        ),
        warm=warm,
    )
