"""Loading and validating a data folder: every schema accepts good rows and names bad ones."""

import json
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import portfolio_reports
from portfolio_reports.config import Materiality
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.schema import TABLE_MODELS
from portfolio_reports.data.snapshots import (
    VALIDATING_CODE,
    find_snapshot,
    is_snapshot,
    write_snapshot,
)
from portfolio_reports.errors import DataError
from portfolio_reports.paths import OutputLayout

from .conftest import PROJECT, SAMPLE_DATA, edit_cell


def problems_of(folder):
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    return caught.value.problems


def test_sample_data_is_accepted_with_every_table(sample_copy):
    dataset = load_dataset(sample_copy)
    for name in TABLE_MODELS:
        assert len(dataset.table(name)) > 0, name
    assert dataset.pipeline["since"].dtype.kind == "M"
    assert dataset.sales["synthetic"].dtype == bool
    assert len(dataset.fingerprint) == 64


REJECTED = [
    ("markets", "region", "x" * 81, "a name is 1 to 80 characters without control characters"),
    ("markets", "market", "usa", "two capital letters"),
    ("products", "modality", "mAb\x07", "a name is 1 to 80 characters without control"),
    ("products", "origin", "", "empty value"),
    ("trade_names", "market", "ZZ", "unknown market 'ZZ', not in markets.csv"),
    ("trade_names", "product", "HLX999", "unknown product 'HLX999', not in products.csv"),
    ("pipeline", "phase", "Phase 4", "allowed: Preclinical"),
    ("pipeline", "since", "2025-13-01", "not a date of the form YYYY-MM-DD"),
    ("pipeline", "scope", "Mars", "unknown market 'Mars'"),
    ("pipeline", "estimated", "maybe", "not true or false"),
    ("regulatory_events", "event_type", "approved", "allowed: IND cleared"),
    ("regulatory_events", "source", "javascript:alert(1)", "an http(s) URL"),
    ("regulatory_events", "indication", "NOPE-1", "unknown indication 'NOPE-1'"),
    ("clinical_results", "hazard_ratio", "-0.5", "must be > 0"),
    ("clinical_results", "phase", "Phase 5", "allowed: Phase 1"),
    ("clinical_results", "value", "twelve", "not a number"),
    ("sales", "quarter", "2025Q5", "YYYYQn"),
    ("sales", "revenue_m", "-12.5", "must be >= 0"),
    ("sales", "synthetic", "yes", "not true or false"),
]


@pytest.mark.parametrize(("table", "column", "value", "expected"), REJECTED)
def test_each_schema_rejects_a_bad_value_naming_file_line_column(
    sample_copy, table, column, value, expected
):
    edit_cell(sample_copy, table, 2, column, value)
    problems = problems_of(sample_copy)
    matching = [p for p in problems if expected in p]
    assert matching, problems
    assert matching[0].startswith(f"{table}.csv line 4, column {column}")


def test_all_problems_are_reported_at_once(sample_copy):
    edit_cell(sample_copy, "sales", 0, "revenue_m", "-1")
    edit_cell(sample_copy, "markets", 1, "region", "x" * 81)
    edit_cell(sample_copy, "pipeline", 0, "phase", "Phase 9")
    problems = problems_of(sample_copy)
    assert any(p.startswith("sales.csv line 2") for p in problems)
    assert any(p.startswith("markets.csv line 3") for p in problems)
    assert any(p.startswith("pipeline.csv line 2") for p in problems)


def test_duplicate_key_is_rejected(sample_copy):
    path = sample_copy / "sales.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    problems = problems_of(sample_copy)
    assert any("duplicate key (quarter, product, market)" in p for p in problems), problems


def test_missing_and_unexpected_columns_are_named(sample_copy):
    frame = pd.read_csv(sample_copy / "markets.csv", dtype=str)
    frame.drop(columns=["regulator"]).assign(notes="x").to_csv(
        sample_copy / "markets.csv", index=False
    )
    problems = problems_of(sample_copy)
    assert "markets.csv: missing column 'regulator'; required columns:" in problems[0]
    assert any("unexpected column 'notes'" in p for p in problems)


def test_missing_empty_and_directory_files(sample_copy):
    (sample_copy / "trade_names.csv").unlink()
    (sample_copy / "indications.csv").write_text("")
    (sample_copy / "products.csv").unlink()
    (sample_copy / "products.csv").mkdir()
    problems = problems_of(sample_copy)
    assert any(p.startswith("trade_names.csv: missing table file") for p in problems)
    assert any(p.startswith("indications.csv: empty file") for p in problems)
    assert any(p.startswith("products.csv: is a directory") for p in problems)


def test_non_utf8_and_truncated_lines(sample_copy):
    path = sample_copy / "markets.csv"
    path.write_bytes(path.read_bytes().replace(b"Japan", b"Jap\xe4n"))
    sales = sample_copy / "sales.csv"
    sales.write_text(sales.read_text().rstrip("\n").rsplit(",", 2)[0] + "\n")
    problems = problems_of(sample_copy)
    assert any(p.startswith("markets.csv line ") and "not UTF-8" in p for p in problems)
    assert any(
        p.startswith("sales.csv line ") and "fields where the header has 5" in p for p in problems
    )


def test_sales_before_approval_are_rejected(sample_copy):
    sales = pd.read_csv(sample_copy / "sales.csv", dtype=str, keep_default_na=False)
    first = sales.iloc[0]
    early = first.copy()
    early["quarter"] = "2019Q1"
    pd.concat([sales, early.to_frame().T]).to_csv(sample_copy / "sales.csv", index=False)
    problems = problems_of(sample_copy)
    assert any(
        f"{first['product']} has sales in {first['market']} from 2019Q1" in p for p in problems
    ), problems


def test_missing_folder_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="data folder does not exist"):
        load_dataset(tmp_path / "nowhere")


def test_snapshot_round_trip_keeps_tables_and_fingerprint(tmp_path):
    dataset = load_dataset(SAMPLE_DATA)
    snapshots = OutputLayout(tmp_path, "").snapshots_dir
    folder = write_snapshot(dataset, snapshots)
    again = load_dataset(folder)
    assert again.fingerprint == dataset.fingerprint
    for name in TABLE_MODELS:
        pd.testing.assert_frame_equal(again.table(name), dataset.table(name), check_dtype=False)
    assert write_snapshot(dataset, snapshots) == folder


def test_a_snapshot_keeps_the_warnings_validating_its_data_gave(sample_copy, tmp_path):
    edit_cell(sample_copy, "markets", 0, "market", "CN ")
    dataset = load_dataset(sample_copy)
    assert [line for line in dataset.warnings if "'CN ': codes read without the spaces" in line]
    folder = write_snapshot(dataset, OutputLayout(tmp_path, "").snapshots_dir)
    assert load_dataset(folder).warnings == dataset.warnings


def test_a_snapshot_other_code_wrote_is_not_reused_but_written_again(tmp_path):
    """Another version may have checked less, or known fewer tables: its source is validated."""
    dataset = load_dataset(SAMPLE_DATA)
    snapshots = OutputLayout(tmp_path, "").snapshots_dir
    folder = write_snapshot(dataset, snapshots)
    assert find_snapshot(SAMPLE_DATA, snapshots) == folder
    manifest = folder / "snapshot.json"
    recorded = json.loads(manifest.read_text())
    unrecorded = {key: value for key, value in recorded.items() if key != "validated_by"}
    for written_by in ({"validated_by": "0" * 64}, {}):  # other code; a version recording none
        manifest.write_text(json.dumps(unrecorded | written_by))
        assert is_snapshot(folder)  # its files are whole, as written
        assert find_snapshot(SAMPLE_DATA, snapshots) is None
        assert write_snapshot(dataset, snapshots) == folder
        assert json.loads(manifest.read_text()) == recorded
        assert find_snapshot(SAMPLE_DATA, snapshots) == folder


def test_the_code_a_snapshot_records_is_the_data_layer_and_the_layers_below_it():
    contracts = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = contracts["contracts"][0]["layers"]
    below = [name for layer in layers for name in layer.split(" | ")]
    modules = below[below.index("portfolio_reports.data") :]
    package = Path(portfolio_reports.__file__).parent
    parts = []
    for module in modules:
        path = package.joinpath(*module.split(".")[1:])
        parts.append(path.name if path.is_dir() else f"{path.name}.py")
    assert sorted(parts) == sorted(VALIDATING_CODE)
    assert all((package / part).exists() for part in VALIDATING_CODE)


def test_a_snapshot_is_read_once_while_it_is_the_one_asked_for(sample_copy, tmp_path):
    """A warm kernel's reports share one data set, so results kept per data set carry over."""
    snapshots = OutputLayout(tmp_path, "").snapshots_dir
    folder = write_snapshot(load_dataset(SAMPLE_DATA), snapshots)
    first = load_dataset(folder)
    assert load_dataset(folder) is first
    markets = sample_copy / "markets.csv"
    markets.write_text(markets.read_text().replace("Japan", "Nippon"))
    other = load_dataset(write_snapshot(load_dataset(sample_copy), snapshots))
    assert other is not first and other.fingerprint != first.fingerprint
    again = load_dataset(folder)
    assert again is not first and again.fingerprint == first.fingerprint
    (folder / "markets.parquet").write_bytes(b"changed")
    with pytest.raises(DataError):
        load_dataset(folder)  # no longer a snapshot: validated as a data folder, and refused


def test_a_data_folder_loaded_again_unchanged_is_the_same_data_set(sample_copy, tmp_path):
    """Its files' format and bytes and the materiality name it: any change reads it again."""
    first = load_dataset(sample_copy)
    assert load_dataset(sample_copy) is first
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(sample_copy, elsewhere)
    assert load_dataset(elsewhere) is first  # the same files: a data set holds no path
    stricter = Materiality(floor=5.0, share=0.1)
    assert load_dataset(sample_copy, stricter).materiality == stricter
    assert load_dataset(sample_copy) is not first  # one data set is kept: the last
    edit_cell(sample_copy, "markets", 0, "name", "Nippon")
    edited = load_dataset(sample_copy)
    assert edited is not first and edited.fingerprint != first.fingerprint
    assert "Nippon" in set(edited.markets["name"])
    edit_cell(sample_copy, "markets", 0, "market", "somewhere")
    with pytest.raises(DataError, match=r"markets\.csv"):
        load_dataset(sample_copy)  # refused, not the data set it held before


def test_a_file_swapped_for_a_link_to_the_same_bytes_is_refused_after_a_load(sample_copy, tmp_path):
    """The files are read and checked every time; only their validation is saved."""
    load_dataset(sample_copy)
    outside = tmp_path / "catalysts.csv"
    (sample_copy / "catalysts.csv").rename(outside)
    (sample_copy / "catalysts.csv").symlink_to(outside)
    with pytest.raises(DataError, match=r"catalysts\.csv.*link"):
        load_dataset(sample_copy)


@pytest.mark.parametrize("table", ["catalysts", "other_revenue"])
def test_optional_tables_load_empty_with_their_columns(sample_copy, tmp_path, table):
    (sample_copy / f"{table}.csv").unlink()
    dataset = load_dataset(sample_copy)
    assert dataset.table(table).empty
    assert list(dataset.table(table).columns) == list(TABLE_MODELS[table].to_schema().columns)
    again = load_dataset(write_snapshot(dataset, OutputLayout(tmp_path, "").snapshots_dir))
    assert again.table(table).empty
    assert list(again.table(table).columns) == list(dataset.table(table).columns)


@pytest.mark.parametrize(
    ("table", "column", "value", "expected"),
    [
        ("catalysts", "expected", "soon", "a quarter (e.g. 2027Q1) or a date (YYYY-MM-DD)"),
        ("catalysts", "expected", "2027-13-01", "a quarter (e.g. 2027Q1) or a date (YYYY-MM-DD)"),
        ("catalysts", "event_type", "rumour", "allowed: IND cleared"),
        ("catalysts", "product", "HLX99", "unknown product 'HLX99', not in products.csv"),
        ("catalysts", "market", "XX", "unknown market 'XX', not in markets.csv"),
        (
            "other_revenue",
            "revenue_type",
            "grant",
            "value 'grant' not allowed; allowed: licence income, service income, other income",
        ),
        ("other_revenue", "product", "HLX99", "unknown product 'HLX99', not in products.csv"),
        ("other_revenue", "market", "XX", "unknown market 'XX', not in markets.csv"),
        ("other_revenue", "revenue_m", "-5", "value -5.0 not allowed; must be >= 0"),
        ("other_revenue", "synthetic", "maybe", "value 'maybe' is not true or false"),
    ],
)
def test_optional_tables_are_checked_like_any_table(sample_copy, table, column, value, expected):
    edit_cell(sample_copy, table, 1, column, value)
    problems = problems_of(sample_copy)
    matching = [p for p in problems if expected in p]
    assert matching, problems
    assert matching[0].startswith(f"{table}.csv line 3, column {column}")


def test_a_company_of_its_own_categories_is_accepted(sample_copy):
    edit_cell(sample_copy, "products", 0, "therapy_area", "Neurology")
    edit_cell(sample_copy, "products", 0, "modality", "Antisense oligonucleotide")
    edit_cell(sample_copy, "indications", 0, "line_of_therapy", "Adjunctive")
    edit_cell(sample_copy, "markets", 0, "region", "Home region")
    dataset = load_dataset(sample_copy)
    assert dataset.products.loc[0, "therapy_area"] == "Neurology"


def test_the_old_revenue_column_gets_one_line_saying_what_to_rename(sample_copy):
    path = sample_copy / "sales.csv"
    path.write_text(path.read_text().replace("revenue_m", "revenue_rmb_m", 1))
    assert problems_of(sample_copy) == [
        "sales.csv: column revenue_rmb_m is now revenue_m (amounts in the currency and unit"
        " company.csv names); rename it"
    ]


def test_the_company_table_holds_one_row(sample_copy):
    path = sample_copy / "company.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, lines[1]]) + "\n")
    assert any(
        p.startswith("company.csv: 2 rows; the company table holds exactly one row")
        for p in problems_of(sample_copy)
    )


def test_sales_in_a_member_state_count_from_the_unions_approval(sample_copy):
    """HLX02 is approved by the EC (EU) in 2020; DE sales are refused until DE is a member."""
    markets = sample_copy / "markets.csv"
    markets.write_text(markets.read_text() + "DE,Germany,Europe,BfArM,\n")
    sales = sample_copy / "sales.csv"
    sales.write_text(sales.read_text() + "2023Q1,HLX02,DE,1.0,true\n")
    assert any("HLX02 has sales in DE from 2023Q1" in p for p in problems_of(sample_copy))
    markets.write_text(
        markets.read_text().replace("DE,Germany,Europe,BfArM,", "DE,Germany,Europe,BfArM,EU")
    )
    assert load_dataset(sample_copy).sales["market"].eq("DE").sum() == 1


def test_a_disease_area_in_two_therapy_areas_is_one_line(sample_copy):
    """Line 4 is an Oncology indication; Rheumatology is Autoimmune on lines 3 and 6."""
    edit_cell(sample_copy, "indications", 2, "disease_area", "Rheumatology")
    assert (
        "indications.csv, 3 rows (lines 3, 4, 6), column therapy_area: disease area 'Rheumatology'"
        " is in"
        " therapy areas 'Autoimmune', 'Oncology'; a disease area belongs to one therapy area"
    ) in problems_of(sample_copy)


def with_display_names(folder, names: dict[str, str]) -> None:
    """Add products.csv's optional display_name column, set for the products named."""
    path = folder / "products.csv"
    products = pd.read_csv(path, dtype=str, keep_default_na=False)
    products["display_name"] = products["product"].map(names).fillna("")
    products.to_csv(path, index=False)


def test_a_display_name_is_optional_and_loads_where_set(sample_copy):
    assert load_dataset(sample_copy).products["display_name"].isna().all()
    with_display_names(sample_copy, {"HLX02": "Trastuzumab Henlius"})
    products = load_dataset(sample_copy).products.set_index("product")["display_name"]
    assert products["HLX02"] == "Trastuzumab Henlius"
    assert products.drop(index="HLX02").isna().all()


def test_two_products_of_one_display_name_are_one_line(sample_copy):
    """HLX01 and HLX02 are lines 2 and 3 of products.csv."""
    with_display_names(sample_copy, {"HLX01": "Henlius mAb", "HLX02": "Henlius mAb"})
    assert (
        "products.csv, 2 rows (lines 2, 3), column display_name: 'Henlius mAb' names products"
        " HLX01, HLX02; each product needs a name of its own"
    ) in problems_of(sample_copy)
