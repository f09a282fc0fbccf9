"""Problems by cause: `validate` on hand-made bad tables prints one line per file, column and value.

The tables are the tiny data set written as CSV files, with bad rows appended by hand; the
command runs in this process (click's CliRunner), as a user would run it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from portfolio_reports.cli.commands import cli
from portfolio_reports.data.dataset import Dataset, export_dataset
from portfolio_reports.data.limits import PROBLEMS_PER_FILE
from portfolio_reports.data.raw import TableLocation
from portfolio_reports.data.schema import ORIGINS, PHASES, Markets

from .conftest import NOTEBOOKS, PARAMS

EXIT_INVALID_INPUT = 2


@pytest.fixture
def tiny_folder(tmp_path: Path, tiny_dataset: Dataset) -> Path:
    """The tiny data set as a folder of CSV files (line 1 the header, line 2 the first row)."""
    folder = tmp_path / "tiny"
    export_dataset(tiny_dataset, folder)
    return folder


def append_rows(folder: Path, table: str, rows: list[dict[str, str]]) -> None:
    """Append rows to a CSV table, each given by column name; other cells stay empty."""
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writerows(rows)


def lines_of(folder: Path, table: str) -> int:
    """How many lines a CSV table has, its header included."""
    return len((folder / f"{table}.csv").read_text(encoding="utf-8").splitlines())


def validate(folder: Path) -> Result:
    """`portfolio-reports validate` on a data folder."""
    args = ["validate", "--data", str(folder), "--params", str(PARAMS)]
    return CliRunner().invoke(cli, [*args, "--notebooks", str(NOTEBOOKS)], terminal_width=200)


def error_lines(result: Result) -> list[str]:
    """The problem lines a command printed, without their 'error: ' mark."""
    assert result.exit_code == EXIT_INVALID_INPUT, result.output
    return [line.removeprefix("error: ") for line in result.output.splitlines()]


def product(code: str, origin: str) -> dict[str, str]:
    """A products.csv row, valid but for what the test sets."""
    return {
        "product": code,
        "inn": "examplimab",
        "modality": "mAb",
        "target": "PD-1",
        "therapy_area": "Oncology",
        "origin": origin,
    }


def test_each_cause_is_one_line_with_its_rows_counted_across_files(tiny_folder: Path) -> None:
    first_product = lines_of(tiny_folder, "products") + 1  # line 5: the tiny data has 3 products
    origins = ["Licensed", "Licensed", "Bought", "Licensed"]
    append_rows(
        tiny_folder,
        "products",
        [product(f"HLX1{n}", origin) for n, origin in enumerate(origins)],
    )
    first_phase = lines_of(tiny_folder, "pipeline") + 1
    scopes = [
        (indication, scope)
        for indication in ("HLX01-NHL", "HLX02-BC", "HLX03-RA")
        for scope in ("CN", "US", "CA", "Global")
    ]
    append_rows(
        tiny_folder,
        "pipeline",
        [
            {"indication": i, "scope": s, "phase": "Phase 4", "since": "2025-01-01"}
            | {"estimated": "false"}
            for i, s in scopes
        ],
    )
    lines = error_lines(validate(tiny_folder))
    p = first_product
    q = first_phase
    listed = ", ".join(str(line) for line in range(q, q + 10))
    assert lines == [
        f"products.csv, 3 rows (lines {p}, {p + 1}, {p + 3}), column origin: value 'Licensed'"
        f" not allowed; allowed: {', '.join(ORIGINS)}",
        f"products.csv line {p + 2}, column origin: value 'Bought' not allowed;"
        f" allowed: {', '.join(ORIGINS)}",
        f"pipeline.csv, 12 rows (lines {listed} and 2 more), column phase: value 'Phase 4'"
        f" not allowed; allowed: {', '.join(PHASES)}",
    ]


def test_unparsable_values_references_and_early_sales_are_grouped(tiny_folder: Path) -> None:
    first = lines_of(tiny_folder, "sales") + 1
    (column,) = [name for name in _header(tiny_folder, "sales") if name.startswith("revenue")]
    rows = [("2022Q1", "HLX01", "CN", "lots"), ("2022Q2", "HLX01", "CN", "lots")]
    rows += [("2022Q1", "HLX03", "US", "1"), ("2022Q3", "HLX03", "US", "2")]
    rows += [("2022Q3", "HLX01", "CN", "lots")]
    append_rows(
        tiny_folder,
        "sales",
        [
            {"quarter": quarter, "product": code, "market": market, column: revenue}
            | {"synthetic": "true"}
            for quarter, code, market, revenue in rows
        ],
    )
    brand = lines_of(tiny_folder, "trade_names") + 1
    append_rows(
        tiny_folder,
        "trade_names",
        [
            {"product": "HLX09", "market": market, "trade_name": "NEWBRAND"}
            for market in ["CN", "US"]
        ],
    )
    lines = error_lines(validate(tiny_folder))
    assert lines == [
        f"trade_names.csv, 2 rows (lines {brand}, {brand + 1}), column product: unknown product"
        " 'HLX09', not in products.csv; allowed: HLX01, HLX02, HLX03",
        f"sales.csv, 3 rows (lines {first}, {first + 1}, {first + 4}), column {column}:"
        " value 'lots' is not a number",
        f"sales.csv, 2 rows (lines {first + 2}, {first + 3}): HLX03 has sales in US from 2022Q1"
        " but has no approval there; sales need an approval event in that market first",
    ]


def test_the_cap_counts_causes_so_every_files_causes_show(tiny_folder: Path) -> None:
    many = PROBLEMS_PER_FILE + 5
    append_rows(
        tiny_folder,
        "products",
        [product(f"HLX{n + 10}", f"Origin {n}") for n in range(many) for _ in range(2)][::2]
        + [product(f"HLX{n + 50}", f"Origin {n}") for n in range(many)],
    )
    catalyst = lines_of(tiny_folder, "catalysts") + 1
    append_rows(
        tiny_folder,
        "catalysts",
        [{"product": "HLX01", "market": "CN", "event_type": "approval", "expected": "soon"}],
    )
    lines = error_lines(validate(tiny_folder))
    products = [line for line in lines if line.startswith("products.csv")]
    assert len(products) == PROBLEMS_PER_FILE + 1
    assert all(", 2 rows (lines " in line for line in products[:-1]), products
    assert products[-1] == "products.csv: ... and 5 more problems"
    catalysts = [line for line in lines if line.startswith("catalysts.csv")]
    assert catalysts == [
        f"catalysts.csv line {catalyst}, column expected: value 'soon' not allowed;"
        " must be a quarter (e.g. 2027Q1) or a date (YYYY-MM-DD) from 1900 to 2200"
    ]


@pytest.mark.slow  # validates 100,000 rows
def test_a_hundred_thousand_duplicates_give_one_short_line(tiny_folder: Path) -> None:
    path = tiny_folder / "markets.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *rows, *[rows[0]] * 100_000]) + "\n", encoding="utf-8")
    lines = error_lines(validate(tiny_folder))
    listed = ", ".join(str(line) for line in [2, *range(5, 14)])
    assert lines == [
        f"markets.csv, 100,001 rows (lines {listed} and 99,991 more), column market:"
        " duplicate value 'CN'; values must be unique",
        f"markets.csv, 100,001 rows (lines {listed} and 99,991 more), column name:"
        " duplicate value 'China'; values must be unique",
    ]


def test_quoted_values_are_cut_and_their_control_characters_escaped(tiny_folder: Path) -> None:
    append_rows(
        tiny_folder,
        "products",
        [product("HLX10", "x" * 5000), product("HLX11", "\x1b[2J\x1b[31mred\u202e")],
    )
    lines = error_lines(validate(tiny_folder))
    assert len(lines) == 2, lines
    assert lines[0].startswith("products.csv line 5, column origin: value 'xxxxxxxx")
    assert "...xxx" in lines[0] and len(lines[0]) < 250, lines[0]
    assert lines[1].startswith(
        r"products.csv line 6, column origin: value '\x1b[2J\x1b[31mred\u202e' not allowed"
    )


def test_a_long_repeated_column_name_is_cut(tiny_folder: Path) -> None:
    path = tiny_folder / "markets.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    name = "region" * 1000
    path.write_text("\n".join([f"{header},{name},{name}", *rows]) + "\n", encoding="utf-8")
    lines = error_lines(validate(tiny_folder))
    assert len(lines) == 1, lines
    assert lines[0].startswith("markets.csv line 1: column 'regionregion")
    expected = ", ".join(Markets.to_schema().columns)
    assert lines[0].endswith(f"' appears more than once; expected columns: {expected}")
    assert len(lines[0]) < 250, lines[0]


def test_several_rows_are_counted_and_the_first_ten_listed() -> None:
    location = TableLocation("sales.csv", "line", 2)
    assert location.rows([7]) == "sales.csv line 9"
    assert location.rows([7, 0, 3]) == "sales.csv, 3 rows (lines 2, 5, 9)"
    assert location.rows(range(12)) == (
        "sales.csv, 12 rows (lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more)"
    )
    sheet = TableLocation("sales sheet", "row", 2)
    assert sheet.by_cause([(0, ": a"), (4, ": b"), (2, ": a")]) == [
        "sales sheet, 2 rows (rows 2, 4): a",
        "sales sheet row 6: b",
    ]


def _header(folder: Path, table: str) -> list[str]:
    with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle))
