"""Bad input through the command line: one clear line each, exit 2, nothing run or changed.

Every case runs the build command in this process (click's CliRunner: each stops before any
kernel starts) against a reports folder that already holds a published quarter, and checks that
the folder is byte for byte the same afterwards; one case runs it as a child process to see what a
user's terminal shows.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from portfolio_reports.paths import SHARED_CHARTS_ENV

from .conftest import (
    NOTEBOOKS,
    PARAMS,
    CliRun,
    assert_unchanged,
    edit_cell,
    invoke_cli,
    run_cli,
    tree_state,
)

QUARTER = "2026Q3"
"""The latest quarter of the sample data: the one a build without --quarter writes."""


@dataclass(frozen=True)
class Project:
    """A data copy, a params folder with one report, and a reports folder already published."""

    data: Path
    params: Path
    out: Path

    def arguments(self, *options: str) -> list[str]:
        """The build command on this project; later options override earlier ones."""
        folders = ["--data", str(self.data), "--params", str(self.params), "--out", str(self.out)]
        return ["build", *folders, *options]

    def build(self, *options: str) -> CliRun:
        """Run `portfolio-reports build` on this project in this process."""
        return invoke_cli(*self.arguments(*options))

    def build_in_child(self, *options: str) -> subprocess.CompletedProcess:
        """Run `portfolio-reports build` on this project in a child process, as a user would."""
        return run_cli(*self.arguments(*options))

    def params_file(self, name: str, text: str) -> None:
        """Add a params file."""
        (self.params / name).write_text(text, encoding="utf-8")


def publish_fake_quarter(out: Path) -> None:
    """A reports folder as a previous good build left it."""
    quarter = out / QUARTER
    (quarter / "notebooks").mkdir(parents=True)
    (quarter / "market-jp.html").write_text("<!doctype html><p>last good Japan report</p>\n")
    (quarter / "notebooks" / "market-jp.ipynb").write_text('{"cells": []}\n')
    (quarter / "index.html").write_text('<!doctype html><a href="market-jp.html">Japan</a>\n')
    manifest = {"quarter": QUARTER, "reports": [{"name": "market-jp", "status": "ok"}]}
    (quarter / "manifest.json").write_text(json.dumps(manifest))
    (out / "index.html").write_text(f'<!doctype html><a href="{QUARTER}/index.html">q</a>\n')


@pytest.fixture
def project(tmp_path: Path, sample_copy: Path) -> Project:
    params = tmp_path / "params"
    params.mkdir()
    shutil.copy(PARAMS / "market-jp.yaml", params)
    out = tmp_path / "reports"
    publish_fake_quarter(out)
    return Project(sample_copy, params, out)


def rejected(project: Project, *options: str, out: Path | None = None) -> list[str]:
    """Build, expect exit 2 with nothing run or changed; return the error lines."""
    watched = out or project.out
    before = tree_state(watched)
    process = project.build(*options)
    assert process.returncode == 2, process.stderr
    assert "Traceback" not in process.stderr
    assert not any(sign in process.stderr for sign in ("IPKernelApp", "  ok  ", "FAILED"))
    assert_unchanged(watched, before)
    lines = process.stderr.strip().splitlines()
    assert lines, "no error printed"
    assert all(line.startswith("error: ") for line in lines), lines
    return [line.removeprefix("error: ") for line in lines]


def the_error(project: Project, *options: str, out: Path | None = None) -> str:
    """The one error line of a rejected build."""
    lines = rejected(project, *options, out=out)
    assert len(lines) == 1, lines
    return lines[0]


# --- data ---------------------------------------------------------------------------------


def rewrite(path: Path, change: Callable[[str], str]) -> None:
    """Replace a text file's content by a function of it."""
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def drop_column(column: str) -> Callable[[Path], None]:
    """A change that removes one column of markets.csv."""

    def change(data: Path) -> None:
        frame = pd.read_csv(data / "markets.csv", dtype=str, keep_default_na=False)
        frame.drop(columns=[column]).to_csv(data / "markets.csv", index=False)

    return change


def add_column(data: Path) -> None:
    frame = pd.read_csv(data / "markets.csv", dtype=str, keep_default_na=False)
    frame.assign(notes="x").to_csv(data / "markets.csv", index=False)


def repeat_column(data: Path) -> None:
    frame = pd.read_csv(data / "markets.csv", dtype=str, keep_default_na=False)
    header = [*frame.columns, "region"]
    frame.assign(again="Europe").to_csv(data / "markets.csv", index=False, header=header)


def repeat_sales_row(data: Path) -> None:
    rewrite(data / "sales.csv", lambda text: text + text.splitlines()[1] + "\n")


def non_utf8(data: Path) -> None:
    path = data / "markets.csv"
    path.write_bytes(path.read_bytes().replace(b"Japan", b"Jap\xe4n", 1))


def directory_instead_of_file(data: Path) -> None:
    (data / "products.csv").unlink()
    (data / "products.csv").mkdir()


def truncate_last_line(data: Path) -> None:
    rewrite(data / "sales.csv", lambda text: text.rstrip("\n").rsplit(",", 2)[0] + "\n")


def header_only(data: Path) -> None:
    rewrite(data / "sales.csv", lambda text: text.splitlines()[0] + "\n")


def sales_lines(data: Path) -> int:
    """Lines in sales.csv, header included."""
    return len((data / "sales.csv").read_text().splitlines())


DATA_CASES = [
    pytest.param(
        lambda data: (data / "markets.csv").unlink(),
        "markets.csv: missing table file; expected columns: market, name, region, regulator",
        id="missing-table-file",
    ),
    pytest.param(
        lambda data: (data / "indications.csv").write_text(""),
        "indications.csv: empty file; expected a header line with: indication, product, name,",
        id="empty-file",
    ),
    pytest.param(
        header_only,
        "sales: no rows, so the data has no latest quarter",
        id="header-without-rows",
    ),
    pytest.param(
        drop_column("regulator"),
        "markets.csv: missing column 'regulator'; required columns: market, name, region,"
        " regulator",
        id="missing-column",
    ),
    pytest.param(
        drop_column("market"),
        "markets.csv: missing column 'market'; required columns: market, name, region, regulator",
        id="missing-key-column",
    ),
    pytest.param(
        add_column,
        "markets.csv: unexpected column 'notes'; allowed columns: market, name, region, regulator",
        id="extra-column",
    ),
    pytest.param(
        repeat_column,
        "markets.csv line 1: column 'region' appears more than once; expected columns: market,",
        id="repeated-column",
    ),
    pytest.param(
        lambda data: edit_cell(data, "sales", 2, "revenue_m", "twelve"),
        "sales.csv line 4, column revenue_m: value 'twelve' is not a number",
        id="wrong-type",
    ),
    pytest.param(
        lambda data: edit_cell(data, "pipeline", 2, "since", "2025-13-01"),
        "pipeline.csv line 4, column since: value '2025-13-01' is not a date of the form"
        " YYYY-MM-DD",
        id="bad-date",
    ),
    pytest.param(
        lambda data: edit_cell(data, "sales", 2, "quarter", "2025Q5"),
        "sales.csv line 4, column quarter: value '2025Q5' not allowed; must be of the form"
        " YYYYQn with a year from 1900 to 2200, e.g. 2025Q3",
        id="bad-quarter",
    ),
    pytest.param(
        lambda data: edit_cell(data, "sales", 2, "revenue_m", "-12.5"),
        "sales.csv line 4, column revenue_m: value -12.5 not allowed; must be >= 0",
        id="negative-revenue",
    ),
    pytest.param(
        lambda data: edit_cell(data, "trade_names", 2, "market", "ZZ"),
        "trade_names.csv line 4, column market: unknown market 'ZZ', not in markets.csv;"
        " allowed: AE, AR,",
        id="unknown-market-reference",
    ),
    pytest.param(
        lambda data: edit_cell(data, "trade_names", 2, "product", "HLX999"),
        "trade_names.csv line 4, column product: unknown product 'HLX999', not in products.csv;"
        " allowed: ",
        id="unknown-product-reference",
    ),
    pytest.param(
        lambda data: edit_cell(data, "pipeline", 2, "indication", "NOPE-1"),
        "pipeline.csv line 4, column indication: unknown indication 'NOPE-1', not in"
        " indications.csv; allowed: ",
        id="unknown-indication-reference",
    ),
    pytest.param(
        lambda data: edit_cell(data, "clinical_results", 0, "market", "ZZ"),
        "clinical_results.csv line 2, column market: unknown market 'ZZ', not in markets.csv;"
        " allowed: AE, AR,",
        id="unknown-trial-market",
    ),
    pytest.param(
        lambda data: edit_cell(data, "trade_names", 14, "indication", "HLX11-BC"),
        "trade_names.csv line 16, column indication: 'HLX11-BC' is an indication of HLX11, not"
        " of HLX14; allowed: an indication of HLX14, or empty for every label",
        id="brand-of-another-products-label",
    ),
    pytest.param(
        lambda data: edit_cell(data, "regulatory_events", 2, "status", "under review"),
        "regulatory_events.csv line 4: status 'under review' with status_as_of ''; give both"
        " (a status and the date it was reported) or neither",
        id="status-without-as-of-date",
    ),
    pytest.param(
        lambda data: edit_cell(data, "regulatory_events", 2, "product", ""),
        "regulatory_events.csv line 4, column product: empty for a 'licence deal' event; allowed:"
        " a product of products.csv, or empty for a 'loss of exclusivity' only",
        id="event-without-product",
    ),
    pytest.param(
        repeat_sales_row,
        "sales.csv, 2 rows (lines 2, {last}): duplicate key (quarter, product, market) = (2023Q1,"
        " HLX01, BR); each combination must appear once",
        id="duplicate-key",
    ),
    pytest.param(
        lambda data: edit_cell(data, "pipeline", 2, "phase", "Phase 4"),
        "pipeline.csv line 4, column phase: value 'Phase 4' not allowed; allowed: Preclinical,"
        " Phase 1,",
        id="unknown-phase",
    ),
    pytest.param(
        lambda data: edit_cell(data, "regulatory_events", 2, "event_type", "approved"),
        "regulatory_events.csv line 4, column event_type: value 'approved' not allowed;"
        " allowed: IND cleared,",
        id="unknown-event-type",
    ),
    pytest.param(
        lambda data: edit_cell(data, "markets", 2, "region", "R" * 81),
        f"markets.csv line 4, column region: name '{'R' * 37}...{'R' * 38}' not allowed",
        id="region-name-too-long",
    ),
    pytest.param(
        lambda data: edit_cell(data, "products", 2, "therapy_area", "Cardio\x07logy"),
        "products.csv line 4, column therapy_area: name 'Cardio\\x07logy' not allowed; a name is"
        " 1 to 80 characters without control characters",
        id="therapy-area-with-a-control-character",
    ),
    pytest.param(
        non_utf8,
        "markets.csv line {japan}: bytes that are not UTF-8; save the file as UTF-8",
        id="not-utf8",
    ),
    pytest.param(
        directory_instead_of_file,
        "products.csv: is a directory, not a CSV file",
        id="directory-instead-of-file",
    ),
    pytest.param(
        truncate_last_line,
        "sales.csv line {last}: 3 fields where the header has 5 (truncated or unquoted line)",
        id="truncated-last-line",
    ),
]


@pytest.mark.parametrize(("damage", "expected"), DATA_CASES)
def test_bad_data(project, damage, expected):
    japan = next(
        number
        for number, line in enumerate((project.data / "markets.csv").read_text().splitlines(), 1)
        if "Japan" in line
    )
    damage(project.data)
    expected = expected.format(last=sales_lines(project.data), japan=japan)
    assert the_error(project).startswith(expected)


# --- params -------------------------------------------------------------------------------

PARAMS_CASES = [
    pytest.param(
        "notebook: market.ipynb\ntitle: [unclosed\n",
        "params/bad.yaml line 3: invalid YAML: expected ',' or ']', but got '<stream end>'",
        id="invalid-yaml",
    ),
    pytest.param(
        "- market.ipynb\n- Japan\n",
        "params/bad.yaml: is a list; expected a mapping with keys notebook, title, parameters",
        id="yaml-list",
    ),
    pytest.param(
        "market.ipynb\n",
        "params/bad.yaml: is the single value 'market.ipynb'; expected a mapping with keys"
        " notebook, title, parameters",
        id="yaml-scalar",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\nparams:\n  market: JP\n",
        "params/bad.yaml: unknown key 'params'; allowed keys: notebook, title, group, name,"
        " parameters",
        id="unknown-top-level-key",
    ),
    pytest.param(
        "notebook: market.ipynb\n",
        "params/bad.yaml: missing key 'title'; required keys: notebook, title",
        id="missing-key",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\nparameters:\n  market: JP\n  market: US\n",
        "params/bad.yaml line 5: invalid YAML: duplicate key 'market'",
        id="repeated-key",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: !!python/object/apply:os.system ['touch pwned']\n",
        "params/bad.yaml line 2: invalid YAML: could not determine a constructor for the tag"
        " 'tag:yaml.org,2002:python/object/apply:os.system'",
        id="python-object-tag",
    ),
    pytest.param(
        "notebook: markets.ipynb\ntitle: X\n",
        "params/bad.yaml: unknown notebook 'markets.ipynb'; available: market.ipynb,"
        " portfolio_overview.ipynb, product.ipynb, therapy_area.ipynb",
        id="unknown-notebook",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\nparameters:\n  colour: red\n",
        "params/bad.yaml: parameter 'colour' is not declared by market.ipynb; declared: market,"
        " region",
        id="undeclared-parameter",
    ),
    pytest.param(
        "notebook: therapy_area.ipynb\ntitle: X\nparameters:\n  therapy_area: Cardiology\n",
        "params/bad.yaml: unknown therapy area 'Cardiology'; allowed: Autoimmune, Bone disease,"
        " Oncology, Ophthalmology",
        id="unknown-therapy-area",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\nparameters:\n  market: XX\n",
        "params/bad.yaml: unknown market 'XX'; allowed: AE, AR,",
        id="unknown-market",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\nparameters:\n  market: CN\n  region: Latin America\n",
        "params/bad.yaml: market 'CN' and region 'Latin America' are both set; set market or"
        " region, not both (the other to None, null in a params file)",
        id="market-and-region",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\n",
        "params/bad.yaml: market.ipynb reports on one market or region; set parameter market"
        " (in the data: AE, AR, AU,",
        id="market-report-without-a-market",
    ),
    pytest.param(
        "notebook: therapy_area.ipynb\ntitle: X\nparameters:\n  therapy_area: null\n",
        "params/bad.yaml: therapy_area.ipynb reports on one therapy area or disease area; set"
        " parameter therapy_area (in the data: Autoimmune, Bone disease, Oncology, Ophthalmology)"
        " or disease_area (in the data: Bone loss, Breast cancer,",
        id="therapy-area-report-without-an-area",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\nparameters:\n  region: Atlantis\n",
        "params/bad.yaml: unknown region 'Atlantis'; allowed: Asia-Pacific ex-China, China,"
        " Europe, Latin America, Middle East and Africa, North America",
        id="unknown-region",
    ),
    pytest.param(
        "notebook: therapy_area.ipynb\ntitle: X\nparameters:\n  disease_area: Gout\n",
        "params/bad.yaml: unknown disease area 'Gout'; allowed: Bone loss, Breast cancer,",
        id="unknown-disease-area",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\nparameters:\n  market: 12\n",
        "params/bad.yaml: parameter 'market' has int value 12; expected text",
        id="wrong-value-type",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\nparameters:\n  market: [JP, US]\n",
        "params/bad.yaml: parameter 'market' has list value ['JP', 'US']; allowed: text, a"
        " number, true, false or null",
        id="list-value",
    ),
    pytest.param(
        "notebook: market.ipynb\ntitle: X\nname: market-jp\nparameters:\n  market: JP\n",
        "params/market-jp.yaml: report name 'market-jp' is also produced by params/bad.yaml;"
        " report names must be unique",
        id="same-report-name",
    ),
    pytest.param(
        "notebook: portfolio_overview.ipynb\ntitle: X\nname: ../escape\n",
        "params/bad.yaml: report name '../escape' must be 1 to 64 lower-case letters, digits,"
        " '-' or '_', starting with a letter or digit (it names a file in the quarter's folder)",
        id="name-escapes-with-dot-dot",
    ),
    pytest.param(
        "notebook: portfolio_overview.ipynb\ntitle: X\nname: /tmp/escape\n",
        "params/bad.yaml: report name '/tmp/escape' must be 1 to 64 lower-case letters, digits,",
        id="name-is-an-absolute-path",
    ),
]


@pytest.mark.parametrize(("text", "expected"), PARAMS_CASES)
def test_bad_params_file(project, text, expected):
    project.params_file("bad.yaml", text)
    assert the_error(project).startswith(expected)


def test_notebook_outside_the_notebooks_folder(project, tmp_path):
    outside = Path(shutil.copy(NOTEBOOKS / "market.ipynb", tmp_path / "outside.ipynb"))
    project.params_file("bad.yaml", f"notebook: {outside}\ntitle: X\n")
    assert the_error(project).startswith(
        f"params/bad.yaml: unknown notebook '{outside}'; available:"
    )


def test_params_file_that_is_a_directory(project):
    (project.params / "bad.yaml").mkdir()
    assert the_error(project) == (
        "params/bad.yaml: not a regular file; only plain files in the params folder are read"
    )


def test_every_bad_params_file_is_reported_at_once(project):
    project.params_file("a.yaml", "notebook: markets.ipynb\ntitle: A\n")
    project.params_file("b.yaml", "notebook: market.ipynb\ntitle: B\nparameters:\n  market: XX\n")
    lines = rejected(project)
    assert [line.split(":")[0] for line in lines] == ["params/a.yaml", "params/b.yaml"]


# --- command line -------------------------------------------------------------------------

CLI_CASES = [
    pytest.param(
        ["--quarter", "2026Q7"],
        "quarter '2026Q7' is not of the form YYYYQn with a year from 1900 to 2200, e.g. 2025Q3",
        id="malformed-quarter",
    ),
    pytest.param(
        ["--quarter", "2030Q1"],
        "quarter 2030Q1 is not in the data; available: 2023Q1 to 2026Q3",
        id="quarter-not-in-data",
    ),
    pytest.param(["--jobs", "0"], "--jobs must be 1 or more, got 0", id="zero-jobs"),
]


@pytest.mark.parametrize(("options", "expected"), CLI_CASES)
def test_bad_option(project, options, expected):
    assert the_error(project, *options) == expected


def test_data_folder_that_does_not_exist(project, tmp_path):
    missing = tmp_path / "no" / "such" / "folder"
    assert the_error(project, "--data", str(missing)) == f"{missing}: data folder does not exist"


def test_params_folder_that_does_not_exist(project, tmp_path):
    missing = tmp_path / "nowhere"
    expected = f"{missing}: params folder does not exist"
    assert the_error(project, "--params", str(missing)) == expected


def test_notebooks_folder_that_does_not_exist(project, tmp_path):
    missing = tmp_path / "nowhere"
    expected = f"{missing}: notebooks folder does not exist"
    assert the_error(project, "--notebooks", str(missing)) == expected


def test_reports_folder_that_is_a_file(project, tmp_path):
    out = tmp_path / "reports.html"
    out.write_text("not a folder\n")
    line = the_error(project, "--out", str(out), out=out)
    assert line.startswith(str(out)) and ("not a folder" in line or "Not a directory" in line)


def test_a_relative_shared_drawings_folder_is_refused_before_anything_runs(project, monkeypatch):
    monkeypatch.setenv(SHARED_CHARTS_ENV, "drawings")
    assert the_error(project) == (
        f"{SHARED_CHARTS_ENV} must be an absolute path to a folder, got 'drawings'"
    )


def test_option_value_of_the_wrong_type_is_a_usage_error(project):
    before = tree_state(project.out)
    process = project.build("--jobs", "many")
    assert process.returncode == 2
    assert "Traceback" not in process.stderr
    assert process.stderr.strip().splitlines()[-1] == (
        "Error: Invalid value for '--jobs' (env var: 'PORTFOLIO_REPORTS_JOBS'):"
        " 'many' is not a valid integer."
    )
    assert_unchanged(project.out, before)


# --- how errors are shown -----------------------------------------------------------------


@pytest.mark.slow
def test_plain_mode_never_prints_a_traceback_and_debug_does(project):
    edit_cell(project.data, "sales", 2, "revenue_m", "-1")
    plain = project.build_in_child()
    debug = project.build_in_child("--debug")
    assert plain.returncode == debug.returncode == 2
    assert "Traceback" not in plain.stderr
    assert "Traceback (most recent call last)" in debug.stderr
    assert "DataError" in debug.stderr
    assert plain.stderr.strip().splitlines()[-1] == debug.stderr.strip().splitlines()[-1]
