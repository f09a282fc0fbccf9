"""Report notebooks stay thin, declare their parameters, and are committed without outputs."""

import ast
import json

import nbformat
import papermill
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from portfolio_reports.builder.kinds import KINDS, SCOPE_PARAMETERS
from portfolio_reports.builder.specs import BUILD_PARAMETERS, declared_parameters
from portfolio_reports.errors import ParamsError

from .conftest import NOTEBOOKS, PROJECT

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


PAPERMILL_NOTEBOOKS = sorted((PROJECT / "tests" / "papermill_notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS + PAPERMILL_NOTEBOOKS, ids=lambda path: path.stem)
def test_declared_parameters_are_what_papermill_reads(path):
    """The build reads a notebook's parameters without papermill, and reads what papermill does."""
    expected = {}
    for name, info in papermill.inspect_notebook(str(path)).items():
        try:
            expected[name] = ast.literal_eval(info["default"])
        except ValueError:
            expected[name] = None
    assert declared_parameters(path) == expected


def test_declared_parameters_of_annotated_computed_and_broken_cells(tmp_path):
    def notebook(source):
        path = tmp_path / f"n{len(list(tmp_path.iterdir()))}.ipynb"
        cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]})
        nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
        return path

    source = 'quarter: str | None = "2026Q3"\nfloor = 1.5\nstamp = str(1)\nlimit: int\n'
    assert declared_parameters(notebook(source)) == {
        "quarter": "2026Q3",
        "floor": 1.5,
        "stamp": None,
    }
    broken = notebook("quarter = (\n")
    with pytest.raises(ParamsError) as raised:
        declared_parameters(broken)
    assert (
        str(raised.value)
        == f"{broken}: the parameters cell, line 1: not Python ('(' was never closed)"
    )


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
            name in cell.source for name in ("_chart", "trend", "mix(", "bridge(", "top_")
        )
    assert charts >= 3
    assert sum(cell.cell_type == "markdown" for cell in notebook.cells) >= 8


SAMPLE_SCOPES = {
    "market": 'market = "CN"',
    "therapy_area": 'therapy_area = "Oncology"',
    "product": 'product = "HLX10"',
}
"""A slice of the sample for each notebook of one slice (a kind with scope parameters)."""


def _executed(notebook: nbformat.NotebookNode) -> None:
    """Run every cell of the notebook in a fresh kernel from the notebooks folder."""
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()


@pytest.mark.slow
@pytest.mark.parametrize(
    "stem", [stem for stem in KINDS if KINDS[stem].parameters], ids=lambda stem: stem
)
def test_a_notebook_of_one_slice_opened_as_is_asks_for_one(stem):
    notebook = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    with pytest.raises(CellExecutionError) as raised:
        _executed(notebook)
    words = " or ".join(name.replace("_", " ") for name in KINDS[stem].parameters)
    assert raised.value.ename == "ParamsError"
    assert raised.value.evalue.startswith(
        f"{stem}.ipynb reports on one {words}; set parameter {KINDS[stem].parameters[0]}"
        " (in the data: "
    )


MARKS = ("report.appendix_begins()",)
"""Cells that mark a place on the page, where the page's sections change, and show nothing."""


@pytest.mark.slow
@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_top_to_bottom_as_is_in_a_fresh_kernel(path):
    """As it is, or with the one slice a notebook of one slice asks for."""
    notebook = nbformat.read(path, as_version=4)
    if path.stem in SAMPLE_SCOPES:
        parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
        parameters.source += f"\n{SAMPLE_SCOPES[path.stem]}"
    _executed(notebook)
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
        if cell.source in MARKS:
            assert not cell.outputs, cell.source
        elif cell.source.startswith("report."):
            shown = [o for o in cell.outputs if o.output_type == "execute_result"]
            assert shown and "text/html" in shown[0].data, cell.source
            if any(word in cell.source for word in charts):
                assert '<figure class="chart"' in shown[0].data["text/html"], cell.source
