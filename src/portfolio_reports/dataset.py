"""Read a data source, validate every table, and return a Dataset."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Dataset:
    """All tables of one data source, validated; dates are datetime64, flags are bool."""

    markets: pd.DataFrame
    products: pd.DataFrame
    trade_names: pd.DataFrame
    indications: pd.DataFrame
    pipeline: pd.DataFrame
    regulatory_events: pd.DataFrame
    clinical_results: pd.DataFrame
    sales: pd.DataFrame
    fingerprint: str = ""
