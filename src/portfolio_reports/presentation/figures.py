"""A page's figures as a notebook output of their own MIME type, left out of the HTML page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a report's kernel never reads notebooks: nbformat and jsonschema stay out
    import nbformat

FIGURES_MIME = "application/vnd.portfolio-reports.figures+json"
"""The MIME type of the output holding the figures a report page shows."""
SCOPE = "scope"
"""The page's slice: therapy_area, disease_area, market and region (None: unrestricted)."""
KEY_FIGURE = "key_figure"
"""The index card's figure as the page computes it."""
REVENUE_FIGURE = "revenue_m"
"""The quarter's revenue in the page's revenue table, in the company's currency and unit."""
CHART_PROGRAMMES = "pipeline_chart_programmes"
"""Programmes in development each pipeline chart of the page draws, in the order drawn."""
TABLE_PROGRAMMES = "pipeline_table_programmes"
"""Programmes in development listed by the page's pipeline tables (their rows)."""


class PageFigures:
    """The figures a page showed, displayed as one JSON output the page itself leaves out."""

    def __init__(self, figures: dict[str, Any]) -> None:
        """Keep the figures, a JSON-ready mapping."""
        self.figures = figures

    def _repr_mimebundle_(self, **_: Any) -> dict[str, Any]:
        """Only the figures' own MIME type: no text a page could show."""
        return {FIGURES_MIME: self.figures}


def is_figures(output: nbformat.NotebookNode) -> bool:
    """Whether a cell output is a page's figures."""
    return FIGURES_MIME in output.get("data", {})


def read_figures(notebook: nbformat.NotebookNode) -> dict[str, Any] | None:
    """The figures an executed notebook displayed last; None when it displayed none."""
    found = [
        dict(output["data"][FIGURES_MIME])
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if is_figures(output)
    ]
    return found[-1] if found else None
