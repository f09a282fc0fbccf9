"""Trade names by product, market and label: which brand a regulatory event or table row shows."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.analysis.memo import per_dataset
from portfolio_reports.data.categories import covering_unions
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.schema import TradeNames

BRAND_SEPARATOR = " / "
_PRODUCT_MARKET = [TradeNames.product, TradeNames.market]
_LABEL = [*_PRODUCT_MARKET, TradeNames.indication]


def brand_names(rows: pd.DataFrame, trade_names: pd.DataFrame) -> pd.Series:
    """The brand of each row's product in its market, for the row's indication (its label).

    A row naming an indication gets that label's brand, else the brand the product carries on
    every label in the market; a row naming no indication gets the every-label brand, else the
    brands of all its labels there joined by " / ". Missing where the data names no brand.
    """
    every_label = trade_names[TradeNames.indication].isna()
    by_label = trade_names[~every_label].set_index(_LABEL)[TradeNames.trade_name]
    product_wide = trade_names[every_label].set_index(_PRODUCT_MARKET)[TradeNames.trade_name]
    all_labels = (
        trade_names[~every_label]
        .groupby(_PRODUCT_MARKET, sort=False)[TradeNames.trade_name]
        .agg(lambda names: BRAND_SEPARATOR.join(dict.fromkeys(names)))
    )
    pairs = pd.MultiIndex.from_frame(rows[_PRODUCT_MARKET])
    labels = pd.MultiIndex.from_frame(rows[_LABEL])
    no_label = rows[TradeNames.indication].isna().to_numpy()
    brand = pd.Series(by_label.reindex(labels).to_numpy(), index=rows.index, dtype=object)
    brand = brand.fillna(pd.Series(product_wide.reindex(pairs).to_numpy(), index=rows.index))
    joined = pd.Series(all_labels.reindex(pairs).to_numpy(), index=rows.index)
    return brand.where(brand.notna() | ~no_label, joined).rename(TradeNames.trade_name)


@per_dataset
def trade_names_of(ds: Dataset) -> pd.DataFrame:
    """The trade names, a union's (covered_by) also holding in each market it covers where
    that market names none of its own for the same product and label."""
    names = ds.trade_names
    unions = covering_unions(ds.markets)
    members = pd.DataFrame({"_member": unions.index, TradeNames.market: unions.to_numpy()})
    carried = names.merge(members, on=TradeNames.market)
    carried[TradeNames.market] = carried.pop("_member")
    own = pd.MultiIndex.from_frame(names[_LABEL].astype(object))
    carried = carried[~pd.MultiIndex.from_frame(carried[_LABEL].astype(object)).isin(own)]
    return pd.concat([names, carried], ignore_index=True)
