"""Inputs that expand when read are refused while they are read, in one line naming the table and
the limit, with the command's memory far below the documented ceiling.

Each case runs a build in a child process (it checks the data before anything runs) whose peak
memory is measured (the memory of the command and every process under it, summed) and printed.
"""

from __future__ import annotations

import sqlite3
import time
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from portfolio_reports.data.limits import DATA_LIMIT_ENV, READ_LIMIT_ENV, ROWS_LIMIT_ENV
from portfolio_reports.tools.large_data import write_large_data

from .conftest import NOTEBOOKS, SAMPLE_DATA, cli_command, run_cli, run_measured

pytestmark = pytest.mark.slow  # each case runs a whole build in a child process and measures it

MEMORY_CEILING_MB = 2048
"""The documented ceiling of a build's memory (README, "Limits")."""


def validate_measured(data: str, params: Path, **env: str) -> tuple[int, list[str], float]:
    """Build from `data` in a child process, which checks the data first: exit code, error lines,
    and the peak memory of its process tree in MB (printed)."""
    command = cli_command(
        "build",
        "--data",
        data,
        "--params",
        str(params),
        "--notebooks",
        str(NOTEBOOKS),
        "--out",
        str(params.parent / "reports"),
    )
    process, peak_mb = run_measured(command, env)
    assert "Traceback" not in process.stderr, process.stderr
    lines = process.stderr.splitlines()
    return process.returncode, [line for line in lines if line.startswith("error: ")], peak_mb


def assert_refused(result: tuple[int, list[str], float], *fragments: str) -> None:
    """Exit 2, one error line holding every fragment, memory under the ceiling."""
    code, lines, peak_mb = result
    assert code == 2, lines
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert peak_mb < MEMORY_CEILING_MB


def exported(tmp_path: Path, url: str) -> str:
    """The sample exported to a database URL."""
    assert run_cli("export-sample", "--to", url).returncode == 0
    return url


def test_an_endless_sqlite_view_is_cut_at_the_row_limit(tmp_path: Path, params: Path) -> None:
    url = exported(tmp_path, f"sqlite:///{tmp_path / 'endless.db'}")
    with sqlite3.connect(tmp_path / "endless.db") as connection:
        connection.executescript(
            "ALTER TABLE catalysts RENAME TO catalysts_written;"
            "CREATE VIEW catalysts AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
            " FROM n) SELECT catalysts_written.* FROM n CROSS JOIN catalysts_written;"
        )
    assert_refused(validate_measured(url, params), "table catalysts", "more than 1,000,000 rows")


def test_an_sqlite_view_whose_first_row_never_comes_is_stopped_at_the_time_limit(
    tmp_path: Path, params: Path
) -> None:
    url = exported(tmp_path, f"sqlite:///{tmp_path / 'silent.db'}")
    with sqlite3.connect(tmp_path / "silent.db") as connection:
        connection.executescript(  # counts for ever, keeps no row: LIMIT never ends it
            "ALTER TABLE markets RENAME TO markets_written;"
            "CREATE VIEW markets AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1"
            " FROM n) SELECT markets_written.* FROM n CROSS JOIN markets_written WHERE n.i < 0;"
        )
    started = time.monotonic()
    result = validate_measured(url, params, **{READ_LIMIT_ENV: "2"})
    assert_refused(result, "table markets: still reading after 2 s", READ_LIMIT_ENV)
    assert time.monotonic() - started < 60


def test_a_duckdb_view_of_ten_billion_rows_is_cut_at_the_row_limit(
    tmp_path: Path, params: Path
) -> None:
    duckdb = pytest.importorskip("duckdb")
    url = exported(tmp_path, f"duckdb:///{tmp_path / 'big.duckdb'}")
    with duckdb.connect(str(tmp_path / "big.duckdb")) as connection:
        connection.execute("ALTER TABLE sales RENAME TO sales_written")
        connection.execute(
            "CREATE VIEW sales AS SELECT sales_written.* FROM sales_written,"
            " range(12500000)"  # 816 rows x 12.5 million: ten billion rows
        )
    assert_refused(validate_measured(url, params), "table sales", "more than 1,000,000 rows")


def test_a_row_limit_is_configurable_and_applies_to_csv(params: Path) -> None:
    result = validate_measured(str(SAMPLE_DATA), params, **{ROWS_LIMIT_ENV: "500"})
    assert_refused(result, "sales.csv", "more than 500 rows", ROWS_LIMIT_ENV)
    code, lines, _ = validate_measured(str(SAMPLE_DATA), params, **{ROWS_LIMIT_ENV: "1000"})
    assert code == 0, lines


def test_a_small_parquet_file_of_huge_strings_is_refused_as_it_is_decoded(
    tmp_path: Path, params: Path
) -> None:
    folder = tmp_path / "parquet"
    assert run_cli("export-sample", "--to", str(folder), "--format", "parquet").returncode == 0
    table = pq.read_table(folder / "products.parquet")
    huge = pa.DictionaryArray.from_arrays(  # one 32 MiB string, in every row
        pa.array([0] * table.num_rows, type=pa.int32()), pa.array(["x" * 2**25])
    )
    column = table.schema.get_field_index("reference_product")
    table = table.set_column(column, "reference_product", huge)
    pq.write_table(table, folder / "products.parquet", compression="zstd", store_schema=False)
    assert (folder / "products.parquet").stat().st_size < 100_000
    assert_refused(
        validate_measured(str(folder), params),
        "products.parquet",
        "MB once decoded",
        DATA_LIMIT_ENV,
    )


def test_a_parquet_file_with_nested_columns_is_one_line(tmp_path: Path, params: Path) -> None:
    folder = tmp_path / "parquet"
    assert run_cli("export-sample", "--to", str(folder), "--format", "parquet").returncode == 0
    table = pq.read_table(folder / "markets.parquet")
    nested = pa.array([[1, 2]] * table.num_rows, type=pa.list_(pa.int64()))
    table = table.set_column(table.schema.get_field_index("regulator"), "regulator", nested)
    pq.write_table(table, folder / "markets.parquet")
    assert_refused(
        validate_measured(str(folder), params),
        "markets.parquet: column regulator holds nested values (list<",
    )


def test_a_workbook_that_inflates_past_the_limit_is_refused_unread(
    tmp_path: Path, params: Path
) -> None:
    workbook = tmp_path / "bomb.xlsx"
    assert run_cli("export-sample", "--to", str(workbook)).returncode == 0
    with (
        zipfile.ZipFile(workbook, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/padding.xml", "w") as padding,
    ):
        for _ in range(64):
            padding.write(b" " * 2**20)  # 64 MiB of spaces: a few hundred kB zipped
    assert workbook.stat().st_size < 2 * 2**20
    result = validate_measured(str(workbook), params, **{DATA_LIMIT_ENV: "32"})
    assert_refused(result, "bomb.xlsx", "32.0 MB once unzipped")


def test_a_workbook_sheet_is_cut_at_the_row_limit(tmp_path: Path, params: Path) -> None:
    workbook = tmp_path / "sample.xlsx"
    assert run_cli("export-sample", "--to", str(workbook)).returncode == 0
    result = validate_measured(str(workbook), params, **{ROWS_LIMIT_ENV: "500"})
    assert_refused(result, "sales sheet", "more than 500 rows")


@pytest.fixture
def detail_folder(tmp_path: Path) -> Path:
    """A data folder whose sales come from a sales_detail.parquet extract."""
    return write_large_data(SAMPLE_DATA, tmp_path / "detail", rows=3_000)


def test_a_sales_detail_extract_is_cut_at_the_row_limit(detail_folder: Path, params: Path) -> None:
    result = validate_measured(str(detail_folder), params, **{ROWS_LIMIT_ENV: "500"})
    assert_refused(result, "sales_detail.parquet", "more than 500 rows", ROWS_LIMIT_ENV)


def test_a_small_sales_detail_extract_of_huge_strings_is_refused_as_it_is_decoded(
    detail_folder: Path, params: Path
) -> None:
    path = detail_folder / "sales_detail.parquet"
    table = pq.read_table(path)
    huge = pa.DictionaryArray.from_arrays(  # one 32 MiB product code, in every row
        pa.array([0] * table.num_rows, type=pa.int32()), pa.array(["x" * 2**25])
    )
    table = table.set_column(table.schema.get_field_index("product"), "product", huge)
    pq.write_table(table, path, compression="zstd", store_schema=False)
    assert path.stat().st_size < 200_000
    assert_refused(
        validate_measured(str(detail_folder), params),
        "sales_detail.parquet",
        "MB once decoded",
        DATA_LIMIT_ENV,
    )


def test_a_sales_detail_extract_over_the_size_limit_or_nested_is_refused_unread(
    detail_folder: Path, params: Path
) -> None:
    path = detail_folder / "sales_detail.parquet"
    result = validate_measured(str(detail_folder), params, **{DATA_LIMIT_ENV: "0.05"})
    assert_refused(result, "sales_detail.parquet: 0.", "files of at most 0.05 MB", DATA_LIMIT_ENV)
    table = pq.read_table(path)
    nested = pa.array([[1, 2]] * table.num_rows, type=pa.list_(pa.int64()))
    column = table.schema.get_field_index("account")
    pq.write_table(table.set_column(column, "account", nested), path)
    assert_refused(
        validate_measured(str(detail_folder), params),
        "sales_detail.parquet: column account holds nested values (list<",
    )
