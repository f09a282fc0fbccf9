"""The executed notebooks a build keeps run again from the project folder, wherever it moved."""

from __future__ import annotations

import shutil

import nbformat
import papermill
import pytest

from portfolio_reports.config import init_project
from portfolio_reports.execution.kernels import KERNEL_NAME, ThisPythonKernelManager
from portfolio_reports.presentation.figures import read_figures

from .conftest import run_cli

pytestmark = pytest.mark.slow

QUARTER = "2026Q3"
REPORT = "market-cn"


def test_a_kept_notebook_runs_again_after_the_project_moves(tmp_path):
    built = tmp_path / "built"
    init_project(built)
    commentary = built / "commentary" / QUARTER / f"{REPORT}.md"
    commentary.parent.mkdir(parents=True)
    commentary.write_text("Tender volumes held up in **China**.\n", encoding="utf-8")
    process = run_cli("build", REPORT, "--quarter", QUARTER, "--jobs", "1", cwd=built)
    assert process.returncode == 0, process.stderr

    moved = tmp_path / "elsewhere" / "project"
    moved.parent.mkdir()
    shutil.move(built, moved)  # nothing is left at the path the build ran in
    kept = moved / "reports" / QUARTER / "notebooks" / f"{REPORT}.ipynb"
    parameters = kept_parameters(kept)
    assert not any(str(value).startswith("/") for value in parameters.values()), parameters

    rerun = papermill.execute_notebook(
        str(kept),
        str(tmp_path / "rerun.ipynb"),
        cwd=str(kept.parent),  # where Jupyter runs a notebook it opens
        kernel_name=KERNEL_NAME,
        kernel_manager_class=ThisPythonKernelManager,
        progress_bar=False,
    )
    assert read_figures(rerun) == read_figures(nbformat.read(kept, as_version=4))
    shown = "".join(
        str(output.get("data", {}).get("text/html", ""))
        for cell in rerun.cells
        for output in cell.get("outputs", [])
    )
    assert "Tender volumes held up in <strong>China</strong>." in shown


def kept_parameters(notebook_path: object) -> dict:
    """The parameters the build gave a kept notebook, as papermill recorded them."""
    notebook = nbformat.read(notebook_path, as_version=4)
    return dict(notebook.metadata["papermill"]["parameters"])
