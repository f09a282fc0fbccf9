"""Generate the synthetic sales table of the sample data set from its other tables.

Every figure is made up. Quarterly product totals follow the sizing in the sample README (itself
calibrated to the company's reported revenue); a product sells in a market only from the quarter
of its first approval there (the next quarter when the approval falls in a quarter's last month),
and launches outside the home market ramp up. A fixed seed makes the output identical on every run:

    python -m portfolio_reports.tools.synthetic_sales data/sample
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from portfolio_reports.data.quarters import Quarter

SEED = 2696
FIRST_QUARTER = Quarter(2023, 1)
LAST_QUARTER = Quarter(2026, 3)
HOME_MARKET = "CN"
SALES_FILE = "sales.csv"
COLUMNS = ("quarter", "product", "market", "revenue_m", "synthetic")

SEASONALITY = {1: 0.985, 2: 1.005, 3: 0.995, 4: 1.015}
"""Mild seasonal factor by quarter number."""
RAMP_RATE = 0.75
"""Share of the remaining gap to full sales still open after each quarter on the market."""
TOTAL_NOISE = 0.012
MARKET_NOISE = 0.06


@dataclass(frozen=True)
class ProductPlan:
    """Size of one product's quarterly sales, all markets together, in millions."""

    first: float
    last: float
    launch: bool = False
    """True: ramps from its first approval towards `last`; False: moves from `first` to `last`."""


PLANS: dict[str, ProductPlan] = {
    "HLX02": ProductPlan(685.0, 765.0),
    "HLX10": ProductPlan(318.0, 430.0),
    "HLX04": ProductPlan(44.0, 46.0),
    "HLX01": ProductPlan(72.0, 55.0),
    "HLX03": ProductPlan(38.0, 38.0),
    "HLX-NER": ProductPlan(0.0, 14.0, launch=True),
    "FTN": ProductPlan(0.0, 34.0, launch=True),
    "HLX14": ProductPlan(0.0, 8.0, launch=True),
    "HLX11": ProductPlan(0.0, 3.5, launch=True),
}

ABROAD_SHARES: dict[str, dict[str, float]] = {
    "HLX02": {
        "EU": 0.06,
        "US": 0.03,
        "AU": 0.008,
        "CA": 0.006,
        "UK": 0.006,
        "BR": 0.006,
        "CH": 0.003,
        "NO": 0.002,
        "IS": 0.0005,
    },
    "HLX10": {
        "EU": 0.04,
        "IN": 0.01,
        "ID": 0.006,
        "UK": 0.006,
        "TH": 0.004,
        "SG": 0.002,
        "KH": 0.001,
    },
    "HLX01": {"BR": 0.04, "PE": 0.01},
    "HLX04": {"MX": 0.03, "BO": 0.005, "DO": 0.005},
    "HLX14": {"US": 0.6, "EU": 0.4},
    "HLX11": {"US": 1.0},
}
"""Share of a product's sales each market abroad reaches once fully ramped up (for products
sold only abroad, the relative weight of each market)."""
DEFAULT_ABROAD_SHARE = 0.0015

OTHERS = "others"
SIZING: dict[str, tuple[float, float]] = {
    "HLX02": (650.0, 800.0),
    "HLX10": (300.0, 450.0),
    "HLX04": (40.0, 50.0),
    OTHERS: (100.0, 150.0),
}
"""Range of each product's (or all other products') quarterly sales, in millions."""
SIZING_MARGIN = 0.01


def first_sales_quarters(events: pd.DataFrame) -> dict[tuple[str, str], Quarter]:
    """First selling quarter per (product, market): its first approval's quarter, or the next."""
    approvals = events[events["event_type"] == "approval"]
    firsts = approvals.groupby(["product", "market"])["date"].min()
    starts = {}
    for (product, market), day in firsts.items():
        day = pd.Timestamp(day)
        quarter = Quarter.of(day)
        starts[(product, market)] = quarter.shift(1) if day.month % 3 == 0 else quarter
    return starts


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from `first` to `last`, both included."""
    count = (last.year - first.year) * 4 + last.number - first.number + 1
    return [first.shift(step) for step in range(count)]


def ramp(quarters_on_market: int) -> float:
    """Fraction of full sales reached in a market's n-th quarter (0 = the first)."""
    return 1.0 - RAMP_RATE ** (quarters_on_market + 1)


def _steps(start: Quarter, quarter: Quarter) -> int:
    return (quarter.year - start.year) * 4 + quarter.number - start.number


def _product_total(plan: ProductPlan, quarter: Quarter, launched: Quarter) -> float:
    if plan.launch:
        return plan.last * ramp(_steps(launched, quarter))
    span = _steps(FIRST_QUARTER, LAST_QUARTER)
    weight = _steps(FIRST_QUARTER, quarter) / span
    return plan.first + (plan.last - plan.first) * weight


def _fit_to_sizing(sales: pd.DataFrame) -> pd.DataFrame:
    groups = sales["product"].where(sales["product"].isin(list(SIZING)), OTHERS)
    for quarter in sales["quarter"].unique():
        for group, (low, high) in SIZING.items():
            rows = (sales["quarter"] == quarter) & (groups == group)
            total = sales.loc[rows, "revenue_m"].sum()
            if total <= 0:
                continue
            target = min(max(total, low * (1 + SIZING_MARGIN)), high * (1 - SIZING_MARGIN))
            sales.loc[rows, "revenue_m"] *= target / total
    return sales


def _split_by_market(
    product: str,
    quarter: Quarter,
    selling: dict[str, Quarter],
    rng: np.random.Generator,
) -> dict[str, float]:
    plan = PLANS[product]
    bound = 2 * TOTAL_NOISE
    noise = 1 + float(np.clip(rng.normal(0, TOTAL_NOISE), -bound, bound))
    total = _product_total(plan, quarter, min(selling.values()))
    total *= SEASONALITY[quarter.number] * noise
    shares = ABROAD_SHARES.get(product, {})
    abroad = {}
    for market in sorted(set(selling) - {HOME_MARKET}):
        jitter = float(np.exp(rng.normal(0, MARKET_NOISE)))
        reached = ramp(_steps(selling[market], quarter))
        abroad[market] = shares.get(market, DEFAULT_ABROAD_SHARE) * reached * jitter
    if HOME_MARKET not in selling:
        weight = sum(abroad.values())
        return {market: total * share / weight for market, share in abroad.items()}
    values = {market: total * share for market, share in abroad.items()}
    values[HOME_MARKET] = total - sum(values.values())
    return values


def generate_sales(folder: Path, seed: int = SEED) -> pd.DataFrame:
    """Draw synthetic quarterly sales for every approved (product, market) in a data folder."""
    products = pd.read_csv(folder / "products.csv")
    markets = set(pd.read_csv(folder / "markets.csv")["market"])
    events = pd.read_csv(folder / "regulatory_events.csv", parse_dates=["date"])
    starts = first_sales_quarters(events)
    unknown = sorted({market for _, market in starts} - markets)
    if unknown:
        raise ValueError(f"approvals in markets missing from markets.csv: {unknown}")
    rng = np.random.default_rng(seed)
    rows = []
    for quarter in quarters_between(FIRST_QUARTER, LAST_QUARTER):
        for product in sorted(set(products["product"]) & set(PLANS)):
            selling = {
                market: start
                for (code, market), start in starts.items()
                if code == product and start <= quarter
            }
            if selling:
                values = _split_by_market(product, quarter, selling, rng)
                rows += [(str(quarter), product, market, value) for market, value in values.items()]
    sales = pd.DataFrame(rows, columns=list(COLUMNS[:-1]))
    sales = _fit_to_sizing(sales)
    sales["revenue_m"] = sales["revenue_m"].round(1)
    sales = sales[sales["revenue_m"] > 0].copy()
    sales["synthetic"] = True
    return sales.sort_values(["quarter", "product", "market"], ignore_index=True)


def write_sales(sales: pd.DataFrame, path: Path) -> None:
    """Write the sales table as CSV: one decimal, lower-case booleans, Unix line ends."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in sales.itertuples(index=False):
            revenue = f"{row.revenue_m:.1f}"
            flag = "true" if row.synthetic else "false"
            writer.writerow([row.quarter, row.product, row.market, revenue, flag])


def main(argv: Sequence[str] | None = None) -> None:
    """Regenerate <folder>/sales.csv from the other tables of that folder."""
    parser = argparse.ArgumentParser(
        prog="python -m portfolio_reports.tools.synthetic_sales",
        description="Regenerate the synthetic sales.csv of a data folder, e.g. data/sample.",
    )
    parser.add_argument("folder", type=Path, help="folder holding products, markets, events")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    args = parser.parse_args(argv)
    sales = generate_sales(args.folder, seed=args.seed)
    write_sales(sales, args.folder / SALES_FILE)
    print(f"wrote {len(sales)} rows to {args.folder / SALES_FILE}")


if __name__ == "__main__":
    main()
