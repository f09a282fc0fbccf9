"""Highlights of a report, written as short plain-text sentences from the data."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from portfolio_reports.analysis.commercial import (
    DRIVER_BASES,
    EXCLUSIVITY_LOST,
    other_income,
    revenue_by_quarter,
    revenue_drivers,
    total_revenue_drivers,
)
from portfolio_reports.analysis.key_figures import (
    has_sales,
    indicated_sales,
    total_revenue,
    year_to_date,
)
from portfolio_reports.analysis.metrics import (
    APPROVAL,
    CATALYST_HORIZON,
    EVENT_GROUPS,
    FILING,
    events_in_quarter,
    phase_moves,
    programme_counts,
    readouts_in_quarter,
    upcoming_catalysts,
)
from portfolio_reports.analysis.pipeline import (
    APPROVED,
    DISCONTINUED,
    GLOBAL,
    IN_DEVELOPMENT,
    LIFE_CYCLE,
    LOCAL,
    WITHDRAWN,
)
from portfolio_reports.analysis.revenue import REVENUE, REVENUE_TYPE
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.analysis.setbacks import MARKET_WIDE, RESUBMISSION
from portfolio_reports.analysis.trials import VALUES, result_summaries
from portfolio_reports.analysis.views import display_names, market_names
from portfolio_reports.data.company import Money
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import ClinicalResults, Sales
from portfolio_reports.presentation.formatting import (
    ESTIMATE_MARK,
    INFERRED_MARK,
    MISSING,
    exclusivity_cause,
    money,
    signed_percent,
)
from portfolio_reports.text import counted

MAX_HIGHLIGHTS = 9
"""Bullets the highlights hold at most: setbacks, product sales, total revenue (whole portfolio),
four more kinds of news, the outlook and the quiet line."""
LISTED_AT_MOST = 3
RESULTS_PER_TRIAL = 2
"""Results a highlight quotes for one trial; the tables list them all."""
DESIGNATIONS = tuple(
    t for t in EVENT_GROUPS["filings and designations"] if t not in (FILING, RESUBMISSION)
)
DEALS = EVENT_GROUPS["licence deals"]
SETBACKS = EVENT_GROUPS["setbacks"]


def highlights(ds: Dataset, scope: Scope, quarter: Quarter) -> list[str]:
    """At most nine bullets, each with its numbers: setbacks first, product sales with the
    year to date and what moved them most, total revenue and what moved it (whole portfolio) or
    the slice's other income (`other_income`), approvals, readouts with their results, other
    regulatory news, phase changes and the events expected next; the quiet ones folded into one
    last line.

    Product sales (when the scope sold in the quarters a page charts), approvals, readouts,
    filings and phase changes are named in the last line when there were none; filings,
    resubmissions, designations and deals share a bullet; setbacks, resubmissions,
    designations, deals and expected events appear only when there are some.
    """
    filings = _events_sentence(
        ds, scope, quarter, [FILING], ("filing accepted", "filings accepted")
    )
    news = {
        "product sales": _revenue_sentence(ds, scope, quarter),
        "approvals": _events_sentence(ds, scope, quarter, [APPROVAL], ("approval", "approvals")),
        "clinical readouts": _readouts_sentence(ds, scope, quarter),
        "filings": filings,
        "phase changes": _phase_moves_sentence(ds, scope, quarter),
    }
    regulatory = " ".join(
        sentence
        for sentence in (
            filings,
            _events_sentence(ds, scope, quarter, [RESUBMISSION], ("resubmission", "resubmissions")),
            _events_sentence(ds, scope, quarter, DESIGNATIONS, ("designation", "designations")),
            _events_sentence(ds, scope, quarter, DEALS, ("licence deal", "licence deals")),
        )
        if sentence
    )
    quiet = [kind for kind, sentence in news.items() if not sentence]
    if not has_sales(ds, scope, quarter):
        quiet.remove("product sales")  # the key figures say the scope has none to chart
    lines = [
        _events_sentence(ds, scope, quarter, SETBACKS, ("setback", "setbacks")),
        news["product sales"],
        _total_revenue_sentence(ds, quarter) if scope == Scope() and news["product sales"] else "",
        _other_income_sentence(ds, scope, quarter),
        news["approvals"],
        news["clinical readouts"],
        regulatory,
        news["phase changes"],
        _catalysts_sentence(ds, scope, quarter),
        f"No {_listing(quiet, len(quiet), ', ', ' or ')} in {quarter.label}." if quiet else "",
    ]
    return [line for line in lines if line]


def key_figure(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """The quarter's revenue and growth in a few words, e.g. "Product sales: USD 165.0 m, ..."."""
    figure = _revenue_figure(ds, scope, quarter)
    if figure:
        return f"{scope.revenue_label}: {figure}"
    counts = programme_counts(ds, scope, quarter)
    none = f"No revenue in {quarter.label}"
    if scope.disease_area is not None and ds.revenue_allocation.empty:
        indicated = indicated_sales(ds, scope, quarter)
        none = "Sales not allocated to disease areas"
        if indicated is not None:
            amount = ds.profile.money.amount(money(indicated.revenue))
            none += f" (sales of products with indications here: {amount})"
    return f"{none}; in development: {_in_development(counts, scope, ds)}"


def programmes_sentence(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """Programmes in development at quarter end, run in the scope and global, and approved."""
    counts = programme_counts(ds, scope, quarter)
    place = scope.place(ds)
    life_cycle = counts.loc[LIFE_CYCLE].sum()
    if place is None:
        approved = counted(counts.loc[APPROVED].sum(), "programme", "programmes")
        ended = f"; discontinued: {counts.loc[DISCONTINUED].sum()}"
    else:
        approved = counted(counts.loc[APPROVED, LOCAL], "programme", "programmes") + f" in {place}"
        ended = ""
    withdrawn = counts.loc[WITHDRAWN, LOCAL]
    if withdrawn:
        ended += f"; withdrawn: {withdrawn}"
    return (
        f"In development at the end of {quarter.label}: {_in_development(counts, scope, ds)}"
        f"; {life_cycle} of them life-cycle. Approved: {approved}{ended}."
    )


def programme_split(local: int, global_: int, place: str) -> str:
    """Where programmes run, e.g. "3 run in Japan and 5 global", "all global"; "" for none."""
    if local and global_:
        return f"{local} run in {place} and {global_} global"
    if not local and not global_:
        return ""
    every = "all " if local + global_ > 1 else ""
    return f"{every}run in {place}" if local else f"{every}global"


def _in_development(counts: pd.DataFrame, scope: Scope, ds: Dataset) -> str:
    """Programmes in development named with their unit, e.g. "2 programmes run in Japan, ..."."""
    local, global_ = counts.loc[IN_DEVELOPMENT, LOCAL], counts.loc[IN_DEVELOPMENT, GLOBAL]
    place = scope.place(ds)
    if place is None:
        total = counted(local + global_, "programme", "programmes")
        split = programme_split(local, global_, "one market")
        return f"{total}, {split}" if split else total
    run = counted(local, "programme run", "programmes run")
    covering = counted(global_, "global programme covers", "global programmes cover")
    return f"{run} in {place}; {covering} {place}"


def _revenue_figure(ds: Dataset, scope: Scope, quarter: Quarter) -> str | None:
    """Revenue with QoQ and YoY growth, flagged when synthetic; None when there is none."""
    totals = revenue_by_quarter(ds, scope, quarter, quarters=1).iloc[0]
    if totals[REVENUE] == 0:
        return None
    synthetic = " (synthetic figures)" if totals[Sales.synthetic] else ""
    return (
        f"{ds.profile.money.amount(money(totals[REVENUE]))}, {signed_percent(totals['qoq'])} QoQ, "
        f"{signed_percent(totals['yoy'])} YoY{synthetic}"
    )


def _revenue_sentence(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """Revenue with its growth and the year to date, then the products and places that moved it
    most against the previous quarter and against a year earlier, each line saying which;
    empty when there was none."""
    figure = _revenue_figure(ds, scope, quarter)
    if figure is None:
        return ""
    ytd = year_to_date(ds, scope, quarter)
    growth = "" if pd.isna(ytd.growth) else f", {signed_percent(ytd.growth)} on {ytd.base_period}"
    sentence = (
        f"{scope.revenue_label}: {figure}; {ytd.name.lower()} ({ytd.period})"
        f" {ds.profile.money.amount(money(ytd.revenue))}{growth}."
    )
    for base, compared, growth in _bases(quarter):
        moves = [
            _listing(_moves(ds, scope, quarter, by, n, base), n)
            for by, n in ((Sales.product, 3), (_place_dimension(scope), 2))
            if by is not None
        ]
        moves = [move for move in moves if move]
        if moves:
            sentence += f" Moved most against {compared.label} ({growth}): {'; '.join(moves)}."
    return sentence


def _bases(quarter: Quarter) -> tuple[tuple[str, Quarter, str], ...]:
    """Each base a move is told against: its name, its quarter and its growth label."""
    return (("previous", quarter.previous, "QoQ"), ("year_ago", quarter.year_ago, "YoY"))


def _total_revenue_sentence(ds: Dataset, quarter: Quarter) -> str:
    """Total revenue with its growth, and the parts that moved it (`total_revenue_drivers`):
    product sales, or one revenue type from one counterparty."""
    total = total_revenue(ds, quarter)
    sentence = (
        f"Total revenue: {ds.profile.money.amount(money(total[REVENUE]))},"
        f" {signed_percent(total['qoq'])} QoQ,"
        f" {signed_percent(total['yoy'])} YoY."
    )
    for base, compared, growth in _bases(quarter):
        drivers = total_revenue_drivers(ds, quarter, base)
        rate = drivers[DRIVER_BASES[base][1]]
        items = [
            f"{kind}{f' from {party}' if party else ''} {money_change(change, ds.profile.money)}"
            + _aside("new" if pd.isna(share) else signed_percent(share))
            for kind, party, change, share in zip(
                drivers[REVENUE_TYPE],
                drivers["counterparty"],
                drivers["change_m"],
                rate,
                strict=True,
            )
        ]
        if items:
            sentence += f" Against {compared.label} ({growth}): {_listing(items)}."
    return sentence


def _other_income_sentence(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """A slice's licence, service and other income of the quarter (`other_income`), apart from
    product sales, each with who paid it; empty on the whole portfolio (total revenue tells it)
    or without any."""
    rows = other_income(ds, scope, quarter)
    rows = rows[rows[Sales.quarter] == str(quarter)]
    if scope == Scope() or rows.empty:
        return ""
    names = display_names(ds, scope, quarter)
    rows = rows.assign(market=market_names(ds, rows["market"]))
    items = [
        f"{row.revenue_type}"
        + (f" from {row.counterparty}" if pd.notna(row.counterparty) else "")
        + (f" for {_product_name(row.product, names)}" if pd.notna(row.product) else "")
        + (f" in {row.market}" if pd.notna(row.market) else "")
        + f" {ds.profile.money.amount(money(row.revenue_m))}"
        + _aside("synthetic" if row.synthetic else None)
        for row in rows.itertuples()
    ]
    return f"Income other than product sales in {quarter.label}: {_listing(items)}."


def _place_dimension(scope: Scope) -> str | None:
    """The places a scope's sales split into: regions, a region's markets, none for a market."""
    if scope.market is not None:
        return None
    return Sales.market if scope.region is not None else "region"


def _moves(ds: Dataset, scope: Scope, quarter: Quarter, by: str, n: int, base: str) -> list[str]:
    """The material moves by `by` against the `base` quarter (`revenue_drivers`), products by
    their name on the page (`display_names`), e.g. "HANSIZHUANG +USD 34.2 m (+8.6%)"."""
    drivers = revenue_drivers(ds, scope, quarter, by=by, n=n, base=base)
    if by == Sales.product:
        drivers[by] = drivers[by].map(display_names(ds, scope, quarter))
    elif by == Sales.market:
        drivers[by] = market_names(ds, drivers[by])
    growth = drivers[DRIVER_BASES[base][1]]
    causes = drivers.get(EXCLUSIVITY_LOST, pd.Series(pd.NaT, index=drivers.index))
    return [
        f"{name} {money_change(change, ds.profile.money)}"
        + _aside("new" if pd.isna(rate) else signed_percent(rate), exclusivity_cause(lost) or None)
        for name, change, rate, lost in zip(
            drivers[by], drivers["change_m"], growth, causes, strict=True
        )
    ]


def money_change(change: float, cash: Money) -> str:
    """A change in revenue with its sign before the currency, e.g. "+USD 34.2 m", "-USD 0.6 m"."""
    return f"{'+' if change > 0 else '-'}{cash.amount(money(abs(change)))}"


def _events_sentence(
    ds: Dataset,
    scope: Scope,
    quarter: Quarter,
    event_types: Sequence[str],
    noun: tuple[str, str],
) -> str:
    """The quarter's events of some types, each as product (by its name on the page, or
    "market-wide" for a loss of exclusivity naming none), indication, market and agency; empty
    without events."""
    events = events_in_quarter(ds, scope, quarter, event_types)
    if events.empty:
        return ""
    several_types = len(event_types) > 1
    names = display_names(ds, scope, quarter)
    events = events.assign(market=market_names(ds, events["market"]))
    items = [
        (MARKET_WIDE if pd.isna(event.product) else _product_name(event.product, names))
        + (f" {event.event_type}" if several_types or pd.isna(event.product) else "")
        + ("" if pd.isna(event.indication_name) else f" for {event.indication_name}")
        + f" in {event.market}"
        + _aside(event.agency if pd.notna(event.agency) else event.detail, _provenance(event))
        for event in events.itertuples()
    ]
    return f"{counted(len(events), *noun)} in {quarter.label}: {_listing(items)}."


def _product_name(product: str, names: pd.Series) -> str:
    """A product by its name on the page (`display_names`), its code where it has none."""
    return str(names.get(product, product))


def _provenance(event: object) -> str | None:
    """ "inferred" or "date est." for an event not reported as such; None for a reported one."""
    if getattr(event, "inferred", False):
        return INFERRED_MARK
    return f"date {ESTIMATE_MARK}" if getattr(event, "estimated", False) else None


def _aside(*texts: object) -> str:
    """ " (text; text)" of the texts present, or nothing when none is."""
    present = [str(text) for text in texts if text is not None and not pd.isna(text)]
    return f" ({'; '.join(present)})" if present else ""


def _readouts_sentence(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """The trials that reported results in the quarter."""
    readouts = readouts_in_quarter(ds, scope, quarter)
    if readouts.empty:
        return ""
    summaries = result_summaries(readouts)
    lines = summaries.assign(line=result_lines(summaries, name_populations=True)).groupby(
        ClinicalResults.trial, sort=False
    )["line"]
    names = readouts.drop_duplicates(ClinicalResults.trial).set_index(ClinicalResults.trial)
    items = [
        f"{trial} ({names.at[trial, 'indication_name']}:"
        f" {_listing(list(trial_lines), RESULTS_PER_TRIAL, '; ')})"
        for trial, trial_lines in lines
    ]
    count = counted(len(items), "clinical readout", "clinical readouts")
    return f"{count} in {quarter.label}: {_listing(items)}."


def result_lines(summaries: pd.DataFrame, *, name_populations: bool = False) -> pd.Series:
    """Each result of `result_summaries` in one line, e.g. "Median OS 15.4 vs 10.9 months, HR 0.63,
    n=585"; a result without numbers gives its note ("EFS: primary endpoint met").

    With `name_populations`, a trial that reports more than one population names each one after
    the endpoint, e.g. "Confirmed ORR (Squamous NSCLC) 33.3%".
    """
    several = summaries.groupby(ClinicalResults.trial)[ClinicalResults.population].transform(
        "nunique"
    )

    def one(row: pd.Series) -> str:
        values = row[VALUES]
        text = str(row[ClinicalResults.endpoint])
        if name_populations and several[row.name] > 1:
            text += f" ({row[ClinicalResults.population]})"
        if any(pd.notna(value) for value in values):
            unit = "" if pd.isna(row[ClinicalResults.unit]) else str(row[ClinicalResults.unit])
            shown = " vs ".join(MISSING if pd.isna(value) else f"{value:g}" for value in values)
            text += f" {shown}" + ("%" if unit == "%" else f" {unit}".rstrip()) + ","
        if pd.notna(row[ClinicalResults.hazard_ratio]):
            text += f" HR {row[ClinicalResults.hazard_ratio]:.2f}"
        text = text.rstrip(",")
        if pd.notna(row[ClinicalResults.note]):
            text += f": {row[ClinicalResults.note]}"
        if pd.notna(row[ClinicalResults.sample_size]):
            text += f", n={row[ClinicalResults.sample_size]:,}"
        return text

    return summaries.apply(one, axis=1) if not summaries.empty else pd.Series(dtype=object)


def _phase_moves_sentence(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """How many programmes changed phase in the quarter, by kind of change."""
    moves = phase_moves(ds, scope, quarter)
    if moves.empty:
        return ""
    names = display_names(ds, scope, quarter)
    moves = moves.assign(scope=market_names(ds, moves["scope"]))
    items = [
        f"{_product_name(move.product, names)} in {_lower_first(move.indication_name)}"
        f" ({move.scope}) "
        + {
            "entered": f"entered at {move.to_phase}",
            "discontinued": "discontinued",
        }.get(move.change, f"{move.change} from {move.from_phase} to {move.to_phase}")
        for move in moves.itertuples()
    ]
    count = counted(len(moves), "phase change", "phase changes")
    return f"{count} in {quarter.label}: {_listing(items)}."


def _catalysts_sentence(ds: Dataset, scope: Scope, quarter: Quarter) -> str:
    """The events expected in the coming quarters; empty when none are recorded."""
    expected = upcoming_catalysts(ds, scope, quarter)
    if expected.empty:
        return ""
    names = display_names(ds, scope, quarter)
    expected = expected.assign(market=market_names(ds, expected["market"]))
    items = [
        f"{_product_name(row.product, names)} {row.event_type} in {row.market}"
        f" ({timing(row.expected)})"
        for row in expected.itertuples()
    ]
    horizon = quarter.shift(CATALYST_HORIZON).label
    count = counted(len(expected), "event", "events")
    return f"{count} expected by {horizon}: {_listing(items)}."


def timing(expected: str) -> str:
    """An expected timing as a reader writes it: "Q1 2027" for a quarter, a date as is."""
    quarter = Quarter.of_expected(expected)
    return quarter.label if str(quarter) == expected.strip().upper() else expected


def _lower_first(text: str) -> str:
    """Lower-case the first letter of a name used mid-sentence, unless it starts an acronym."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _listing(
    items: list[str], at_most: int = LISTED_AT_MOST, separator: str = ", ", last: str = ""
) -> str:
    """Items joined by the separator, the ones past `at_most` summed up as "and N more"; with
    `last`, the final two shown are joined by it instead (", " then " or ")."""
    shown = items[:at_most]
    hidden = len(items) - at_most
    if last and len(shown) > 1 and hidden <= 0:
        return separator.join(shown[:-1]) + last + shown[-1]
    text = separator.join(shown)
    return f"{text} and {hidden} more" if hidden > 0 else text
