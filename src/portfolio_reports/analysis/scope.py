"""Report scope: the rows of each table that belong to an area, a market or a product."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass

import pandas as pd

from portfolio_reports.analysis.memo import per_dataset_method
from portfolio_reports.analysis.revenue import allocated_sales
from portfolio_reports.data.categories import covering_unions
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.schema import (
    GLOBAL_SCOPE,
    ClinicalResults,
    Indications,
    Markets,
    OtherRevenue,
    Pipeline,
    Products,
    RegulatoryEvents,
    Sales,
)

WHOLE_PORTFOLIO = "Whole portfolio"


def _selected(values: pd.Series, allowed: Collection[str] | None) -> pd.Series:
    """Rows whose value is allowed; every row when nothing restricts them."""
    if allowed is None:
        return pd.Series(True, index=values.index)
    return values.isin(allowed)


def _only(value: str | None) -> tuple[str, ...] | None:
    """A single allowed value, or no restriction when the field is unset."""
    return None if value is None else (value,)


@dataclass(frozen=True)
class Scope:
    """One slice of the portfolio; a field left as None does not restrict it, set fields combine."""

    therapy_area: str | None = None
    disease_area: str | None = None
    market: str | None = None
    region: str | None = None
    product: str | None = None
    """One product (its code), across its markets and indications."""

    @property
    def label(self) -> str:
        """Name of the slice for titles, e.g. "Oncology", "US", "HLX10" or "Whole portfolio"."""
        return ", ".join(value for value in asdict(self).values() if value) or WHOLE_PORTFOLIO

    @property
    def revenue_label(self) -> str:
        """What the scope's revenue figure is, e.g. "Product sales allocated to Lung cancer"."""
        areas = [area for area in (self.therapy_area, self.disease_area) if area is not None]
        sales = f"Product sales of {self.product}" if self.product else "Product sales"
        return f"{sales} allocated to {' and '.join(areas)}" if areas else sales

    @property
    def sales_basis(self) -> str:
        """One sentence saying which revenue the scope counts, to print beside sales figures."""
        allocated = self.therapy_area is not None or self.disease_area is not None
        how = " by indication share" if allocated else "" if self.product else " of all products"
        if self.market is not None:
            where = self.market
        elif self.region is not None:
            where = f"the {self.region} region"
        else:
            where = "all markets"
        return f"{self.revenue_label}{how}, in {where}."

    @staticmethod
    def valid_values(ds: Dataset) -> dict[str, list[str]]:
        """Values each field may take in this data set, sorted."""
        return {
            "therapy_area": sorted(
                set(ds.products[Products.therapy_area])
                | set(ds.indications[Indications.therapy_area])
            ),
            "disease_area": sorted(set(ds.indications[Indications.disease_area])),
            "market": sorted(set(ds.markets[Markets.market])),
            "region": sorted(set(ds.markets[Markets.region])),
            "product": sorted(set(ds.products[Products.product])),
        }

    def check(self, ds: Dataset) -> list[str]:
        """Problems with the field values against the data, one line each; empty when valid.

        A report covers a market or a region, never both: a market page's default market would
        otherwise narrow a region page silently, or leave it empty.
        """
        allowed = self.valid_values(ds)
        problems = [
            f"unknown {field.replace('_', ' ')} {value!r}; allowed: {', '.join(allowed[field])}"
            for field, value in asdict(self).items()
            if value is not None and value not in allowed[field]
        ]
        if problems:
            return problems
        if self.market is not None and self.region is not None:
            problems.append(
                f"market {self.market!r} and region {self.region!r} are both set; set market or"
                " region, not both (the other to None, null in a params file)"
            )
        if (
            self.therapy_area is not None
            and self.disease_area is not None
            and self._area_indications(ds).empty
        ):
            problems.append(
                f"disease area {self.disease_area!r} has no indication "
                f"in therapy area {self.therapy_area!r}"
            )
        return problems

    @per_dataset_method
    def sales(self, ds: Dataset) -> pd.DataFrame:
        """Sales rows of the scope, each split among the product's indications; a union's
        (covered_by) are its members' sales.

        A therapy or disease area counts the parts allocated to it (see `allocated_sales`); a
        product's unallocated part counts in its primary therapy area only.
        """
        sales = allocated_sales(ds)
        keep = (
            _selected(sales[Indications.therapy_area], _only(self.therapy_area))
            & _selected(sales[Indications.disease_area], _only(self.disease_area))
            & _selected(sales[Sales.market], self._sales_markets(ds))
            & _selected(sales[Sales.product], _only(self.product))
        )
        return sales[keep]

    @per_dataset_method
    def other_revenue(self, ds: Dataset) -> pd.DataFrame:
        """Rows of other revenue that name the scope: a market or region by the row's market (a
        union's page takes its members' rows, as with sales), a therapy area or product by the
        row's product and its primary therapy area; every row for the whole portfolio, none for
        a disease area (income is not split among indications)."""
        rows = ds.other_revenue
        if self.disease_area is not None:
            return rows.iloc[:0]
        by_product = self.therapy_area is not None or self.product is not None
        keep = _selected(rows[OtherRevenue.market], self._sales_markets(ds)) & _selected(
            rows[OtherRevenue.product], self._area_products(ds) if by_product else None
        )
        return rows[keep]

    @per_dataset_method
    def events(self, ds: Dataset) -> pd.DataFrame:
        """Regulatory events of the scope, by indication, or by product where none is given."""
        return self._product_market_rows(ds.regulatory_events, ds)

    @per_dataset_method
    def market_events(self, ds: Dataset) -> pd.DataFrame:
        """Regulatory events in the scope's markets (`_record_markets`), whatever their product."""
        events = ds.regulatory_events
        return events[_selected(events[RegulatoryEvents.market], self._record_markets(ds))]

    @per_dataset_method
    def catalysts(self, ds: Dataset) -> pd.DataFrame:
        """Expected events of the scope, chosen like regulatory events."""
        return self._product_market_rows(ds.catalysts, ds)

    @per_dataset_method
    def pipeline(self, ds: Dataset) -> pd.DataFrame:
        """Phase history rows of the scope's indications, in its markets or global."""
        return self.programme_rows(ds.pipeline, ds)

    def programme_rows(self, frame: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
        """Rows keyed by indication and pipeline scope that fall in the scope (as `pipeline`)."""
        keep = frame[Pipeline.indication].isin(self._area_indications(ds)) & _selected(
            frame[Pipeline.scope], self._pipeline_scopes(ds)
        )
        return frame[keep]

    def place(self, ds: Dataset) -> str | None:
        """Where the scope's own programmes run: a market's name or a region; None for all."""
        if self.market is not None:
            names = ds.markets.set_index(Markets.market)[Markets.name]
            return str(names.get(self.market, self.market))
        return self.region

    @per_dataset_method
    def indications(self, ds: Dataset) -> pd.DataFrame:
        """Indications of the scope; for a market or region, those with activity there or global."""
        if self._market_codes(ds) is None:
            active = self._area_indications(ds)
        else:
            active = pd.concat(
                [
                    self.pipeline(ds)[Pipeline.indication],
                    self.events(ds)[RegulatoryEvents.indication].dropna(),
                ]
            )
        return ds.indications[ds.indications[Indications.indication].isin(active)]

    @per_dataset_method
    def clinical(self, ds: Dataset) -> pd.DataFrame:
        """Clinical results of the scope's indications, from trials run in its markets or global."""
        results = ds.clinical_results
        in_scope = self.indications(ds)[Indications.indication]
        keep = results[ClinicalResults.indication].isin(in_scope) & _selected(
            results[ClinicalResults.market], self._pipeline_scopes(ds)
        )
        return results[keep]

    @per_dataset_method
    def products(self, ds: Dataset) -> pd.DataFrame:
        """Products with an indication, sales or a regulatory event in the scope."""
        codes = pd.concat(
            [
                self.indications(ds)[Indications.product],
                self.sales(ds)[Sales.product],
                self.events(ds)[RegulatoryEvents.product],
            ]
        )
        return ds.products[ds.products[Products.product].isin(codes)]

    def _product_market_rows(self, frame: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
        """Rows in the scope's markets whose indication is in its areas; by product without one;
        a row naming no product (a market-wide loss of exclusivity) only where no area or product
        restricts the scope, as it belongs to none."""
        indication, product = frame[RegulatoryEvents.indication], frame[RegulatoryEvents.product]
        in_areas = (
            indication.isin(self._area_indications(ds))
            | (indication.isna() & product.isin(self._area_products(ds)))
            | (product.isna() & self.spans_products)
        )
        return frame[in_areas & _selected(frame[RegulatoryEvents.market], self._record_markets(ds))]

    @property
    def spans_products(self) -> bool:
        """Whether the scope takes every product: no therapy area, disease area or product."""
        return self.therapy_area is None and self.disease_area is None and self.product is None

    def _market_codes(self, ds: Dataset) -> pd.Series | None:
        """Markets of the scope, or None when it does not restrict markets."""
        if self.market is None and self.region is None:
            return None
        markets = ds.markets
        keep = _selected(markets[Markets.market], _only(self.market)) & _selected(
            markets[Markets.region], _only(self.region)
        )
        return markets.loc[keep, Markets.market]

    def _pipeline_scopes(self, ds: Dataset) -> list[str] | None:
        """Pipeline and trial scopes that count: the scope's markets (`_record_markets`) and
        global, or None for all."""
        codes = self._record_markets(ds)
        return None if codes is None else [*codes, GLOBAL_SCOPE]

    def _sales_markets(self, ds: Dataset) -> list[str] | None:
        """Markets whose sales count: the scope's, and the members of any union among them."""
        codes = self._market_codes(ds)
        if codes is None:
            return None
        unions = covering_unions(ds.markets)
        return [*codes, *unions.index[unions.isin(codes)]]

    def _record_markets(self, ds: Dataset) -> list[str] | None:
        """Markets whose regulatory record counts: those of `_sales_markets`, and the union
        covering any of them (its approvals, filings and catalysts hold in its members)."""
        codes = self._sales_markets(ds)
        if codes is None:
            return None
        unions = covering_unions(ds.markets)
        return list(dict.fromkeys([*codes, *unions.reindex(codes).dropna()]))

    def _area_indications(self, ds: Dataset) -> pd.Series:
        """Indications in the scope's therapy area and disease area."""
        indications = ds.indications
        keep = (
            _selected(indications[Indications.therapy_area], _only(self.therapy_area))
            & _selected(indications[Indications.disease_area], _only(self.disease_area))
            & _selected(indications[Indications.product], _only(self.product))
        )
        return indications.loc[keep, Indications.indication]

    def _area_products(self, ds: Dataset) -> pd.Series:
        """Products of the primary therapy area with an indication in the disease area."""
        products = ds.products
        indications = ds.indications
        with_disease_area = None
        if self.disease_area is not None:
            in_disease_area = indications[Indications.disease_area] == self.disease_area
            with_disease_area = indications.loc[in_disease_area, Indications.product]
        keep = (
            _selected(products[Products.therapy_area], _only(self.therapy_area))
            & _selected(products[Products.product], with_disease_area)
            & _selected(products[Products.product], _only(self.product))
        )
        return products.loc[keep, Products.product]
