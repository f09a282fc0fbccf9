"""The command line: exit codes, one-line errors, and nothing run or written on bad input."""

import json
import shutil

import nbformat
import pytest

from .conftest import NOTEBOOKS, PARAMS, run_cli


@pytest.fixture
def params_dir(tmp_path):
    folder = tmp_path / "params"
    folder.mkdir()
    shutil.copy(PARAMS / "market-jp.yaml", folder)
    return folder


def build_args(params_dir, out, *extra):
    return ["build", "--params", str(params_dir), "--out", str(out), *extra]


def test_validate_accepts_the_sample_project():
    process = run_cli("validate")
    assert process.returncode == 0, process.stderr
    assert "14 params files valid" in process.stderr


def test_undeclared_parameter_fails_validation_before_any_kernel(params_dir, tmp_path):
    (params_dir / "odd.yaml").write_text(
        "notebook: market.ipynb\ntitle: Odd\nparameters:\n  colour: red\n"
    )
    out = tmp_path / "reports"
    process = run_cli(*build_args(params_dir, out))
    assert process.returncode == 2
    assert process.stderr.strip().splitlines() == [
        "error: params/odd.yaml: parameter 'colour' is not declared by market.ipynb;"
        " declared: market, region"
    ]
    assert not out.exists()


def test_unknown_market_lists_the_valid_ones(params_dir, tmp_path):
    (params_dir / "market-xx.yaml").write_text(
        "notebook: market.ipynb\ntitle: Nowhere\nparameters:\n  market: XX\n"
    )
    out = tmp_path / "reports"
    process = run_cli(*build_args(params_dir, out))
    assert process.returncode == 2
    [line] = process.stderr.strip().splitlines()
    assert line.startswith("error: params/market-xx.yaml: unknown market 'XX'; allowed: AE, AR,")
    assert "JP" in line and "US" in line
    assert "Traceback" not in process.stderr
    assert not out.exists()


def test_bad_data_stops_the_build_with_exit_2(sample_copy, params_dir, tmp_path):
    (sample_copy / "markets.csv").write_text(
        (sample_copy / "markets.csv").read_text().replace("Japan", "Japan,extra", 1)
    )
    out = tmp_path / "reports"
    process = run_cli(*build_args(params_dir, out), "--data", str(sample_copy))
    assert process.returncode == 2
    assert (
        "markets.csv line" in process.stderr and "fields where the header has 4" in process.stderr
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--quarter", "2026Q7"], "quarter '2026Q7' is not of the form YYYYQn, e.g. 2025Q3"),
        (["--quarter", "2030Q1"], "quarter 2030Q1 is not in the data; available: 2023Q1 to 2026Q3"),
        (["--jobs", "0"], "--jobs must be 1 or more, got 0"),
        (["--data", "no/such/folder"], "no/such/folder: data folder does not exist"),
    ],
)
def test_bad_options_exit_2_with_one_line(params_dir, tmp_path, option, message):
    out = tmp_path / "reports"
    process = run_cli(*build_args(params_dir, out), *option)
    assert process.returncode == 2
    assert process.stderr.strip() == f"error: {message}"
    assert not out.exists()


def test_a_failing_report_is_recorded_and_the_others_complete(params_dir, tmp_path):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    broken = nbformat.read(notebooks / "market.ipynb", as_version=4)
    broken.cells.insert(5, nbformat.v4.new_code_cell("raise ValueError('sales extract is empty')"))
    nbformat.write(broken, notebooks / "broken.ipynb")
    (params_dir / "broken.yaml").write_text("notebook: broken.ipynb\ntitle: Broken\n")
    out = tmp_path / "reports"
    process = run_cli(*build_args(params_dir, out), "--notebooks", str(notebooks))
    assert process.returncode == 1, process.stderr
    assert "FAILED  broken: cell" in process.stderr
    assert "ValueError: sales extract is empty" in process.stderr
    quarter_dir = out / "2026Q3"
    manifest = {
        r["name"]: r for r in json.loads((quarter_dir / "manifest.json").read_text())["reports"]
    }
    assert manifest["market-jp"]["status"] == "ok"
    failed = manifest["broken"]
    assert failed["status"] == "failed"
    assert failed["error"]["error"] == "ValueError"
    assert failed["error"]["message"] == "sales extract is empty"
    assert isinstance(failed["error"]["cell"], int)
    assert (quarter_dir / "notebooks" / "broken.failed.ipynb").is_file()
    assert not (quarter_dir / "broken.html").exists()
    index = (quarter_dir / "index.html").read_text()
    assert "sales extract is empty" in index
