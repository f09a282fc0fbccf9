"""Large sales extracts: the detail generator and the detail table summed to quarters on load."""

import shutil

import pandas as pd
import pytest

from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.sales_detail import monthly_sales
from portfolio_reports.data.snapshots import source_fingerprint
from portfolio_reports.errors import DataError
from portfolio_reports.tools.large_data import write_large_data

from .conftest import SAMPLE_DATA


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    return write_large_data(SAMPLE_DATA, tmp_path_factory.mktemp("large"), rows=30_000)


def test_detail_has_about_the_rows_asked_and_every_dimension(large):
    detail = pd.read_parquet(large / "sales_detail.parquet")
    assert 25_000 <= len(detail) <= 35_000
    assert set(detail["channel"]) == {"Hospital", "Retail pharmacy", "DTP pharmacy", "Tender"}
    assert detail["month"].astype(str).str.fullmatch(r"\d{4}-\d{2}").all()
    assert not (large / "sales.csv").exists()
    assert (large / "sales_detail.csv").is_file()


def test_detail_sums_back_to_the_quarterly_sales(large):
    summed = load_dataset(large).sales.set_index(["quarter", "product", "market"]).sort_index()
    original = (
        load_dataset(SAMPLE_DATA).sales.set_index(["quarter", "product", "market"]).sort_index()
    )
    assert summed.index.equals(original.index)
    pd.testing.assert_series_equal(
        summed["revenue_m"], original["revenue_m"], check_exact=False, atol=1e-4
    )
    assert summed["synthetic"].all()


def test_generator_is_reproducible(large, tmp_path):
    again = write_large_data(SAMPLE_DATA, tmp_path / "again", rows=30_000)
    assert source_fingerprint(again) == source_fingerprint(large)


def test_a_detail_folder_loaded_again_unchanged_is_the_same_data_set(large, tmp_path):
    """As a folder of tables is: kept while its files hold the same bytes, read again after."""
    first = load_dataset(large)
    assert load_dataset(large) is first
    changed = shutil.copytree(large, tmp_path / "changed")
    detail = pd.read_parquet(changed / "sales_detail.parquet")
    detail.loc[0, "revenue_m"] += 1.0
    detail.to_parquet(changed / "sales_detail.parquet", index=False)
    again = load_dataset(changed)
    assert again is not first and again.fingerprint != first.fingerprint
    assert again.sales["revenue_m"].sum() == pytest.approx(first.sales["revenue_m"].sum() + 1.0)


def test_a_bad_detail_value_names_file_row_and_column(large, tmp_path):
    folder = write_large_data(SAMPLE_DATA, tmp_path / "bad", rows=30_000)
    detail = pd.read_parquet(folder / "sales_detail.parquet")
    detail["channel"] = detail["channel"].astype(str)
    detail.loc[[7, 20, 30], "channel"] = "Mail order"
    detail.loc[9, "revenue_m"] = -1.0
    detail.loc[range(100, 115), "revenue_m"] = [-float(n) for n in range(2, 17)]
    detail["product"] = detail["product"].astype(object)
    detail.loc[[3, 4], "product"] = None
    detail.to_parquet(folder / "sales_detail.parquet", index=False)
    assert source_fingerprint(folder) != source_fingerprint(large)
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    allowed_revenue = "must be a number from 0 to 100000"
    assert caught.value.problems == [
        "sales_detail.parquet, 3 rows (rows 8, 21, 31), column channel: value 'Mail order';"
        " allowed: Hospital, Retail pharmacy, DTP pharmacy, Tender",
        f"sales_detail.parquet row 10, column revenue_m: value -1.0; {allowed_revenue}",
        *(
            f"sales_detail.parquet row {row}, column revenue_m: value -{row - 99}.0;"
            f" {allowed_revenue}"
            for row in range(101, 110)
        ),
        f"sales_detail.parquet, column revenue_m: 6 more values; {allowed_revenue}",
        "sales_detail.parquet, 2 rows (rows 4, 5), column product: empty value;"
        " a value is required",
    ]


@pytest.mark.parametrize("dtype", ["object", "category"])
def test_monthly_sums_each_month_product_and_market_and_flags_synthetic_only_when_all_are(dtype):
    detail = pd.DataFrame(
        {
            "month": ["2026-01", "2026-01", "2026-01", "2026-02", "2026-01"],
            "product": ["A", "A", "B", "A", "A"],
            "market": ["US", "US", "US", "US", "JP"],
            "revenue_m": [1.5, 2.25, 4.0, 8.0, 0.5],
            "synthetic": [True, False, True, True, True],
        }
    ).astype({"month": dtype, "product": dtype, "market": dtype})
    monthly = monthly_sales(detail).astype({"month": str, "product": str, "market": str})
    rows = {
        (row.month, row.product, row.market): (row.revenue_m, row.synthetic)
        for row in monthly.itertuples()
    }
    assert rows == {
        ("2026-01", "A", "US"): (3.75, False),
        ("2026-01", "B", "US"): (4.0, True),
        ("2026-02", "A", "US"): (8.0, True),
        ("2026-01", "A", "JP"): (0.5, True),
    }


def test_monthly_sums_leave_out_categories_no_row_has():
    detail = pd.DataFrame(
        {
            "month": pd.Categorical(["2026-01", "2026-01"], categories=["2025-12", "2026-01"]),
            "product": pd.Categorical(["A", "A"], categories=["Z", "A"]),
            "market": pd.Categorical(["US", "US"]),
            "revenue_m": [1.0, 0.25],
            "synthetic": [True, True],
        }
    )
    monthly = monthly_sales(detail).astype({"month": str, "product": str, "market": str})
    assert monthly.to_dict("records") == [
        {"month": "2026-01", "product": "A", "market": "US", "revenue_m": 1.25, "synthetic": True}
    ]
