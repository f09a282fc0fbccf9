"""Setbacks on the tiny data set: a complete response letter and its resubmission, a negative
opinion, a withdrawal and a loss of exclusivity, through analysis, highlights and page sections."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from portfolio_reports.analysis import commercial, metrics, setbacks
from portfolio_reports.analysis import pipeline as lifecycle
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.dataset import Dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import Markets, RegulatoryEvents
from portfolio_reports.notebook.report import ReportView
from portfolio_reports.presentation.narrative import MAX_HIGHLIGHTS, highlights

from .conftest import _read

Q2, Q3, Q4 = Quarter(2025, 2), Quarter(2025, 3), Quarter(2025, 4)

# In 2025Q3: the FDA answers the HLX02 gastric cancer filing with a complete response letter, the
# EMA's committee gives a negative opinion on the HLX01 filing, HLX03 is withdrawn from Canada and
# a biosimilar of HLX02 enters the US, where HLX02 sales fall from 20 to 15. In 2025Q4 the HLX02
# filing is resubmitted.
SETBACK_EVENTS = """
product, indication, market, agency, event_type, date, date_precision, detail, estimated, inferred, status, status_as_of, source
HLX02, HLX02-GC, US, FDA, filing accepted, 2025-01-10, day,, false, false,,,
HLX02, HLX02-GC, US, FDA, complete response letter, 2025-07-20, day, CMC questions, false, false,,,
HLX02, HLX02-GC, US, FDA, resubmission, 2025-11-05, day,, false, false,,,
HLX01, HLX01-NHL, EU, EMA, filing accepted, 2024-09-01, day,, false, false,,,
HLX01, HLX01-NHL, EU, EMA, negative opinion, 2025-08-10, day, CHMP, false, false,,,
HLX03, , CA, Health Canada, withdrawal, 2025-09-15, day, commercial reasons, false, false,,,
HLX02, , US, , loss of exclusivity, 2025-07-15, day, biosimilar entry, false, false,,,
"""  # noqa: E501 (one event per line reads best)


@pytest.fixture
def setback_dataset(tiny_dataset: Dataset) -> Dataset:
    """The tiny data set with the EU as a market and the setbacks above."""
    eu = pd.DataFrame(
        [{"market": "EU", "name": "European Union", "region": "Europe", "regulator": "EMA"}]
    )
    events = pd.concat([tiny_dataset.regulatory_events, _read(SETBACK_EVENTS)], ignore_index=True)
    return replace(
        tiny_dataset,
        markets=Markets.validate(pd.concat([tiny_dataset.markets, eu], ignore_index=True)),
        regulatory_events=RegulatoryEvents.validate(events),
    )


def _under_review(ds: Dataset, quarter: Quarter) -> set[tuple[str, str]]:
    frame = metrics.filings_under_review(ds, Scope(), quarter)
    return set(zip(frame["product"], frame["market"], strict=True))


def test_a_setback_ends_a_review_and_a_resubmission_reopens_it(setback_dataset):
    # 2025Q2: the two filings and the CA filing approved in August are pending.
    assert _under_review(setback_dataset, Q2) == {("HLX02", "US"), ("HLX01", "EU"), ("HLX02", "CA")}
    # 2025Q3: the letter and the opinion end both reviews; the CA filing was approved.
    assert _under_review(setback_dataset, Q3) == set()
    # 2025Q4: the resubmission puts the US filing back under review.
    assert _under_review(setback_dataset, Q4) == {("HLX02", "US")}


def test_review_ended_matches_the_label_and_the_latest_event():
    events = _read(
        """
product, indication, market, event_type, date
A, A-1, US, filing accepted, 2025-01-01
A, A-2, US, filing accepted, 2025-01-01
A, A-1, US, refusal, 2025-03-01
A, A-2, US, negative opinion, 2025-02-01
A, A-2, US, resubmission, 2025-04-01
A, , JP, filing accepted, 2025-01-01
A, A-1, JP, complete response letter, 2025-05-01
"""
    ).assign(date=lambda rows: pd.to_datetime(rows["date"]))
    filings = events[events["event_type"] == "filing accepted"]
    # A-1 refused; A-2 resubmitted after its opinion; the JP filing (no label) answered.
    assert setbacks.review_ended(filings, events).tolist() == [True, False, True]


def test_a_setback_closes_an_expected_decision(setback_dataset):
    # The HLX02 approval expected in the US in 2025Q4 names no label: the letter answers it.
    def expected(quarter: Quarter) -> set[tuple[str, str, str]]:
        frame = metrics.upcoming_catalysts(setback_dataset, Scope(), quarter)
        return set(zip(frame["product"], frame["event_type"], frame["market"], strict=True))

    assert ("HLX02", "approval", "US") in expected(Q2)
    assert ("HLX02", "approval", "US") not in expected(Q3)
    assert ("HLX02", "approval", "CN") in expected(Q3)


def test_a_withdrawn_product_leaves_the_market_from_its_quarter(setback_dataset):
    canada = Scope(market="CA")

    def counts(quarter: Quarter) -> dict[str, int]:
        frame = metrics.portfolio_counts(setback_dataset, canada, quarter)
        return dict(zip(frame["count"], frame["value"], strict=True))

    assert counts(Q2)["Products launched"] == 1  # HLX03, approved in May
    # Q3: HLX02 approved in August, HLX03 withdrawn in September.
    assert counts(Q3)["Products launched"] == 1
    matrix = metrics.approval_matrix(setback_dataset, Scope(), Q3)
    assert pd.isna(matrix.loc["HLX03", "CA"])
    assert pd.notna(matrix.loc["HLX02", "CA"])
    unwithdrawn = metrics.approval_matrix(
        replace(
            setback_dataset,
            regulatory_events=setback_dataset.regulatory_events.query("event_type != 'withdrawal'"),
        ),
        Scope(),
        Q3,
    )
    assert pd.notna(unwithdrawn.loc["HLX03", "CA"])
    programmes = lifecycle.programmes(setback_dataset, canada, Q3).set_index(
        ["indication", "scope"]
    )
    assert programmes.loc[("HLX03-RA", "CA"), "status"] == lifecycle.WITHDRAWN
    assert programmes.loc[("HLX02-BC", "CA"), "status"] == lifecycle.APPROVED
    before = lifecycle.programmes(setback_dataset, canada, Q2).set_index(["indication", "scope"])
    assert before.loc[("HLX03-RA", "CA"), "status"] == lifecycle.APPROVED


def test_withdrawal_of_one_label_keeps_the_product_approval():
    approvals = _read(
        """
product, indication, market, event_type, date
A, , US, approval, 2020-01-01
A, A-1, US, approval, 2021-01-01
A, A-2, US, approval, 2021-01-01
A, A-1, US, approval, 2024-01-01
"""
    ).assign(date=lambda rows: pd.to_datetime(rows["date"]))
    withdrawals = _read(
        """
product, indication, market, event_type, date
A, A-1, US, withdrawal, 2023-01-01
"""
    ).assign(date=lambda rows: pd.to_datetime(rows["date"]))
    # Only the A-1 approval before the withdrawal ends; its re-approval in 2024 stands.
    assert setbacks.withdrawn(approvals, withdrawals).tolist() == [False, True, False, False]


def test_a_loss_of_exclusivity_explains_the_fall_it_follows(setback_dataset):
    movers = commercial.revenue_movers(setback_dataset, Scope(), Q3)
    us = movers[(movers["product"] == "HLX02") & (movers["market"] == "US")].iloc[0]
    assert us["change_m"] == -5.0  # 15 against 20
    assert us[commercial.EXCLUSIVITY_LOST] == pd.Timestamp("2025-07-15")
    rises = movers[movers["direction"] == "increase"]
    assert rises[commercial.EXCLUSIVITY_LOST].isna().all()
    html = ReportView(setback_dataset, Scope(), Q3).revenue_movers().html
    assert "<th" in html and ">Cause</th>" in html
    assert "loss of exclusivity in Q3 2025" in html


def test_setbacks_lead_the_highlights_of_their_quarter(setback_dataset):
    lines = highlights(setback_dataset, Scope(), Q3)
    assert lines[0] == (
        "4 setbacks in Q3 2025: HANQUYOU loss of exclusivity in United States (biosimilar entry),"
        " HANQUYOU complete response letter for HER2+ gastric cancer in United States (FDA),"
        " HANLIKANG negative opinion for Non-Hodgkin lymphoma in European Union (EMA) and 1 more."
    )
    assert len(lines) <= MAX_HIGHLIGHTS
    resubmitted = highlights(setback_dataset, Scope(), Q4)
    assert any(
        "1 resubmission in Q4 2025: HANQUYOU for HER2+ gastric cancer in United States (FDA)."
        in line
        for line in resubmitted
    )
    assert not any("setback" in line for line in resubmitted)


def test_what_changed_and_the_record_count_setbacks_first(setback_dataset, tiny_dataset):
    view = ReportView(setback_dataset, Scope(), Q3)
    changes = view.changes().frame
    assert list(changes.columns[:2]) == ["Quarter", "Setbacks"]
    assert changes["Setbacks"].tolist() == [4, 0]
    quiet = ReportView(tiny_dataset, Scope(), Q3).changes().frame
    assert "Setbacks" not in quiet.columns
    record = metrics.events_to_date(setback_dataset, Scope(), Q3, "setbacks")
    assert sorted(record["event_type"]) == [
        "complete response letter",
        "loss of exclusivity",
        "negative opinion",
        "withdrawal",
    ]
    appendix = view.appendix().html
    assert appendix.index("Setbacks to date") < appendix.index("Approvals to date")
    assert "No setbacks to date." in ReportView(tiny_dataset, Scope(), Q3).appendix().html


def test_a_loss_of_exclusivity_is_marked_on_the_sales_chart_of_its_pages(setback_dataset):
    losses = commercial.exclusivity_losses(setback_dataset, Scope(), Q3)
    # The HLX02 biosimilar entry in the US on 2025-07-15: quarter 2025Q3.
    assert losses[["quarter", "product", "market"]].values.tolist() == [["2025Q3", "HLX02", "US"]]
    assert commercial.exclusivity_losses(setback_dataset, Scope(market="CN"), Q3).empty
    # Eight quarters to 2025Q2 end before it.
    assert commercial.exclusivity_losses(setback_dataset, Scope(), Q2).empty
    us = ReportView(setback_dataset, Scope(market="US"), Q3).revenue_trend()
    assert "dashed lines: LOE HERCESSI US (2025Q3)" in us.alt
    assert us.note.endswith(commercial.EXCLUSIVITY_MARKER)
    china = ReportView(setback_dataset, Scope(market="CN"), Q3).revenue_trend()
    assert "dashed" not in china.alt and commercial.EXCLUSIVITY_MARKER not in china.note


# In 2025Q3 a biosimilar class enters the US without the company naming a product: one loss of
# exclusivity of the US market as a whole. HLX02's US sales fall from 20 to 15 that quarter.
MARKET_WIDE_LOSS = """
product, indication, market, agency, event_type, date, date_precision, detail, estimated, inferred, status, status_as_of, source
, , US, , loss of exclusivity, 2025-08-01, day, biosimilar entry, false, false,,,
"""  # noqa: E501 (one event per line reads best)


@pytest.fixture
def market_wide_dataset(tiny_dataset: Dataset) -> Dataset:
    """The tiny data set with a loss of exclusivity of the US naming no product."""
    events = pd.concat([tiny_dataset.regulatory_events, _read(MARKET_WIDE_LOSS)], ignore_index=True)
    return replace(tiny_dataset, regulatory_events=RegulatoryEvents.validate(events))


def test_a_loss_naming_no_product_belongs_to_market_pages_only(market_wide_dataset):
    def losses(scope: Scope) -> int:
        events = scope.events(market_wide_dataset)
        return int((events["event_type"] == setbacks.LOSS_OF_EXCLUSIVITY).sum())

    # The overview, the US and its region (North America) list it; China does not (another
    # market); Oncology and HLX02 cannot claim it (it names no product, so no area).
    assert losses(Scope()) == losses(Scope(market="US")) == 1
    assert losses(Scope(region="North America")) == 1
    assert losses(Scope(market="CN")) == 0
    assert losses(Scope(therapy_area="Oncology")) == losses(Scope(product="HLX02")) == 0
    assert losses(Scope(therapy_area="Oncology", market="US")) == 0


def test_a_loss_naming_no_product_marks_every_product_of_its_market():
    rows = pd.DataFrame({"product": ["A", "B", "A"], "market": ["US", "US", "JP"]})
    events = _read(
        """
product, market, event_type, date
, US, loss of exclusivity, 2025-08-01
A, US, loss of exclusivity, 2025-07-01
B, US, loss of exclusivity, 2025-09-01
, JP, loss of exclusivity, 2024-01-01
"""
    ).assign(date=lambda rows: pd.to_datetime(rows["date"]))
    since, until = pd.Timestamp("2025-04-01"), pd.Timestamp("2025-10-01")
    lost = setbacks.exclusivity_lost(rows, events, since, until)
    # A in the US: its own loss of 1 July and the market's of 1 August; the latest counts. B: its
    # own of 1 September is later than the market's. JP's loss of 2024 is before `since`.
    assert lost.tolist()[:2] == [pd.Timestamp("2025-08-01"), pd.Timestamp("2025-09-01")]
    assert pd.isna(lost.iloc[2])
    # Across markets (the product alone as key), a loss naming no product names none.
    by_product = setbacks.exclusivity_lost(rows, events, since, until, ["product"])
    july, september = pd.Timestamp("2025-07-01"), pd.Timestamp("2025-09-01")
    assert by_product.tolist() == [july, september, july]


def test_a_loss_naming_no_product_reads_as_market_wide_on_its_pages(market_wide_dataset):
    us = ReportView(market_wide_dataset, Scope(market="US"), Q3)
    assert highlights(market_wide_dataset, Scope(market="US"), Q3)[0] == (
        "1 setback in Q3 2025: market-wide loss of exclusivity in United States (biosimilar entry)."
    )
    assert us.changes().frame["Setbacks"].tolist() == [1, 0]
    assert "market-wide" in us.quarter_events().html
    appendix = us.appendix().html
    setbacks_part = appendix[
        appendix.index("Setbacks to date") : appendix.index("Approvals to date")
    ]
    assert "market-wide" in setbacks_part and "loss of exclusivity" in setbacks_part
    # The sales chart marks it with the market alone.
    assert "dashed lines: LOE US (2025Q3)" in us.revenue_trend().alt
    # HLX02's US fall of 5.0 (20 to 15) names it as its cause, on the US page and on Oncology's,
    # where the record does not list it.
    for scope in (Scope(market="US"), Scope(therapy_area="Oncology")):
        movers = commercial.revenue_movers(market_wide_dataset, scope, Q3)
        fall = movers[(movers["product"] == "HLX02") & (movers["market"] == "US")].iloc[0]
        assert fall["change_m"] == -5.0
        assert fall[commercial.EXCLUSIVITY_LOST] == pd.Timestamp("2025-08-01")
    oncology = ReportView(market_wide_dataset, Scope(therapy_area="Oncology"), Q3)
    assert "loss of exclusivity in Q3 2025" in oncology.revenue_movers().html
    assert not any(
        "setback" in line for line in highlights(market_wide_dataset, oncology.scope, Q3)
    )
    assert "market-wide" not in oncology.appendix().html
