"""The command line: exit codes, one-line errors, and nothing run or written on bad input."""

import json
import shutil

import nbformat
import pytest
from click.testing import CliRunner

from portfolio_reports.cli import cli

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


def test_every_command_has_an_example_in_its_help():
    assert {"build", "validate", "run", "list"} <= set(cli.commands)
    for name in cli.commands:
        result = CliRunner().invoke(cli, [name, "--help"], terminal_width=100)
        assert result.exit_code == 0, result.output
        example = result.output.split("Example", 1)[-1]
        assert "Example" in result.output, f"{name} --help has no example"
        assert f"portfolio-reports {name}" in example, f"{name} --help: example is not of {name}"


def test_list_shows_each_report_with_its_parameters():
    result = CliRunner().invoke(cli, ["list", "--quarter", "2026Q2"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "14 reports for 2026Q2, into reports/2026Q2" in result.output
    assert len(list(PARAMS.glob("*.yaml"))) == 14
    for name in ("portfolio-overview", "disease-area-lung-cancer", "market-jp"):
        assert name in result.output
    assert "disease_area: Lung cancer" in result.output
    assert "market: JP" in result.output


def test_list_rejects_bad_input_like_a_build(tmp_path):
    result = CliRunner().invoke(cli, ["list", "--params", str(tmp_path)])
    assert result.exit_code == 2
    assert "no params files" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["market", "-p", "market", "XX"], "market.ipynb: unknown market 'XX'; allowed: AE,"),
        (["market", "-p", "colour", "red"], "market.ipynb: parameter 'colour' is not declared"),
        (["nowhere"], "notebook 'nowhere' not found; report notebooks: market,"),
        (["market", "--quarter", "2030Q1"], "quarter 2030Q1 is not in the data"),
    ],
)
def test_run_checks_its_input_like_a_build(tmp_path, arguments, message):
    target = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["run", *arguments, "--to", str(target)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: {message}"), result.output
    assert not target.exists()


def test_run_builds_one_report_at_the_chosen_path(tmp_path):
    target = tmp_path / "adhoc" / "lung.html"
    process = run_cli(
        "run",
        "notebooks/therapy_area.ipynb",
        *("-p", "therapy_area", "null", "-p", "disease_area", "Lung cancer"),
        *("--quarter", "2026Q2", "--to", str(target)),
    )
    assert process.returncode == 0, process.stderr
    html = target.read_text()
    assert "<title>Therapy-area report: Lung cancer · 2026Q2</title>" in html
    assert "Ad-hoc report · Q2 2026" in html
    assert "All reports for" not in html  # no index beside an ad-hoc page
    assert '<footer class="provenance">' in html
    assert "{&#34;disease_area&#34;: &#34;Lung cancer&#34;, &#34;therapy_area&#34;: null}" in html
    assert "Readouts this quarter" in html and "<script" not in html
    assert list(target.parent.iterdir()) == [target]
