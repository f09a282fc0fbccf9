"""The command line: commands, their help and their checks (bad input: test_bad_input.py)."""

import tempfile

import pytest
from click.testing import CliRunner

from portfolio_reports.cli.commands import cli

from .conftest import PARAMS, invoke_cli, run_cli


@pytest.mark.slow
def test_validate_accepts_the_sample_project():
    process = run_cli("validate")
    assert process.returncode == 0, process.stderr
    assert "14 params files valid" in process.stderr


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
        (
            ["market"],
            "market.ipynb: market.ipynb reports on one market or region; set parameter market"
            " (in the data: AE, AR,",
        ),
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


@pytest.mark.parametrize("command", ["build", "run"])
def test_a_temporary_folder_too_long_for_sockets_is_one_line_before_anything_runs(
    tmp_path, monkeypatch, command
):
    long_folder = tmp_path / ("t" * 60)
    monkeypatch.setattr(tempfile, "tempdir", str(long_folder))
    out = tmp_path / "reports" / "market.html"
    arguments = (
        ["--out", str(out.parent)]
        if command == "build"
        else ["market", "-p", "market", "JP", "--to", str(out)]
    )
    result = CliRunner().invoke(cli, [command, *arguments])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        f"error: TMPDIR {long_folder}: {len(str(long_folder))} characters, too long a path for"
        " the kernels' sockets (at most 63): set TMPDIR to a shorter folder, such as /tmp"
    ]
    assert not out.parent.exists()


@pytest.mark.slow
def test_run_builds_one_report_at_the_chosen_path(tmp_path):
    target = tmp_path / "adhoc" / "lung.html"
    process = invoke_cli(
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
    assert "Events, deals and readouts this quarter" in html and "<script" not in html
    assert "results reported in Q2 2026" in html
    assert list(target.parent.iterdir()) == [target]
