"""Ad-hoc reports: finding the notebook and reading command-line values as the defaults' types."""

from __future__ import annotations

import pytest

from portfolio_reports.errors import InputError, ParamsError
from portfolio_reports.notebook.adhoc import AdhocReport, find_notebook, run_adhoc, typed_parameters

from .conftest import NOTEBOOKS

DECLARED = {"quarter": None, "market": "CN", "region": None, "top": 5, "share": 0.5, "on": True}


def test_a_notebook_by_path_or_by_name():
    market = NOTEBOOKS / "market.ipynb"
    assert find_notebook(market) == market.resolve()
    assert find_notebook("market", NOTEBOOKS) == market.resolve()
    assert find_notebook("market.ipynb", NOTEBOOKS) == market.resolve()
    with pytest.raises(ParamsError, match="report notebooks: market, portfolio_overview"):
        find_notebook("../README", NOTEBOOKS)


def test_values_take_the_type_of_the_default():
    texts = {"market": "NO", "region": "Latin America", "top": "3", "share": "1", "on": "false"}
    assert typed_parameters(texts, DECLARED) == {
        "market": "NO",  # Norway, not YAML's false
        "region": "Latin America",
        "top": 3,
        "share": 1.0,
        "on": False,
    }
    assert typed_parameters({"market": "null", "region": "None"}, DECLARED) == {
        "market": None,
        "region": None,
    }


def test_a_value_of_an_undeclared_or_untyped_parameter_is_read_as_a_literal():
    assert typed_parameters({"quarter": "2026Q2", "x": "7", "y": "[1]"}, DECLARED) == {
        "quarter": "2026Q2",
        "x": 7,
        "y": "[1]",
    }


@pytest.mark.parametrize(("name", "text"), [("top", "three"), ("share", "half"), ("on", "yes")])
def test_a_value_that_does_not_fit_the_default_is_named(name, text):
    with pytest.raises(ParamsError, match=f"parameter '{name}': '{text}' is not"):
        typed_parameters({name: text}, DECLARED)


def test_the_target_must_be_an_html_file(tmp_path):
    with pytest.raises(InputError, match=r"--to must name an \.html file"):
        run_adhoc(AdhocReport("market", tmp_path / "japan.pdf"))
    assert list(tmp_path.iterdir()) == []
