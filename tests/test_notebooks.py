"""Report notebooks stay thin, declare their parameters, and are committed without outputs."""

import ast
import json

import nbformat
import papermill
import pytest
from nbclient import NotebookClient

from portfolio_reports.builder.kinds import KINDS, SCOPE_PARAMETERS
from portfolio_reports.builder.specs import BUILD_PARAMETERS, declared_parameters

from .conftest import NOTEBOOKS

REPORT_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_every_report_notebook_is_a_registered_kind():
    assert {path.stem for path in REPORT_NOTEBOOKS} == set(KINDS)


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], cell.source
            assert cell.execution_count is None


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda path: path.stem)
def test_cell_ids_are_unique(path):
    ids = [cell["id"] for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda path: path.stem)
def test_parameters_cell_holds_plain_values_including_quarter_and_data(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    for statement in ast.parse(tagged[0].source).body:
        assert isinstance(statement, ast.Assign)
        ast.literal_eval(statement.value)
    declared = papermill.inspect_notebook(str(path))
    assert set(BUILD_PARAMETERS) <= set(declared)


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda path: path.stem)
def test_parameters_default_to_no_data_and_no_scope(path):
    """A default names no company's market or area, nor a data folder: the project's is used."""
    declared = declared_parameters(path)
    defaults = {name: declared[name] for name in ("data", *SCOPE_PARAMETERS) if name in declared}
    assert "data" in defaults
    assert set(defaults.values()) == {None}, defaults


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_thin(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    charts = 0
    for cell in code:
        tree = ast.parse(cell.source)
        assert not any(
            isinstance(node, ast.FunctionDef | ast.ClassDef | ast.For | ast.While)
            for node in ast.walk(tree)
        ), cell.source
        parameters = "parameters" in cell.metadata.get("tags", [])
        assert parameters or len(cell.source.splitlines()) <= 4, cell.source  # values, one a line
        charts += any(
            name in cell.source for name in ("_chart", "trend", "mix(", "matrix()", "top_")
        )
    assert charts >= 3
    assert sum(cell.cell_type == "markdown" for cell in notebook.cells) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom_as_is_in_a_fresh_kernel(path):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    charts = ("_chart", "trend", "mix(", "top_", "bridge(")
    if path.stem != "market":  # the market notebook opens one market: no approval matrix
        charts += ("matrix()",)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        errors = [output for output in cell.outputs if output.output_type == "error"]
        assert not errors, f"{cell.source}: {errors[0].ename}: {errors[0].evalue}"
        stderr = [o.text for o in cell.outputs if o.get("name") == "stderr"]
        assert not stderr, f"{cell.source}: {stderr}"
        if cell.source.startswith("report."):
            shown = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert shown and "text/html" in shown[0].data, cell.source
            if any(word in cell.source for word in charts):
                assert '<figure class="chart"' in shown[0].data["text/html"], cell.source
