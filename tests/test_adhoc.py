"""Ad-hoc reports: finding the notebook and typing command-line values as papermill does."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.errors import InputError, ParamsError
from portfolio_reports.notebook.adhoc import (
    AdhocReport,
    command_line_parameters,
    find_notebook,
    project_of,
    run_adhoc,
)
from portfolio_reports.notebook.report import open_report

from .conftest import NOTEBOOKS, SAMPLE_DATA


def test_a_notebook_by_path_or_by_name():
    market = NOTEBOOKS / "market.ipynb"
    assert find_notebook(market) == market.resolve()
    assert find_notebook("market", NOTEBOOKS) == market.resolve()
    assert find_notebook("market.ipynb", NOTEBOOKS) == market.resolve()
    with pytest.raises(ParamsError, match="report notebooks: market, portfolio_overview"):
        find_notebook("../README", NOTEBOOKS)


def test_values_are_typed_as_papermills_command_line_types_them():
    values = [
        ("market", "NO"),  # Norway: text, not YAML's false
        ("top", "3"),
        ("share", "0.5"),
        ("on", "True"),
        ("off", "false"),  # only True and False are booleans
        ("var", "It works"),
        ("msg", ""),
        ("region", "None"),
        ("area", "null"),
    ]
    assert command_line_parameters(values) == {
        "market": "NO",
        "top": 3,
        "share": 0.5,
        "on": True,
        "off": "false",
        "var": "It works",
        "msg": "",
        "region": None,
        "area": None,
    }


def test_yaml_comes_first_then_values_then_raw_text():
    parameters = command_line_parameters(
        values=[("top", "3")],
        raw=[("code", "007")],
        yaml_texts=["items: [1, 2]\ntop: 1\nwhen: 2026-01-31", "code: 1"],
    )
    assert parameters == {"items": [1, 2], "top": 3, "when": "2026-01-31", "code": "007"}


@pytest.mark.parametrize(
    ("text", "problem"),
    [("[1, 2]", "expected a mapping of names to values"), ("a: [1", "invalid YAML")],
)
def test_yaml_that_is_not_a_mapping_is_refused(text, problem):
    with pytest.raises(ParamsError, match=re.escape(problem)):
        command_line_parameters(yaml_texts=[text])


def test_the_target_must_be_an_html_file(tmp_path):
    with pytest.raises(InputError, match=r"--to must name an \.html file"):
        run_adhoc(AdhocReport("market", tmp_path / "japan.pdf"))
    assert list(tmp_path.iterdir()) == []


def project_with_other_data(root: Path) -> Path:
    """A project whose configuration points at a data folder of its own, unlike the sample."""
    root.mkdir()
    (root / "portfolio-reports.toml").write_text('data = "company"\n')
    shutil.copytree(SAMPLE_DATA, root / "company")
    markets = root / "company" / "markets.csv"
    markets.write_text(markets.read_text().replace("Japan", "Japan (Nippon)"))
    (root / "notebooks").mkdir()
    shutil.copy(
        Path(__file__).parent / "papermill_notebooks" / "project_values.ipynb", root / "notebooks"
    )
    return root


def test_the_data_and_notebooks_default_to_the_project_of_the_notebook(tmp_path, monkeypatch):
    project = project_with_other_data(tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    notebook = project / "notebooks" / "project_values.ipynb"
    config = project_of(AdhocReport(notebook, tmp_path / "page.html"))
    assert config.file == project / "portfolio-reports.toml"
    assert Path(config.data_source()).resolve() == project / "company"
    assert Path(config.settings["notebooks"]).resolve() == project / "notebooks"


def test_without_a_project_a_notebook_needing_data_stops_saying_where_it_looked(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("PORTFOLIO_REPORTS_DATA", raising=False)
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(NOTEBOOKS / "market.ipynb", folder)
    monkeypatch.chdir(folder)  # where Jupyter runs a notebook it opens
    looked = re.escape(
        f"no data source: no portfolio-reports.toml, nor pyproject.toml with"
        f" [tool.portfolio-reports], in {folder} or any folder above;"
    )
    with pytest.raises(InputError, match=looked):
        open_report(market="JP")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match=looked) as raised:
        run_adhoc(AdhocReport(folder / "market.ipynb", tmp_path / "japan.html", {"market": "JP"}))
    assert "\n" not in str(raised.value)
    assert list(tmp_path.iterdir()) == [folder]


@pytest.mark.slow
def test_a_notebook_of_another_project_reads_that_projects_data(tmp_path, monkeypatch):
    project = project_with_other_data(tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "page.html"
    result = run_adhoc(AdhocReport(project / "notebooks" / "project_values.ipynb", target))
    assert result.ok, result.error
    fingerprint = load_dataset(project / "company").fingerprint
    assert fingerprint != load_dataset(SAMPLE_DATA).fingerprint
    assert f"<dd>{fingerprint[:16]}</dd>" in target.read_text()
