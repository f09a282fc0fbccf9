"""Generate a large data set for benchmarks: monthly sales by product, market, channel, account.

The quarterly sales of a source data set are split at random (fixed seed) over the quarter's
months, the sales channels and many accounts, so the detail adds back up to the same quarterly
figures. The other tables are copied as they are.

    python -m portfolio_reports.tools.large_data OUT_FOLDER [--rows 10000000] [--source data/sample]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import CHANNELS, SALES_DETAIL_TABLE

SEED = 20260930
DEFAULT_ROWS = 10_000_000
MONTHS_PER_QUARTER = 3


def write_large_data(source: Path, target: Path, rows: int = DEFAULT_ROWS) -> Path:
    """Copy `source` to `target` with sales.csv replaced by about `rows` rows of sales detail."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.csv"):
        if path.name != "sales.csv":
            shutil.copy(path, target / path.name)
    detail = sales_detail(pd.read_csv(source / "sales.csv"), rows)
    detail.to_parquet(target / f"{SALES_DETAIL_TABLE}.parquet", index=False)
    detail.to_csv(target / f"{SALES_DETAIL_TABLE}.csv", index=False, float_format="%.6f")
    (target / "sales.csv").unlink(missing_ok=True)
    return target


def sales_detail(sales: pd.DataFrame, rows: int) -> pd.DataFrame:
    """Split quarterly sales over months, channels and accounts; revenue adds back up exactly."""
    rng = np.random.default_rng(SEED)
    cells = len(sales) * MONTHS_PER_QUARTER * len(CHANNELS)
    accounts = max(1, round(rows / cells))
    per_row = MONTHS_PER_QUARTER * len(CHANNELS) * accounts
    repeated = sales.loc[sales.index.repeat(per_row)].reset_index(drop=True)
    position = np.tile(np.arange(per_row), len(sales))
    month_offset = position // (len(CHANNELS) * accounts)
    weights = rng.random(len(repeated))
    shares = weights / pd.Series(weights).groupby(repeated.index // per_row).transform("sum")
    first_month = {
        label: (quarter := Quarter.parse(label)).year * 12 + quarter.start.month - 1
        for label in sales["quarter"].unique()
    }
    ordinals = repeated["quarter"].map(first_month).to_numpy() + month_offset
    labels, codes = np.unique(ordinals, return_inverse=True)
    month_names = [f"{ordinal // 12}-{ordinal % 12 + 1:02d}" for ordinal in labels]
    return pd.DataFrame(
        {
            "month": pd.Categorical.from_codes(codes, month_names),
            "product": pd.Categorical(repeated["product"]),
            "market": pd.Categorical(repeated["market"]),
            "channel": pd.Categorical(np.asarray(CHANNELS)[(position // accounts) % len(CHANNELS)]),
            "account": (position % accounts).astype("int32"),
            "revenue_m": repeated["revenue_m"].to_numpy() * shares.to_numpy(),
            "synthetic": repeated["synthetic"].astype(bool).to_numpy(),
        }
    )


def main() -> None:
    """Command line entry: write a large data set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--source", type=Path, default=Path("data/sample"))
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    arguments = parser.parse_args()
    folder = write_large_data(arguments.source, arguments.target, arguments.rows)
    print(f"wrote {folder}")


if __name__ == "__main__":
    main()
