"""Clinical results summed up per trial, endpoint and population: arms side by side, HR, n."""

from __future__ import annotations

import pandas as pd

from portfolio_reports.data.schema import ClinicalResults

RESULT_KEY = [
    ClinicalResults.trial,
    ClinicalResults.endpoint,
    ClinicalResults.population,
    ClinicalResults.date,
]
"""One result: a trial's endpoint in one population, as reported on one date."""
ARMS = "arms"
VALUES = "values"
_FIRST = [
    ClinicalResults.product,
    ClinicalResults.indication,
    ClinicalResults.phase,
    ClinicalResults.market,
    ClinicalResults.date_precision,
    ClinicalResults.unit,
    ClinicalResults.hazard_ratio,
    ClinicalResults.note,
    ClinicalResults.source,
]


def result_summaries(results: pd.DataFrame) -> pd.DataFrame:
    """One row per result (RESULT_KEY), first-seen order kept.

    The arm with the hazard ratio (the experimental arm) comes first, then the others in data
    order; `arms` joins their names with " vs ", `values` lists their values (NaN where an arm
    has none) in the same order.
    `sample_size` is the largest given for the population (patients in all arms), the other
    columns the first value given.
    """
    ordered = results.assign(_control=results[ClinicalResults.hazard_ratio].isna()).sort_values(
        "_control", kind="stable"
    )
    grouped = ordered.groupby(RESULT_KEY, sort=False, dropna=False)
    summary = (
        grouped[_FIRST]
        .first()
        .join(
            [
                grouped[ClinicalResults.sample_size].max(),
                grouped[ClinicalResults.arm].agg(" vs ".join).rename(ARMS),
                grouped[ClinicalResults.value].agg(list).rename(VALUES),
            ]
        )
    )
    first_seen = results.drop_duplicates(RESULT_KEY).set_index(RESULT_KEY).index
    return summary.reindex(first_seen).reset_index()
