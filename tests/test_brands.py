"""Brands by product, market and label, on tiny hand-made tables."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.analysis.brands import brand_names

# D has two labels in the US (D-OP, D-SRE) with a brand each, and one brand for every label in
# the EU; T has one brand in the US for every label.
TRADE_NAMES = pd.DataFrame(
    {
        "product": ["D", "D", "D", "T"],
        "market": ["US", "US", "EU", "US"],
        "indication": ["D-OP", "D-SRE", None, None],
        "trade_name": ["BILDYOS", "BILPREVDA", "DENO-EU", "HERCESSI"],
    }
)


def rows(*keys: tuple[str, str, str | None]) -> pd.DataFrame:
    return pd.DataFrame(keys, columns=["product", "market", "indication"])


def test_each_label_gets_its_own_brand():
    events = rows(("D", "US", "D-OP"), ("D", "US", "D-SRE"))
    assert brand_names(events, TRADE_NAMES).tolist() == ["BILDYOS", "BILPREVDA"]


def test_an_event_naming_no_label_lists_every_brand_of_the_market():
    assert brand_names(rows(("D", "US", None)), TRADE_NAMES).tolist() == ["BILDYOS / BILPREVDA"]


def test_a_brand_for_every_label_serves_any_indication_or_none():
    events = rows(("D", "EU", "D-SRE"), ("T", "US", "T-GC"), ("T", "US", None))
    assert brand_names(events, TRADE_NAMES).tolist() == ["DENO-EU", "HERCESSI", "HERCESSI"]


def test_no_brand_where_the_data_names_none():
    events = rows(("D", "US", "D-NEW"), ("T", "CN", None), ("X", "US", None))
    assert brand_names(events, TRADE_NAMES).isna().all()


def test_the_result_follows_the_rows_index():
    events = rows(("T", "US", None), ("D", "US", "D-OP")).set_axis([7, 3])
    assert brand_names(events, TRADE_NAMES).to_dict() == {7: "HERCESSI", 3: "BILDYOS"}
