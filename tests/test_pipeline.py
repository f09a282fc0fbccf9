"""The programme lifecycle on tiny frames, each figure worked out by hand."""

from dataclasses import replace

import pandas as pd

from portfolio_reports.analysis import metrics, pipeline
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.presentation import narrative
from tests.test_metrics import rows

Q3 = Quarter(2025, 3)

# HLX02-GC: Global Phase 3, approved by the NMPA (CN, 2025-08-01) and the FDA (US, 2025-09-10).
# The FDA approval also makes (HLX02-GC, US) an approved programme without a phase history.
# HLX02-BC: Global Phase 3 with no approval outside China. HLX03-AS: US Phase 1, HLX03 approved
# in CN. HLX01-RA: CN Phase 3, then discontinued. HLX01-NHL: an approval event in the US only.
PIPELINE = [
    ("HLX02-GC", "Global", "Phase 3", "2024-01-15"),
    ("HLX02-GC", "CN", "Filed", "2024-06-01"),
    ("HLX02-GC", "CN", "Approved", "2025-08-01"),
    ("HLX02-BC", "Global", "Phase 3", "2024-02-01"),
    ("HLX03-AS", "US", "Phase 1", "2025-05-01"),
    ("HLX01-RA", "CN", "Phase 3", "2023-01-10"),
    ("HLX01-RA", "CN", "Discontinued", "2025-08-15"),
]
EVENTS = [
    ("HLX02", "HLX02-GC", "US", "approval", "2025-09-10"),
    ("HLX02", "HLX02-BC", "CN", "approval", "2025-07-20"),
    ("HLX03", None, "CN", "approval", "2020-12-01"),
    ("HLX01", "HLX01-NHL", "US", "approval", "2025-02-01"),
]


def lifecycle_data(tiny_dataset, pipeline_rows=PIPELINE, event_rows=EVENTS):
    """The tiny data set with the phase history and approvals above, nothing else."""
    phases = pd.DataFrame(pipeline_rows, columns=["indication", "scope", "phase", "since"])
    events = pd.DataFrame(
        event_rows, columns=["product", "indication", "market", "event_type", "date"]
    )
    return replace(
        tiny_dataset,
        pipeline=phases.assign(since=pd.to_datetime(phases["since"]), estimated=False),
        regulatory_events=events.assign(
            date=pd.to_datetime(events["date"]),
            agency=None,
            detail=None,
            estimated=False,
            source=None,
        ),
    )


def test_status_at_quarter_end(tiny_dataset):
    ds = lifecycle_data(tiny_dataset)
    found = pipeline.programmes(ds, Scope(), Q3).sort_values(pipeline.PROGRAMME)
    assert rows(found, "indication", "scope", "phase", "status", "coverage", "life_cycle") == [
        ("HLX01-NHL", "US", "Approved", "approved", "local", False),
        ("HLX01-RA", "CN", "Discontinued", "discontinued", "local", False),
        ("HLX02-BC", "CN", "Approved", "approved", "local", False),
        ("HLX02-BC", "Global", "Phase 3", "in development", "global", True),
        ("HLX02-GC", "CN", "Approved", "approved", "local", False),
        ("HLX02-GC", "Global", "Phase 3", "approved", "global", False),
        ("HLX02-GC", "US", "Approved", "approved", "local", False),
        ("HLX03-AS", "US", "Phase 1", "in development", "local", True),
    ]


def test_a_global_programme_closes_at_the_first_approval_outside_china(tiny_dataset):
    ds = lifecycle_data(tiny_dataset)
    found = pipeline.programmes(ds, Scope(), Q3).set_index(pipeline.PROGRAMME)
    assert found.loc[("HLX02-GC", "Global"), "approved_on"] == pd.Timestamp("2025-09-10")
    assert found.loc[("HLX02-GC", "Global"), "approval_basis"] == "approval in US"
    before_the_fda = pipeline.programmes(ds, Scope(), Quarter(2025, 2)).set_index(
        pipeline.PROGRAMME
    )
    assert before_the_fda.loc[("HLX02-GC", "Global"), "status"] == "in development"


def test_an_approval_closes_a_programme_in_development_counts(tiny_dataset):
    ds = lifecycle_data(tiny_dataset)
    snapshot = metrics.pipeline_snapshot(ds, Scope(), Q3)
    assert rows(snapshot, "indication", "scope", "phase", "life_cycle") == [
        ("HLX02-BC", "Global", "Phase 3", True),
        ("HLX03-AS", "US", "Phase 1", True),
    ]
    counts = metrics.pipeline_counts_by_phase(ds, Scope(), Q3, by="coverage")
    assert counts.loc["Phase 3"].to_dict() == {"local": 0, "global": 1}
    assert counts.loc["Phase 1"].to_dict() == {"local": 1, "global": 0}
    assert int(counts.to_numpy().sum()) == len(snapshot)


def test_life_cycle_needs_an_approval_of_the_product_by_quarter_end(tiny_dataset):
    without_hlx03_approval = [event for event in EVENTS if event[0] != "HLX03"]
    ds = lifecycle_data(tiny_dataset, event_rows=without_hlx03_approval)
    found = pipeline.programmes(ds, Scope(), Q3).set_index(pipeline.PROGRAMME)
    assert not found.loc[("HLX03-AS", "US"), "life_cycle"]
    # HLX02 is approved in CN by 2025-07-20, so its open Global programme is life-cycle by Q3.
    assert found.loc[("HLX02-BC", "Global"), "life_cycle"]
    assert (
        not pipeline.programmes(ds, Scope(), Quarter(2025, 2))
        .set_index(pipeline.PROGRAMME)
        .loc[("HLX02-BC", "Global"), "life_cycle"]
    )


def test_counts_by_status_split_local_and_global(tiny_dataset):
    ds = lifecycle_data(tiny_dataset)
    counts = metrics.programme_counts(ds, Scope(market="US"), Q3)
    # In US scope: HLX01-NHL and HLX02-GC approved in the US, HLX03-AS in development there
    # (life-cycle), and the two Global programmes, one open (life-cycle), one approved.
    assert counts.to_dict(orient="index") == {
        "in development": {"local": 1, "global": 1},
        "approved": {"local": 2, "global": 1},
        "withdrawn": {"local": 0, "global": 0},
        "discontinued": {"local": 0, "global": 0},
        "life_cycle": {"local": 1, "global": 1},
    }


def test_market_sentences_name_the_unit_and_the_split(tiny_dataset):
    ds = lifecycle_data(tiny_dataset)
    us = Scope(market="US")
    assert narrative.programmes_sentence(ds, us, Q3) == (
        "In development at the end of Q3 2025: 1 programme run in United States;"
        " 1 global programme covers United States; 2 of them life-cycle."
        " Approved: 2 programmes in United States."
    )
    assert narrative.programmes_sentence(ds, Scope(), Q3) == (
        "In development at the end of Q3 2025: 2 programmes, 1 run in one market and 1 global;"
        " 2 of them life-cycle. Approved: 5 programmes; discontinued: 1."
    )


def test_a_programme_in_development_after_its_approval_is_a_warning(tiny_dataset):
    ds = lifecycle_data(tiny_dataset)
    assert pipeline.lifecycle_warnings(ds) == [
        "pipeline.csv, programme (HLX02-GC, Global): latest phase Phase 3 (since 2024-01-15)"
        " but approved on 2025-09-10 (approval in US); reports count it as approved;"
        " add its Approved row"
    ]
    closed = lifecycle_data(
        tiny_dataset, [*PIPELINE, ("HLX02-GC", "Global", "Approved", "2025-09-10")]
    )
    assert pipeline.lifecycle_warnings(closed) == []


def test_a_market_programme_left_behind_its_global_programme_is_a_warning(tiny_dataset):
    # Latest date 2025-09-10. HLX02-BC: Global at Phase 3; a JP programme at Phase 2 since
    # 2023-03-01 (two phases behind, unchanged for two years) and a KR one at Phase 2 since
    # 2024-03-01 (only 18 months); HLX03-AS in the US has no Global programme.
    rows = [
        *PIPELINE,
        ("HLX02-BC", "JP", "Phase 2", "2023-03-01"),
        ("HLX02-BC", "KR", "Phase 2", "2024-03-01"),
        ("HLX02-BC", "TW", "Phase 2/3", "2022-01-01"),
    ]
    assert pipeline.lagging_warnings(lifecycle_data(tiny_dataset, rows)) == [
        "pipeline.csv, programme (HLX02-BC, JP) at Phase 2 since 2023-03-01 is 2 phases or more"
        " behind (HLX02-BC, Global) at Phase 3 since 2024-02-01, unchanged for 2 years: record"
        " its current phase, or Discontinued"
    ]
    assert pipeline.lagging_warnings(lifecycle_data(tiny_dataset)) == []
