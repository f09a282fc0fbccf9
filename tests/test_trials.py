"""Clinical results summed up per trial, endpoint and population, on tiny hand-made rows."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.analysis.trials import result_summaries
from portfolio_reports.presentation.narrative import result_lines

COLUMNS = [
    "trial",
    "endpoint",
    "population",
    "sample_size",
    "arm",
    "value",
    "unit",
    "hazard_ratio",
    "note",
]
# The control arm comes first in the data; the experimental arm carries the hazard ratio.
ROWS = [
    ("T1", "Median OS", "ITT", 585, "placebo", 10.9, "months", None, None),
    ("T1", "Median OS", "ITT", 585, "drug", 15.4, "months", 0.63, None),
    ("T1", "PFS", "ITT", 585, "drug", None, None, 0.48, None),
    ("T1", "4-year OS rate", "Asian patients", None, "drug", 22.4, "%", None, None),
    ("T2", "EFS", "ITT", 588, "drug", None, None, None, "primary endpoint met"),
    ("T3", "ORR", "Squamous", None, "drug", 33.3, "%", None, None),
    ("T3", "ORR", "Non-squamous", None, "drug", 36.8, "%", None, None),
]


def results() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=COLUMNS).astype({"sample_size": "Int64"})
    return frame.assign(
        product="P",
        indication="P-1",
        phase="Phase 3",
        market="Global",
        date=pd.Timestamp("2025-05-30"),
        date_precision="month",
        source="https://example.org",
    )


def test_one_row_per_trial_endpoint_and_population_experimental_arm_first():
    summary = result_summaries(results())
    assert summary[["trial", "endpoint", "population"]].values.tolist() == [
        ["T1", "Median OS", "ITT"],
        ["T1", "PFS", "ITT"],
        ["T1", "4-year OS rate", "Asian patients"],
        ["T2", "EFS", "ITT"],
        ["T3", "ORR", "Squamous"],
        ["T3", "ORR", "Non-squamous"],
    ]
    first = summary.iloc[0]
    assert first["arms"] == "drug vs placebo"
    assert first["values"] == [15.4, 10.9]
    assert first["hazard_ratio"] == 0.63
    assert first["sample_size"] == 585


def test_each_result_reads_as_one_line():
    assert result_lines(result_summaries(results())).tolist() == [
        "Median OS 15.4 vs 10.9 months, HR 0.63, n=585",
        "PFS HR 0.48, n=585",
        "4-year OS rate 22.4%",
        "EFS: primary endpoint met, n=588",
        "ORR 33.3%",
        "ORR 36.8%",
    ]


def test_a_trial_with_several_populations_names_them_when_asked():
    lines = result_lines(result_summaries(results()), name_populations=True).tolist()
    assert lines[2] == "4-year OS rate (Asian patients) 22.4%"
    assert lines[3] == "EFS: primary endpoint met, n=588"
    assert lines[4:] == ["ORR (Squamous) 33.3%", "ORR (Non-squamous) 36.8%"]
