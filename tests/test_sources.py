"""Every kind of data source: export the sample, read it back, name bad cells, build from it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from portfolio_reports.data.dataset import Dataset, export_dataset, load_dataset
from portfolio_reports.data.schema import TABLE_MODELS
from portfolio_reports.data.sources import key_columns
from portfolio_reports.errors import DataError, InputError
from portfolio_reports.text import shown_location

from .conftest import PARAMS, PROJECT, SAMPLE_DATA, cli_command, invoke_cli, run_cli

BAD_ROW = 13  # a sales row, 0-based in the sample's order


@pytest.fixture(scope="module")
def sample() -> Dataset:
    return load_dataset(SAMPLE_DATA)


def canonical(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A table in the order of its key columns, as a database source numbers its rows."""
    return frame.sort_values(key_columns(name), kind="stable").reset_index(drop=True)


def assert_same_data(loaded: Dataset, expected: Dataset) -> None:
    for name in TABLE_MODELS:
        pd.testing.assert_frame_equal(
            canonical(loaded.table(name), name), canonical(expected.table(name), name)
        )


@dataclass(frozen=True)
class Kind:
    """A kind of source: where a test puts it, how to spoil one sales cell, how rows are named."""

    target: Callable[[Path, pytest.FixtureRequest], str]
    folder_format: str
    spoil: Callable[[str, Dataset], tuple[str, str]]  # -> (bad value as reported, where)


def _sheet_spoil(location: str, sample: Dataset) -> tuple[str, str]:
    book = openpyxl.load_workbook(location)
    sheet = book["sales"]
    column = [cell.value for cell in sheet[1]].index("revenue_m") + 1
    sheet.cell(row=BAD_ROW + 2, column=column, value="lots")
    book.save(location)
    return "'lots' is not a number", f"sales sheet row {BAD_ROW + 2}"


def _parquet_spoil(location: str, sample: Dataset) -> tuple[str, str]:
    path = Path(location) / "sales.parquet"
    sales = pd.read_parquet(path)
    sales.loc[BAD_ROW, "revenue_m"] = -12.5
    sales.to_parquet(path, index=False)
    return "-12.5 not allowed; must be >= 0", f"sales.parquet row {BAD_ROW + 1}"


def _database_spoil(location: str, sample: Dataset) -> tuple[str, str]:
    key = sample.sales.iloc[BAD_ROW][["quarter", "product", "market"]].to_dict()
    engine = sa.create_engine(location)
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "UPDATE sales SET revenue_m = -12.5"
                " WHERE quarter = :quarter AND product = :product AND market = :market"
            ),
            key,
        )
    engine.dispose()
    ordered = canonical(sample.sales, "sales")
    position = ordered.index[
        (ordered["quarter"] == key["quarter"])
        & (ordered["product"] == key["product"])
        & (ordered["market"] == key["market"])
    ][0]
    return "-12.5 not allowed; must be >= 0", f"table sales row {position + 1}"


KINDS = {
    "xlsx": Kind(lambda tmp, _: str(tmp / "sample.xlsx"), "csv", _sheet_spoil),
    "parquet": Kind(lambda tmp, _: str(tmp / "parquet"), "parquet", _parquet_spoil),
    "sqlite": Kind(lambda tmp, _: f"sqlite:///{tmp / 'sample.db'}", "csv", _database_spoil),
    "duckdb": Kind(lambda tmp, _: f"duckdb:///{tmp / 'sample.duckdb'}", "csv", _database_spoil),
    "postgresql": Kind(
        lambda _, request: request.getfixturevalue("new_postgres_schema")(), "csv", _database_spoil
    ),
}


def kinds(*names: str) -> list:
    """Kinds of source as test parameters, PostgreSQL's marked as needing its server."""
    return [
        pytest.param(name, marks=pytest.mark.postgres) if name == "postgresql" else name
        for name in names
    ]


@pytest.fixture(scope="module", params=kinds(*KINDS))
def exported(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The sample data set written by `export-sample` to one kind of source, once per module."""
    kind = KINDS[request.param]
    target = kind.target(tmp_path_factory.mktemp(request.param), request)
    process = invoke_cli("export-sample", "--to", target, "--format", kind.folder_format)
    assert process.returncode == 0, process.stderr
    return target


def test_export_then_load_gives_the_csv_data_set(exported, sample):
    loaded = load_dataset(exported)
    assert_same_data(loaded, sample)
    assert len(loaded.fingerprint) == 64
    assert load_dataset(exported).fingerprint == loaded.fingerprint


@pytest.mark.parametrize("kind", kinds(*KINDS))
def test_a_bad_value_is_named_by_table_and_row(kind, request, tmp_path, sample):
    kind = KINDS[kind]
    target = kind.target(tmp_path, request)
    export_dataset(sample, target, kind.folder_format)
    message, where = kind.spoil(target, sample)
    with pytest.raises(DataError) as caught:
        load_dataset(target)
    assert caught.value.problems == [f"{where}, column revenue_m: value {message}"]


def test_validate_through_the_command_line(exported):
    process = invoke_cli("validate", "--data", exported)
    assert process.returncode == 0, process.stderr
    assert f"ok: data {shown_location(exported)} (" in process.stderr


@pytest.mark.slow
@pytest.mark.parametrize("kind", kinds("xlsx", "sqlite", "postgresql"))
def test_build_through_the_command_line(kind, request, tmp_path):
    target = KINDS[kind].target(tmp_path, request)
    assert invoke_cli("export-sample", "--to", target).returncode == 0
    params = tmp_path / "params"
    params.mkdir()
    shutil.copy(PARAMS / "market-jp.yaml", params)
    out = tmp_path / "reports"
    process = invoke_cli("build", "--data", target, "--params", str(params), "--out", str(out))
    assert process.returncode == 0, process.stderr
    manifest = json.loads((out / "2026Q3" / "manifest.json").read_text())
    assert [(r["name"], r["status"]) for r in manifest["reports"]] == [("market-jp", "ok")]
    assert manifest["data_fingerprint"] == load_dataset(target).fingerprint
    assert (out / "2026Q3" / "market-jp.html").is_file()


def test_database_fingerprint_hashes_contents_not_storage(tmp_path, sample):
    for name in ("a.db", "b.duckdb"):
        scheme = "sqlite" if name.endswith(".db") else "duckdb"
        assert invoke_cli("export-sample", "--to", f"{scheme}:///{tmp_path / name}").returncode == 0
    first = load_dataset(f"sqlite:///{tmp_path / 'a.db'}")
    assert load_dataset(f"duckdb:///{tmp_path / 'b.duckdb'}").fingerprint == first.fingerprint


def test_missing_tables_and_sheets_are_named(tmp_path, sample):
    workbook = tmp_path / "sample.xlsx"
    assert invoke_cli("export-sample", "--to", str(workbook)).returncode == 0
    book = openpyxl.load_workbook(workbook)
    del book["markets"]
    book.save(workbook)
    with pytest.raises(DataError, match=r"^markets sheet: missing from the workbook; expected"):
        load_dataset(workbook)
    database = f"sqlite:///{tmp_path / 'sample.db'}"
    assert invoke_cli("export-sample", "--to", database).returncode == 0
    engine = sa.create_engine(database)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE markets RENAME TO markets_old"))
        connection.execute(sa.text("CREATE VIEW markets AS SELECT * FROM markets_old"))
        connection.execute(sa.text("DROP TABLE products"))
    engine.dispose()
    with pytest.raises(DataError) as caught:
        load_dataset(database)
    assert caught.value.problems[0].startswith("table products: missing from the database;")


def test_sqlite_stores_flags_as_integers_and_they_still_read(tmp_path, sample):
    database = tmp_path / "flags.db"
    assert invoke_cli("export-sample", "--to", f"sqlite:///{database}").returncode == 0
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT DISTINCT typeof(synthetic) FROM sales"))
        assert stored.scalars().all() == ["integer"]
    engine.dispose()
    assert load_dataset(f"sqlite:///{database}").sales["synthetic"].all()


@pytest.mark.parametrize(
    ("source", "error", "message"),
    [
        ("ftp://host/data", InputError, "unknown data source scheme 'ftp'; supported: sqlite,"),
        ("sqlite:///{tmp}/none.db", DataError, "none.db: database file does not exist"),
        ("{tmp}/none.xlsx", DataError, "none.xlsx: workbook does not exist"),
        (
            "postgresql://nobody:secret@localhost:1/none",
            DataError,
            "postgresql://nobody:***@localhost:1/none: connection",
        ),
    ],
)
def test_unusable_sources_give_one_line(tmp_path, source, error, message):
    with pytest.raises(error) as caught:
        load_dataset(source.format(tmp=tmp_path))
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_folder_with_csv_and_parquet_tables_is_refused(tmp_path, sample_copy):
    sample_copy.joinpath("sales.parquet").write_bytes(b"")
    with pytest.raises(DataError, match="holds both CSV and Parquet tables"):
        load_dataset(sample_copy)


def test_a_missing_extra_names_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InputError) as caught:
        load_dataset(tmp_path / "sample.xlsx")
    assert str(caught.value) == (
        "openpyxl is not installed; install the 'excel' extra:"
        " pip install 'portfolio-reports[excel]'"
    )


@pytest.mark.postgres
def test_postgresql_password_comes_from_pgpass_not_the_command_line(new_postgres_schema, tmp_path):
    url = sa.make_url(new_postgres_schema())
    assert run_cli("export-sample", "--to", url.render_as_string(False)).returncode == 0
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(
        f"{url.host}:{url.port or 5432}:{url.database}:{url.username}:{url.password}\n"
    )
    pgpass.chmod(0o600)
    plain = sa.URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    ).render_as_string(False)
    assert ":" not in plain.split("@")[0].removeprefix("postgresql://")  # no password in it
    env = {**os.environ, "PGPASSFILE": str(pgpass), "PORTFOLIO_REPORTS_DATA": plain}
    env.pop("PGPASSWORD", None)
    process = subprocess.run(
        cli_command("validate"), cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )
    assert process.returncode == 0, process.stderr
    assert f"ok: data postgresql://{url.username}@" in process.stderr
