"""The product report kind: one report per product, on the index with its own figure, and
covered by the reconciliation; a params file naming an unknown product is refused."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from portfolio_reports.builder.kinds import KINDS, SCOPE_PARAMETERS, group_of, group_rank
from portfolio_reports.builder.reconcile import TOLERANCE

from .conftest import PARAMS, SAMPLE_DATA, invoke_cli

PRODUCTS = list(pd.read_csv(SAMPLE_DATA / "products.csv", dtype=str)["product"])


def product_params(folder, products):
    """The overview's params file and one product report's per product."""
    folder.mkdir()
    shutil.copy(PARAMS / "portfolio-overview.yaml", folder)
    for product in products:
        (folder / f"product-{product.lower()}.yaml").write_text(
            f"notebook: product.ipynb\ntitle: {product}\nparameters:\n  product: {product}\n"
        )
    return folder


def test_the_kinds_are_registered_in_index_order_with_their_scope_parameters():
    assert list(KINDS) == ["portfolio_overview", "therapy_area", "market", "product"]
    assert KINDS["product"].parameters == ("product",)
    assert set(SCOPE_PARAMETERS) >= {p for kind in KINDS.values() for p in kind.parameters}
    assert group_of("product") == "Products" and group_of("scratch") == "Reports"
    assert group_rank("Products") == 3 and group_rank("Reports") == 4


def test_a_params_file_naming_an_unknown_product_is_refused_in_one_line(tmp_path):
    params = product_params(tmp_path / "params", ["HLX99"])
    process = invoke_cli("validate", "--params", str(params))
    assert process.returncode == 2
    lines = process.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "error: params/product-hlx99.yaml: unknown product 'HLX99'; allowed: FTN, HLX-NER, HLX01,"
    )


@pytest.mark.slow
def test_every_product_of_the_sample_gets_a_report_with_its_own_figure(tmp_path):
    params = product_params(tmp_path / "params", PRODUCTS)
    out = tmp_path / "reports"
    process = invoke_cli("build", "--params", str(params), "--out", str(out), "--jobs", "2")
    assert process.returncode == 0, process.stderr
    manifest = json.loads((out / "2026Q3" / "manifest.json").read_text())
    assert manifest["reconciliation"] == []
    reports = {report["name"]: report for report in manifest["reports"]}
    overview = reports.pop("portfolio-overview")
    assert {report["status"] for report in reports.values()} == {"ok"}
    assert [report["group"] for report in reports.values()] == ["Products"] * len(PRODUCTS)
    assert {report["figures"]["scope"]["product"] for report in reports.values()} == set(PRODUCTS)
    revenue = [report["figures"].get("revenue_m") or 0.0 for report in reports.values()]
    assert abs(sum(revenue) - overview["figures"]["revenue_m"]) < TOLERANCE
    selling = [report for report in reports.values() if report["figures"].get("revenue_m")]
    assert len(selling) > 1
    for report in selling:
        assert report["key_figure"] != overview["key_figure"]
        assert report["key_figure"] == report["figures"]["key_figure"]
    index = (out / "2026Q3" / "index.html").read_text()
    assert "<h2>Products</h2>" in index
    for name, report in reports.items():
        assert f'<a href="{name}.html">{report["title"]}</a>' in index
