"""The figures behind the leadership views: revenue bridges, launches, pipeline bars, heat map.

Also the brand a commercial view names a product by.

Each view has one definition, in VIEW_DEFINITIONS, which the page shows beside it.
"""

from __future__ import annotations

import re

import pandas as pd

from portfolio_reports.analysis import commercial, metrics
from portfolio_reports.analysis.brands import brand_names, trade_names_of
from portfolio_reports.analysis.memo import per_dataset
from portfolio_reports.analysis.metrics import vocabulary_rank
from portfolio_reports.analysis.ordering import by_sales
from portfolio_reports.analysis.pipeline import phase_rank
from portfolio_reports.analysis.revenue import REVENUE, REVENUE_DECIMALS, as_shown
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.company import MONEY
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import (
    GLOBAL_SCOPE,
    Catalysts,
    Indications,
    Markets,
    Pipeline,
    Products,
    Sales,
    TradeNames,
)

BRIDGE_PRODUCTS = 6
"""Products a revenue bridge names; the others are summed as OTHER."""
OTHER = "Other"
ROUNDING = "Rounding"
"""The bridge step that closes the gap rounding leaves between the changes and the totals."""
LAUNCH_WINDOW = 8
"""Quarters back a launch counts as recent for the launch tracker."""
HEAT_MARKETS = 7
"""Columns a market by product matrix shows: the markets with the most sales, the others summed
as OTHER_MARKETS in the last; with the Total they fit a laptop's page column."""
OTHER_MARKETS = "Other markets"
BRAND = "brand"
STEP = "step"
KIND = "kind"
START = "start"
END = "end"
TOTAL = "total"
CHANGE = "change"
LAUNCH_QUARTER = "launch_quarter"
SINCE_LAUNCH = "quarters_since_launch"
NEXT_MILESTONE = "next_milestone"
LABEL = "label"
ASSET = "asset"
"""A product as a table names it: the page's name, then its code and INN (`product_cells`)."""
PROGRAMMES = "programmes"
CURVE_COLUMNS = [Sales.product, LAUNCH_QUARTER, SINCE_LAUNCH, Sales.quarter, REVENUE]
BASES = {"previous": commercial.PREVIOUS_REVENUE, "year_ago": commercial.YEAR_AGO_REVENUE}
"""What a revenue bridge starts from: the previous quarter or the same quarter a year earlier."""

VIEW_DEFINITIONS = {
    "bridge": "A revenue bridge goes from the base quarter's product sales, through each"
    f" product's change (the {BRIDGE_PRODUCTS} largest named, the rest summed as “{OTHER}”), to"
    " this quarter's; figures are rounded to one decimal, and what rounding leaves between the"
    f" changes and the difference of the totals is a step of its own, “{ROUNDING}”. Its axis"
    " starts near the totals, whose bars are cut (//), so the changes show.",
    "launch": "A product's launch quarter is its first quarter with product sales in the"
    " report's scope (one selling in the first quarter of the data is not counted as launched"
    f" then); the launch tracker shows the products launched in the last {LAUNCH_WINDOW}"
    " quarters, quarter 1 being the launch quarter.",
    "pipeline": "A pipeline bar runs from Preclinical to the programme's phase at quarter end;"
    " its next milestone is the soonest event expected for its indication (or its product,"
    " where the event names no indication) in its market, or any market for a Global"
    " programme, within the next four quarters.",
    "assets": "An asset is a molecule in development (a product with a programme in development"
    " at quarter end), shown once at its most advanced phase in its primary therapy area; its"
    " next milestone is the product's soonest event expected in the next four quarters.",
    "heat": "The product by market table shows each product's sales in the quarter in each"
    f" market, in {MONEY}; where more than {HEAT_MARKETS} markets sold, those after the"
    f" {HEAT_MARKETS - 1} with the most sales are summed as “{OTHER_MARKETS}”.",
    "brand": "A page names each product once and the same way in its highlights, bridges,"
    " charts, catalysts and tables: by the display name the data gives it, else by its brand in"
    " the page's market, else in the home market where the page covers it, else in the market"
    " where it sold most in the quarter, else by its code; a table's product column follows the"
    " name with the code and INN, where they differ from it. A row of one product in one market"
    " uses that market's brand.",
    "market brand": "A row of one product in one market names the product by its brand in that"
    " market (where the data names one), with its INN.",
}
"""One sentence per view, shown beside it (MONEY spelled by `Money.spell`)."""


def bridge_steps(
    current: pd.Series, base: pd.Series, *, keep: int = BRIDGE_PRODUCTS
) -> pd.DataFrame:
    """Steps of a waterfall from `base` to `current` revenue (both by product).

    Rows: the base total, the `keep` largest product changes (by size, ties by product), OTHER
    for the rest, then the current total; every figure is rounded as shown (`as_shown`), and
    ROUNDING, on every page alike, takes what rounding leaves between the shown changes and the
    difference of the shown totals. Columns: step, kind (total or change), value, start, end
    (the bar spans start to end).
    """
    products = current.index.union(base.index)
    now = current.reindex(products, fill_value=0.0)
    then = base.reindex(products, fill_value=0.0)
    exact = now - then
    changes = exact.map(as_shown)
    order = (
        pd.DataFrame({"size": changes.abs().to_numpy(), "name": products})
        .sort_values(["size", "name"], ascending=[False, True])["name"]
        .tolist()
    )
    named = [product for product in order[:keep] if changes[product] != 0]
    first, last = as_shown(then.sum()), as_shown(now.sum())
    other = as_shown(exact.drop(index=named).sum())
    rounding = as_shown(last - first - changes[named].sum() - other)
    steps = [(str(product), CHANGE, float(changes[product])) for product in named]
    steps += [
        (step, CHANGE, value) for step, value in ((OTHER, other), (ROUNDING, rounding)) if value
    ]
    frame = pd.DataFrame(
        [(START, TOTAL, first), *steps, (END, TOTAL, last)], columns=[STEP, KIND, REVENUE]
    )
    running = frame[REVENUE].where(frame[KIND] == CHANGE, 0.0).cumsum() + first
    frame[END] = running.where(frame[KIND] == CHANGE, frame[REVENUE]).round(REVENUE_DECIMALS)
    frame[START] = (frame[END] - frame[REVENUE]).where(frame[KIND] == CHANGE, 0.0)
    return frame[[STEP, KIND, REVENUE, START, END]]


def revenue_bridge(ds: Dataset, scope: Scope, quarter: Quarter, base: str) -> pd.DataFrame:
    """`bridge_steps` of the scope's product sales from the `base` quarter (BASES) to `quarter`.

    Steps naming a product carry its brand label (`product_labels`).
    """
    if base not in BASES:
        raise ValueError(f"base must be one of {', '.join(BASES)}; got {base!r}")
    products = commercial.revenue_by(ds, scope, quarter, by=Sales.product).set_index(Sales.product)
    steps = bridge_steps(products[REVENUE], products[BASES[base]])
    labels = product_labels(ds, scope, quarter)
    return steps.assign(**{BRAND: steps[STEP].map(labels).fillna(steps[STEP])})


def launch_curves(
    sales: pd.DataFrame, quarter: Quarter, window: int = LAUNCH_WINDOW
) -> pd.DataFrame:
    """Quarterly sales since launch of the products launched in the `window` quarters to `quarter`.

    `sales` has quarter, product and revenue rows (several per product and quarter are summed).
    A product's launch quarter is its first quarter with sales above 0, unless that is the
    first quarter in `sales` (it may have sold before). One row per product and quarter from
    launch to `quarter` (0 where it sold nothing), SINCE_LAUNCH counting from 1.
    """
    selling = sales[sales[REVENUE] > 0]
    if selling.empty:
        return pd.DataFrame(columns=CURVE_COLUMNS)
    launches = selling.groupby(Sales.product)[Sales.quarter].min()
    recent = {str(q) for q in quarter.trailing(window)} - {sales[Sales.quarter].min()}
    launches = launches[launches.isin(recent)]
    totals = sales.groupby([Sales.product, Sales.quarter])[REVENUE].sum()
    rows = [
        (product, launch, count, label, float(totals.get((product, label), 0.0)))
        for product, launch in launches.sort_values(kind="stable").items()
        for count, label in enumerate(_quarters_from(Quarter.parse(launch), quarter), start=1)
    ]
    return pd.DataFrame(rows, columns=CURVE_COLUMNS)


def launches(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """`launch_curves` of the scope's sales up to `quarter`, with each product's brand label."""
    sales = scope.sales(ds)
    sales = sales[sales[Sales.quarter] <= str(quarter)]
    curves = launch_curves(sales, quarter)
    return curves.assign(**{BRAND: curves[Sales.product].map(product_labels(ds, scope, quarter))})


def market_product_revenue(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Product sales in the quarter per product (rows) and market (columns).

    Products and markets with sales only, most sales first (ties by code); beyond HEAT_MARKETS
    markets the rest are one column, OTHER_MARKETS. Rows are named by `product_labels`.
    """
    sales = scope.sales(ds)
    sales = sales[(sales[Sales.quarter] == str(quarter)) & (sales[REVENUE] > 0)]
    grid = sales.pivot_table(
        index=Sales.product, columns=Sales.market, values=REVENUE, aggfunc="sum", fill_value=0.0
    )
    if grid.empty:
        return grid
    grid = grid[_by_total(grid.sum())].loc[_by_total(grid.sum(axis=1))]
    if len(grid.columns) > HEAT_MARKETS:
        kept = grid.iloc[:, : HEAT_MARKETS - 1]
        grid = kept.assign(**{OTHER_MARKETS: grid.iloc[:, HEAT_MARKETS - 1 :].sum(axis=1)})
    labels = product_labels(ds, scope, quarter)
    return grid.rename(index=labels).rename_axis(index="Product", columns=None)


def pipeline_bars(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Programmes in development (`metrics.pipeline_snapshot`) with partner and next milestone.

    Ordered by therapy area (`ordering.by_sales`), then most advanced phase, product and
    indication. NEXT_MILESTONE reads e.g. "approval in Japan, Q4 2026"; empty when none is
    expected.
    LABEL is the product's name on the page (`display_names`), ASSET that name with the code and
    INN (`product_cells`).
    """
    snapshot = metrics.pipeline_snapshot(ds, scope, quarter)
    partners = territory_names(ds, ds.products.set_index(Products.product)[Products.partner])
    milestone = _next_milestones(ds, snapshot, metrics.upcoming_catalysts(ds, scope, quarter))
    area_rank = vocabulary_rank(by_sales(ds, Products.therapy_area, quarter))
    names = display_names(ds, scope, quarter)
    bars = snapshot.assign(
        **{
            LABEL: snapshot[Products.product].map(names).fillna(snapshot[Products.product]),
            ASSET: product_cells(snapshot, names),
            Products.partner: snapshot[Products.product].map(partners),
            NEXT_MILESTONE: milestone,
            "_area": snapshot[Products.therapy_area].map(area_rank),
            "_phase": phase_rank(snapshot[Pipeline.phase]),
        }
    )
    ordered = bars.sort_values(
        ["_area", "_phase", Products.product, Catalysts.indication, Pipeline.scope],
        ascending=[True, False, True, True, True],
        kind="stable",
    )
    return ordered.drop(columns=["_area", "_phase"]).reset_index(drop=True)


def asset_bars(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """Each molecule in development once (VIEW_DEFINITIONS "assets"), at its most advanced
    programme of `metrics.pipeline_snapshot`, with PROGRAMMES (how many it has in development),
    its LABEL (`product_labels`) and the NEXT_MILESTONE of the product; ordered by its primary
    therapy area (`ordering.by_sales`), then most advanced phase and product."""
    snapshot = metrics.pipeline_snapshot(ds, scope, quarter)  # most advanced phase first
    lead = snapshot.drop_duplicates(Products.product)
    products = ds.products.set_index(Products.product)
    upcoming = metrics.upcoming_catalysts(ds, scope, quarter)  # soonest first
    soonest = _milestone_texts(ds, upcoming).groupby(upcoming[Catalysts.product]).first()
    area_rank = vocabulary_rank(by_sales(ds, Products.therapy_area, quarter))
    code = lead[Products.product]
    assets = lead.assign(
        **{
            Products.therapy_area: code.map(products[Products.therapy_area]),
            Products.partner: code.map(territory_names(ds, products[Products.partner])),
            PROGRAMMES: code.map(snapshot[Products.product].value_counts()),
            LABEL: code.map(product_labels(ds, scope, quarter)),
            NEXT_MILESTONE: code.map(soonest).fillna(""),
        }
    )
    ordered = assets.assign(
        _area=assets[Products.therapy_area].map(area_rank),
        _phase=phase_rank(assets[Pipeline.phase]),
    ).sort_values(["_area", "_phase", Products.product], ascending=[True, False, True])
    return ordered.drop(columns=["_area", "_phase"]).reset_index(drop=True)


def market_brand_names(rows: pd.DataFrame, ds: Dataset) -> pd.Series:
    """Each row's product by its brand in the row's market, with its INN ("HERCESSI
    (trastuzumab)" in US, "HANQUYOU (trastuzumab)" in CN); code and INN where it has none there.

    `rows` have product, market and inn columns (`metrics.with_inn`).
    """
    brands = brand_names(rows.assign(**{TradeNames.indication: None}), trade_names_of(ds))
    return asset_names(rows.assign(**{Products.product: brands.fillna(rows[Products.product])}))


def product_cells(frame: pd.DataFrame, names: pd.Series) -> pd.Series:
    """Each row's product as a table names it: its name on the page (`names`, by code), then its
    code and INN where they differ from that name, e.g. "HANQUYOU (HLX02, trastuzumab)", "HLX04
    (bevacizumab)"; missing for a row naming no product. `frame` has product and inn columns."""
    inns = frame.dropna(subset=[Products.product]).drop_duplicates(Products.product)
    cells = {}
    for code, inn in zip(inns[Products.product], inns[Products.inn], strict=True):
        name = str(names.get(code, code))
        detail = ", ".join(
            part for part in dict.fromkeys([code, inn]) if isinstance(part, str) and part != name
        )
        cells[code] = f"{name} ({detail})" if detail else name
    return frame[Products.product].map(cells).astype(object)


def asset_names(frame: pd.DataFrame) -> pd.Series:
    """Product code with its INN where the two differ, e.g. "HLX10 (serplulimab)"."""
    product, inn = frame[Products.product], frame[Products.inn]
    return product.where(inn.isna() | (inn == product), product + " (" + inn + ")")


def catalyst_rows(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.DataFrame:
    """`metrics.upcoming_catalysts` with the product's therapy area and a LABEL per row.

    The label names the product (`product_labels`) and the indication, e.g. "HLX11 (pertuzumab)
    · HER2-positive early and metastatic breast cancer"; the area is the indication's, or the
    product's primary one when the catalyst names no indication.
    """
    upcoming = metrics.upcoming_catalysts(ds, scope, quarter)
    areas = ds.indications.set_index(Indications.indication)[Indications.therapy_area]
    primary = ds.products.set_index(Products.product)[Products.therapy_area]
    product = upcoming[Products.product].map(product_labels(ds, scope, quarter))
    what = upcoming[metrics.INDICATION_NAME].fillna("all labels")
    return upcoming.assign(
        **{
            Products.therapy_area: upcoming[Catalysts.indication]
            .map(areas)
            .fillna(upcoming[Products.product].map(primary)),
            LABEL: product + " · " + what,
        }
    )


def market_names(ds: Dataset, codes: pd.Series) -> pd.Series:
    """Market codes as the names readers know ("US" as "United States"); a value that is no
    market code (Global) as it is."""
    names = ds.markets.set_index(Markets.market)[Markets.name]
    return codes.map(names).fillna(codes)


def territory_names(ds: Dataset, texts: pd.Series) -> pd.Series:
    """Free texts whose territories are written in brackets after a name, each market code in
    brackets as its name (`market_names`): "Intas/Accord (EU, IN)" as "Intas/Accord (European
    Union, India)", "Organon (ex-US/CA)" as "Organon (ex-United States/Canada)"; words outside
    brackets, and words in them that are no market code, as they are; missing stays missing."""
    codes = ds.markets[Markets.market]
    names = dict(zip(codes, market_names(ds, codes), strict=True))
    listed = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
    code = re.compile(rf"(?<!\w)(?:{listed})(?![\w-])")

    def named(bracket: re.Match[str]) -> str:
        return code.sub(lambda found: names.get(found[0], found[0]), bracket[0])

    return texts.map(lambda text: re.sub(r"\([^()]*\)", named, text), na_action="ignore")


@per_dataset
def display_names(ds: Dataset, scope: Scope, quarter: Quarter) -> pd.Series:
    """Each product's one name on a page (VIEW_DEFINITIONS "brand"), by product code.

    Its display name where products.csv sets one; else the brand the product carries, on every
    label, in the page's market; else in the home market, where the page covers it; else in the
    market of the page where it sold most in the quarter (ties by market code); else its code.
    """
    codes = ds.products[Products.product]
    sales = scope.sales(ds)
    sales = sales[sales[Sales.quarter] == str(quarter)]
    per_market = sales.groupby([Sales.product, Sales.market], as_index=False)[REVENUE].sum()
    top = per_market.sort_values([REVENUE, Sales.market], ascending=[False, True], kind="stable")
    places = [scope.market] if scope.market is not None else []
    home = ds.profile.home_market
    regions = ds.markets.set_index(Markets.market)[Markets.region]
    if home is not None and scope.market is None and scope.region in (None, regions.get(home)):
        places.append(home)
    candidates = pd.concat(
        [
            *(pd.DataFrame({Sales.product: codes, Sales.market: place}) for place in places),
            top[[Sales.product, Sales.market]],
        ],
        ignore_index=True,
    )
    brands = brand_names(candidates.assign(**{TradeNames.indication: None}), trade_names_of(ds))
    first = (
        candidates.assign(_brand=brands)
        .dropna(subset="_brand")
        .drop_duplicates(Sales.product)
        .set_index(Sales.product)["_brand"]
    )
    chosen = ds.products[Products.display_name].astype(object)
    named = chosen.where(chosen.notna(), codes.map(first).astype(object))
    return pd.Series(named.where(named.notna(), codes).to_numpy(), index=codes.to_numpy())


def product_labels(ds: Dataset, scope: Scope, quarter: Quarter) -> dict[str, str]:
    """Each product's name on commercial views, `display_names` with its INN, e.g.
    "HANQUYOU (trastuzumab)"."""
    names = display_names(ds, scope, quarter)
    codes = ds.products[Products.product]
    named = ds.products.assign(**{Products.product: codes.map(names)})
    return {str(code): str(name) for code, name in zip(codes, asset_names(named), strict=True)}


def _next_milestones(ds: Dataset, programmes: pd.DataFrame, upcoming: pd.DataFrame) -> pd.Series:
    """Per programme, the soonest upcoming catalyst of its indication (or of its product, when
    the catalyst names no indication) in its market, any market for a Global programme;
    e.g. "approval in Japan, Q4 2026", empty when none."""
    catalysts = upcoming.assign(_text=_milestone_texts(ds, upcoming))  # soonest first
    milestones = []
    for programme in programmes.itertuples():
        same = catalysts[Catalysts.indication].eq(programme.indication) | (
            catalysts[Catalysts.indication].isna()
            & catalysts[Catalysts.product].eq(programme.product)
        )
        here = programme.scope == GLOBAL_SCOPE
        here = here | catalysts[Catalysts.market].eq(programme.scope)
        found = catalysts.loc[same & here, "_text"]
        milestones.append(found.iloc[0] if len(found) else "")
    return pd.Series(milestones, index=programmes.index, dtype=object)


def _milestone_texts(ds: Dataset, upcoming: pd.DataFrame) -> pd.Series:
    """Each upcoming catalyst as a milestone reads, its market by name and its quarter as a
    date reads, e.g. "approval in Japan, Q4 2026"."""
    quarters = upcoming[metrics.EXPECTED_QUARTER].map(lambda text: Quarter.parse(text).label)
    return (
        upcoming[Catalysts.event_type]
        + " in "
        + market_names(ds, upcoming[Catalysts.market])
        + ", "
        + quarters
    )


def _by_total(totals: pd.Series) -> list[str]:
    """Labels ordered by total, largest first, ties by label."""
    frame = pd.DataFrame({"total": totals.round(REVENUE_DECIMALS), "label": totals.index})
    return frame.sort_values(["total", "label"], ascending=[False, True])["label"].tolist()


def _quarters_from(first: Quarter, last: Quarter) -> list[str]:
    """Quarter labels from `first` to `last`, both included."""
    labels = []
    while first <= last:
        labels.append(str(first))
        first = first.shift(1)
    return labels
