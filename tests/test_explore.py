"""The example notebook of exploring in Jupyter: it runs and reads the configured data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import papermill
import pytest
from bs4 import BeautifulSoup

from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.execution.kernels import KERNEL_NAME, ThisPythonKernelManager
from portfolio_reports.presentation.tables import NOTEBOOK_BOX, PAGE_HTML

from .conftest import NOTEBOOKS, SAMPLE_DATA

pytestmark = pytest.mark.slow  # runs the notebook on a kernel

EXAMPLE = NOTEBOOKS / "exploratory" / "explore-portfolio.ipynb"


def execute(notebook: Path, output: Path) -> nbformat.NotebookNode:
    """Run a notebook where Jupyter runs it (its own folder), as an analyst's JupyterLab would."""
    return papermill.execute_notebook(
        str(notebook),
        str(output),
        cwd=str(notebook.parent),
        kernel_name=KERNEL_NAME,
        kernel_manager_class=ThisPythonKernelManager,
        progress_bar=False,
    )


def outputs(notebook: nbformat.NotebookNode, kind: str) -> list[str]:
    """Every output of one kind ("stream", or a MIME type such as "text/html"), in order."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if kind == "stream" and output.output_type == "stream":
                found.append(output.text)
            elif kind in output.get("data", {}):
                found.append(str(output.data[kind]))
    return found


@pytest.fixture(scope="module")
def explored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, nbformat.NotebookNode]:
    """A project configured with data of its own (the sample with a market renamed), and the
    example notebook run in it."""
    project = tmp_path_factory.mktemp("project")
    (project / "portfolio-reports.toml").write_text('data = "company"\n')
    shutil.copytree(SAMPLE_DATA, project / "company")
    markets = project / "company" / "markets.csv"
    markets.write_text(markets.read_text().replace("Japan", "Japan (Nippon)"))
    notebook = project / "notebooks" / "exploratory" / EXAMPLE.name
    notebook.parent.mkdir(parents=True)
    shutil.copy(EXAMPLE, notebook)
    return project, execute(notebook, project / "executed.ipynb")


def test_the_example_notebook_is_committed_without_outputs():
    notebook = nbformat.read(EXAMPLE, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)
    assert "parameters" in code[0].metadata.get("tags", [])


def test_the_example_notebook_reads_the_data_its_project_configures(explored):
    project, notebook = explored
    fingerprint = load_dataset(project / "company").fingerprint
    assert fingerprint != load_dataset(SAMPLE_DATA).fingerprint
    printed = "".join(outputs(notebook, "stream"))
    assert f"data: ../../company, fingerprint {fingerprint[:16]}, quarter " in printed
    html = outputs(notebook, "text/html")
    assert len(html) >= 7  # the sections, a frame, the analysis and the drill-down
    shares = re.findall(r"[+-]\d+\.\d%", html[-2])
    assert len(shares) == 8  # the eight largest products' change in share


def test_without_a_project_the_example_notebook_stops_saying_where_it_looked(tmp_path):
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(EXAMPLE, alone)
    with pytest.raises(papermill.PapermillExecutionError) as raised:
        execute(alone / EXAMPLE.name, tmp_path / "executed.ipynb")
    assert raised.value.ename == "InputError"
    assert raised.value.evalue.startswith(
        f"no data source: no portfolio-reports.toml, nor pyproject.toml with"
        f" [tool.portfolio-reports], in {alone} or any folder above;"
    )


def test_its_sections_carry_their_look_in_html_that_untrusted_jupyterlab_keeps(explored):
    _, notebook = explored
    sections = [
        output.data
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if PAGE_HTML in output.get("data", {})
    ]
    assert len(sections) == 5  # key figures, trend, markets, pipeline, the product's markets
    for data in sections:
        shown = str(data["text/html"])
        assert shown.startswith(f'<div class="{NOTEBOOK_BOX}">') and "<style" not in shown
    strip, trend = (BeautifulSoup(str(data["text/html"]), "html.parser") for data in sections[:2])
    assert "display: flex" in strip.select_one("section.kpis dl")["style"]
    assert "display: block" in trend.select_one(".chart-title")["style"]
    assert "display: block" in trend.select_one(".chart-note")["style"]
