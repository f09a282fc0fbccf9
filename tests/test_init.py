"""`init --empty`: a project for a company's own data, and what `validate` asks of it first."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio_reports.cli.commands import cli
from portfolio_reports.data.dataset import Dataset, export_dataset
from portfolio_reports.data.schema import TABLE_MODELS

from .conftest import invoke_cli, run_cli
from .small_disk import fill_disk_code

EXIT_INVALID_INPUT = 2
KIND_FILES = [
    "disease-area.yaml",
    "market.yaml",
    "portfolio-overview.yaml",
    "product.yaml",
    "region.yaml",
    "therapy-area.yaml",
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project written by `portfolio-reports init --empty acme`."""
    result = invoke_cli("init", "--empty", "acme", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ok: wrote a project to acme; cd acme and fill in its data" in result.stderr
    return tmp_path / "acme"


def header_and_rows(path: Path) -> list[list[str]]:
    """A CSV file's rows, the header first."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_empty_project_has_every_tables_header_and_nothing_else(project: Path) -> None:
    data = project / "data"
    assert sorted(path.name for path in data.iterdir()) == sorted(
        ["README.md", *(f"{name}.csv" for name in TABLE_MODELS)]
    )
    assert header_and_rows(data / "company.csv") == [
        [
            "name",
            "currency",
            "unit",
            "home_market",
            "fiscal_year_start_month",
            "rest_of_world_label",
        ]
    ]
    for name, model in TABLE_MODELS.items():
        assert header_and_rows(data / f"{name}.csv") == [list(model.to_schema().columns)], name
    assert sorted(path.name for path in (project / "params").iterdir()) == KIND_FILES
    assert 'data = "data"\n' in (project / "portfolio-reports.toml").read_text()
    notebooks = sorted(path.name for path in (project / "notebooks").iterdir())
    assert notebooks == [
        "exploratory",
        "market.ipynb",
        "portfolio_overview.ipynb",
        "product.ipynb",
        "therapy_area.ipynb",
    ]
    explore = project / "notebooks" / "exploratory"
    assert [path.name for path in explore.iterdir()] == ["explore-portfolio.ipynb"]


def test_readme_gives_every_column_its_type_requirement_and_rules(project: Path) -> None:
    readme = (project / "data" / "README.md").read_text(encoding="utf-8")
    for name, model in TABLE_MODELS.items():
        assert f"\n## {name}.csv (" in readme, name
        section = readme.split(f"\n## {name}.csv (")[1].split("\n## ")[0]
        rows = re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)
        assert rows == list(model.to_schema().columns), name
    assert (
        "| `currency` | text | yes | ISO 4217 code of the amounts, e.g. USD; an ISO 4217 code of"
        " three capital letters, e.g. USD |"
    ) in readme
    assert "| `home_market` | text | may be empty |" in readme
    precision = "| `date_precision` | text | yes | day, month or quarter; one of: day, month,"
    assert precision in readme
    since = "| `since` | a date of the form YYYY-MM-DD from 1900 to 2200 | yes | date the phase"
    assert since in readme
    assert "Each combination of quarter, product, market appears once." in readme
    assert "## catalysts.csv (optional)" in readme


def test_validate_on_the_empty_project_says_what_to_fill_first(project: Path) -> None:
    result = invoke_cli("validate", cwd=project)
    assert result.returncode == EXIT_INVALID_INPUT
    assert result.stderr.splitlines() == [
        "error: data: no table has a row yet; fill in first: company.csv, markets.csv,"
        " products.csv, indications.csv",
        "error: then: trade_names.csv, pipeline.csv, regulatory_events.csv, clinical_results.csv,"
        " sales.csv; the optional tables may stay empty",
        "error: data/README.md describes every column",
    ]


def test_each_kinds_params_file_asks_for_its_scope_from_the_data(
    project: Path, tiny_dataset: Dataset
) -> None:
    export_dataset(tiny_dataset, project / "data")
    result = invoke_cli("validate", cwd=project)
    assert result.returncode == EXIT_INVALID_INPUT
    areas = "therapy_area (in the data: Autoimmune, Oncology)"
    diseases = (
        "disease_area (in the data: Breast cancer, Gastrointestinal cancer,"
        " Haematological cancer, Rheumatology)"
    )
    places = "market (in the data: CA, CN, US) or region (in the data: China, North America)"
    assert result.stderr.splitlines() == [
        "error: params/disease-area.yaml: therapy_area.ipynb reports on one therapy area or"
        f" disease area; set parameter {areas} or {diseases}",
        f"error: params/market.yaml: market.ipynb reports on one market or region; set parameter"
        f" {places}",
        "error: params/product.yaml: product.ipynb reports on one product; set parameter product"
        " (in the data: HLX01, HLX02, HLX03)",
        f"error: params/region.yaml: market.ipynb reports on one market or region; set parameter"
        f" {places}",
        "error: params/therapy-area.yaml: therapy_area.ipynb reports on one therapy area or"
        f" disease area; set parameter {areas} or {diseases}",
    ]
    set_scopes(project, region="Europe")
    result = invoke_cli("validate", cwd=project)
    assert result.stderr.splitlines() == [
        "error: params/region.yaml: unknown region 'Europe'; allowed: China, North America"
    ]
    set_scopes(project, region="North America")
    result = invoke_cli("validate", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "6 params files valid, quarter 2025Q3" in result.stderr


def set_scopes(project: Path, region: str) -> None:
    """Set the scope each params file of an empty project leaves to fill in (the region given)."""
    for kind, scope in [
        ("therapy-area", "therapy_area: Oncology"),
        ("disease-area", "disease_area: Rheumatology"),
        ("market", "market: US"),
        ("product", "product: HLX02"),
        ("region", f"region: {region}"),
    ]:
        path = project / "params" / f"{kind}.yaml"
        path.write_text(re.sub(r"(\w+: null|region: .*)  #", f"{scope}  #", path.read_text()))


@pytest.mark.slow
def test_a_project_started_empty_builds_once_filled(project: Path, tiny_dataset: Dataset) -> None:
    export_dataset(tiny_dataset, project / "data")
    set_scopes(project, region="North America")
    process = run_cli("build", "--jobs", "1", cwd=project)
    assert process.returncode == 0, process.stderr
    assert "6 of 6 reports current for 2025Q3" in process.stderr
    quarter = project / "reports" / "2025Q3"
    built = sorted(path.stem for path in quarter.glob("*.html"))
    assert built == [
        "disease-area",
        "glossary",
        "index",
        "market",
        "portfolio-overview",
        "product",
        "region",
        "therapy-area",
    ]
    assert "<title>Market · 2025Q3</title>" in (quarter / "market.html").read_text()


def _init_on_a_full_disk(target: Path, *options: str) -> dict[str, object]:
    """Fill the disk holding target, then run init: its exit code, error and the folder after."""
    exec(fill_disk_code(target.parent / "filler"))  # the code the full-disk build test runs
    result = CliRunner().invoke(cli, ["init", *options, str(target)])
    return {
        "exit_code": result.exit_code,
        "error": result.output.splitlines()[-1],
        "files": sorted(path.name for path in target.parent.iterdir()),
    }


@pytest.mark.parametrize("options", [(), ("--empty",)], ids=["sample", "empty"])
def test_init_on_a_full_disk_leaves_nothing(small_disk, options: tuple[str, ...]) -> None:
    outcome = small_disk.run(_init_on_a_full_disk, small_disk.path / "acme", *options)
    assert outcome["exit_code"] == 1
    assert "No space left on device" in str(outcome["error"]), outcome
    assert outcome["files"] == ["filler"]
