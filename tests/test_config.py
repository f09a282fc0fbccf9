"""Configure once: the project's config found from any folder, env overrides, init, template."""

import filecmp
import os
import subprocess
from pathlib import Path

import pytest

from portfolio_reports.config import (
    TEMPLATE_DIR,
    TEMPLATE_PARTS,
    Materiality,
    init_project,
    load_config,
    project_data,
)
from portfolio_reports.errors import InputError

from .conftest import PROJECT, SAMPLE_DATA, cli_command, invoke_cli, run_cli


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_settings_are_relative_to_the_config_found_above(tmp_path, monkeypatch):
    _write(tmp_path / "pyproject.toml", '[tool.portfolio-reports]\ndata = "inputs"\njobs = 3\n')
    below = tmp_path / "notebooks" / "deeper"
    below.mkdir(parents=True)
    monkeypatch.chdir(below)
    config = load_config()
    assert config.file == tmp_path / "pyproject.toml"
    assert config.settings == {
        "data": "../../inputs",
        "params": "../../params",
        "notebooks": "..",
        "out": "../../reports",
        "jobs": 3,
    }


def test_a_database_url_is_kept_and_the_own_config_file_wins(tmp_path):
    _write(tmp_path / "pyproject.toml", '[tool.portfolio-reports]\ndata = "ignored"\n')
    _write(tmp_path / "sub" / "portfolio-reports.toml", 'data = "postgresql://r@db/portfolio"\n')
    settings = load_config(tmp_path / "sub").settings
    assert settings["data"] == "postgresql://r@db/portfolio"


def test_a_pyproject_without_the_table_is_passed_over(tmp_path):
    _write(tmp_path / "pyproject.toml", '[tool.portfolio-reports]\nout = "pages"\n')
    _write(tmp_path / "lib" / "pyproject.toml", '[project]\nname = "other"\n')
    config = load_config(tmp_path / "lib")
    assert (config.root, config.settings["out"]) == (tmp_path, os.path.relpath(tmp_path / "pages"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('colour = "red"', "colour: unknown setting; allowed: data, params, notebooks, out,"),
        ('jobs = "two"', "jobs: must be whole number, got 'two'"),
        ('data = "postgresql://r:secret@db/p"', "data: holds a password; leave it out of the URL"),
        ("data = ", "not valid TOML"),
        ('classification = ""', "classification: must be one line of 1 to 60 printable"),
        ('classification = "Board\\nonly"', "classification: must be one line of 1 to 60"),
        ("classification = 1", "classification: must be text, got 1"),
        ("material_floor = -1", "material_floor: must be a positive number, got -1"),
        ("material_floor = 0", "material_floor: must be a positive number, got 0"),
        ('material_floor = "1 m"', "material_floor: must be a number, got '1 m'"),
        ("material_share = 5", "material_share: must be between 0 and 1 (exclusive), got 5"),
        ("material_share = 1.0", "material_share: must be between 0 and 1 (exclusive), got 1"),
        ("material_share = nan", "material_share: must be between 0 and 1 (exclusive), got nan"),
    ],
)
def test_bad_config_names_the_file_and_setting(tmp_path, text, message):
    config = _write(tmp_path / "portfolio-reports.toml", text + "\n")
    with pytest.raises(InputError, match="^" + str(config)) as raised:
        load_config(tmp_path)
    assert message in str(raised.value)


@pytest.fixture
def no_data_variable(monkeypatch):
    """No PORTFOLIO_REPORTS_DATA in the environment, so only config files set the data."""
    monkeypatch.delenv("PORTFOLIO_REPORTS_DATA", raising=False)


def test_the_repository_and_a_new_project_are_configured_with_the_sample(tmp_path):
    assert Path(project_data(PROJECT / "notebooks")).resolve() == SAMPLE_DATA
    init_project(tmp_path / "p")
    assert Path(project_data(tmp_path / "p" / "notebooks")).resolve() == (
        tmp_path / "p" / "data" / "sample"
    )


@pytest.mark.usefixtures("no_data_variable")
def test_without_a_config_no_data_source_is_assumed(tmp_path):
    config = load_config(tmp_path)
    assert (config.file, "data" in config.settings) == (None, False)
    with pytest.raises(InputError) as raised:
        config.data_source()
    assert str(raised.value) == (
        "no data source: no portfolio-reports.toml, nor pyproject.toml with"
        f" [tool.portfolio-reports], in {tmp_path} or any folder above; `portfolio-reports init`"
        " writes a project set up with the sample data; or set PORTFOLIO_REPORTS_DATA, or pass"
        " one (--data; `data=` in Python)"
    )


@pytest.mark.usefixtures("no_data_variable")
def test_a_config_without_data_says_to_add_it_and_the_variable_sets_it(tmp_path, monkeypatch):
    config = _write(tmp_path / "portfolio-reports.toml", 'out = "pages"\n')
    with pytest.raises(InputError, match=f'^{config}: no data source set; add data = "FOLDER'):
        project_data(tmp_path)
    monkeypatch.setenv("PORTFOLIO_REPORTS_DATA", "elsewhere")
    assert project_data(tmp_path) == "elsewhere"


@pytest.mark.usefixtures("no_data_variable")
@pytest.mark.parametrize("command", [["validate"], ["build", "--jobs", "1"], ["list", "--json"]])
def test_commands_outside_a_project_stop_in_one_line(tmp_path, command):
    result = invoke_cli(*command, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: no data source: no portfolio-reports.toml")
    assert result.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_the_materiality_bar_is_read_from_the_config_with_todays_defaults(tmp_path):
    _write(tmp_path / "portfolio-reports.toml", "material_floor = 250\nmaterial_share = 0.1\n")
    assert Materiality.of(load_config(tmp_path).settings) == Materiality(250.0, 0.1)
    _write(tmp_path / "other" / "portfolio-reports.toml", "material_share = 0.02\n")
    assert Materiality.of(load_config(tmp_path / "other").settings) == Materiality(1.0, 0.02)


@pytest.mark.slow  # a command in a child process
def test_a_bad_bar_on_the_command_line_is_refused_in_one_line(tmp_path):
    process = run_cli("build", "--material-share", "1.5", "--out", str(tmp_path / "reports"))
    assert process.returncode == 2
    assert (process.stdout + process.stderr).strip().splitlines() == [
        "error: --material-share must be between 0 and 1 (exclusive), got 1.5"
    ]
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow  # a command in a child process
def test_validate_works_from_the_notebooks_folder():
    process = run_cli("validate", cwd=PROJECT / "notebooks")
    assert process.returncode == 0, process.stderr
    assert "ok: data ../data/sample (816 sales rows), 14 params files valid" in process.stderr


@pytest.mark.slow  # a command in a child process
def test_an_environment_variable_overrides_the_config(tmp_path):
    env = {**os.environ, "PORTFOLIO_REPORTS_PARAMS": str(tmp_path)}
    process = subprocess.run(
        cli_command("validate"), cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )
    assert process.returncode == 2
    assert f"error: {tmp_path}: no params files (*.yaml)" in process.stderr


def test_the_template_is_the_repository_project():
    for part in TEMPLATE_PARTS:
        compared = filecmp.dircmp(PROJECT / part, TEMPLATE_DIR / part, ignore=["__pycache__"])
        differ = compared.left_only or compared.right_only or compared.diff_files
        assert not differ, f"{part}: {differ} differ from the template; run make template"
        _, mismatch, errors = filecmp.cmpfiles(
            PROJECT / part, TEMPLATE_DIR / part, compared.common_files, shallow=False
        )
        assert not (mismatch or errors), f"{part}: {mismatch or errors}; run make template"


def test_init_refuses_a_folder_with_files(tmp_path):
    _write(tmp_path / "notes.txt", "mine")
    with pytest.raises(InputError, match="not an empty folder"):
        init_project(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


@pytest.mark.slow
def test_init_writes_a_project_that_builds_from_its_own_folder(tmp_path):
    project = tmp_path / "p"
    assert run_cli("init", str(project), cwd=tmp_path).returncode == 0
    # Two of the project's reports, one per notebook kind the sample's pages use most.
    reports = ("portfolio-overview", "market-jp")
    process = run_cli("build", *reports, "--quarter", "2026Q2", "--jobs", "1", cwd=project)
    assert process.returncode == 0, process.stderr
    assert "2 of 14 reports current for 2026Q2" in process.stderr
    built = sorted(path.stem for path in (project / "reports" / "2026Q2").glob("*.html"))
    assert built == sorted(["glossary", "index", *reports])
