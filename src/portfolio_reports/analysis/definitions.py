"""The glossary every report ends with: one sentence per term, count and sum, each written once."""

from __future__ import annotations

from portfolio_reports.analysis import pipeline, revenue, setbacks
from portfolio_reports.analysis.metrics import PORTFOLIO_COUNTS
from portfolio_reports.analysis.views import VIEW_DEFINITIONS
from portfolio_reports.data.dataset import Dataset


def _sentence(text: str) -> str:
    """A definition written as a phrase ("products with ...") as a sentence ("Products ... .")."""
    text = text.strip()
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


SHARED_TERMS = {
    "Programme": pipeline.DEFINITIONS["programme"],
    "In development": pipeline.DEFINITIONS[pipeline.IN_DEVELOPMENT],
    "Approved": pipeline.DEFINITIONS[pipeline.APPROVED],
    "Withdrawn": pipeline.DEFINITIONS[pipeline.WITHDRAWN],
    "Discontinued": pipeline.DEFINITIONS[pipeline.DISCONTINUED],
    "Life-cycle": pipeline.DEFINITIONS[pipeline.LIFE_CYCLE],
    "Global programme": pipeline.DEFINITIONS[pipeline.GLOBAL],
    **setbacks.DEFINITIONS,
    "Product sales": revenue.PRODUCT_SALES,
    "Total revenue": revenue.TOTAL,
    "Allocated revenue": revenue.ALLOCATION,
    **{term: PORTFOLIO_COUNTS[term] for term in PORTFOLIO_COUNTS},
    "Revenue bridge": VIEW_DEFINITIONS["bridge"],
    "Launch quarter": VIEW_DEFINITIONS["launch"],
    "Pipeline bar, next milestone": VIEW_DEFINITIONS["pipeline"],
    "Product by market": VIEW_DEFINITIONS["heat"],
    "Product name": VIEW_DEFINITIONS["brand"],
    "Brand in one market": VIEW_DEFINITIONS["market brand"],
}
"""Terms whose sentence lives with the code that counts them (pipeline, setbacks, revenue,
metrics, views)."""

REPORT_TERMS = {
    "QoQ, YoY": (
        "QoQ and YoY are the change in a revenue figure (product sales unless the table says"
        " otherwise) against the previous quarter and against the same quarter a year earlier,"
        " as a share of that earlier quarter's figure."
    ),
    "Mix": "Mix is a product's, market's or area's share of the report's sales in the quarter.",
    "Under review": (
        "A filing is under review at quarter end when it was accepted by then, no approval of"
        " the product in that market, for the same indication where both name one, followed it,"
        " and no complete response letter, refusal or negative opinion ended its review without"
        " a resubmission since."
    ),
    "Clinical readouts": (
        "Clinical readouts counts the distinct trials that reported a result in the quarter."
    ),
    "Phase changes": (
        "Phase changes counts the programmes that entered the pipeline, advanced, moved back or"
        " were discontinued during the quarter."
    ),
    "Brand": (
        "The brand is the product's trade name in the market for the label (indication)"
        " concerned; an event that names no indication lists every brand of the product there."
    ),
    "Result": (
        "A result reads the experimental arm first, then the comparator, with the hazard ratio"
        " (HR) of the experimental arm against the comparator where one is reported."
    ),
    "n": "n is the number of patients in the population a result describes, all arms together.",
    "Global trial": (
        "A global trial ran in more than one market; market and region reports list only the"
        " trials run in their markets and global trials."
    ),
    "Date precision": (
        "A date shown as a month (Apr 2024) or a quarter (Q4 2021) is known only to that month"
        " or quarter; a full date (2024-04-26) is known to the day."
    ),
    "est.": "A date marked est. is an estimate, not a reported date.",
    "inferred": (
        "An event marked inferred has a market or date inferred from indirect public"
        " statements, not reported as such."
    ),
    "As of": (
        "A status such as under review as of Dec 2025 is what was reported at that date;"
        " reports of earlier quarters leave it out."
    ),
}
"""Terms of the report's own sections: growth, mix, readouts, brands, trials and dates."""

GLOSSARY: dict[str, str] = {
    **{term: _sentence(text) for term, text in SHARED_TERMS.items()},
    **REPORT_TERMS,
}
"""Term -> its sentence, MONEY standing for the company's currency (see `glossary`)."""


def glossary(ds: Dataset) -> dict[str, str]:
    """Term -> the sentence a report's glossary shows: amounts named in the company's money;
    after total revenue the year to date of its fiscal year; after allocated revenue the home
    market's split (where the company has a home market) and the project's materiality bar."""
    money = ds.profile.money
    terms = {term: money.spell(sentence) for term, sentence in GLOSSARY.items()}
    start = ds.profile.fiscal_year_start_month
    after_total = list(terms).index("Total revenue") + 1
    items = list(terms.items())
    items.insert(
        after_total, (revenue.year_to_date_name(start), revenue.year_to_date_definition(start))
    )
    at = [term for term, _ in items].index("Allocated revenue") + 1
    home = revenue.home_split(ds)
    split = [] if home is None else [(home.term.capitalize(), home.definition)]
    bar = ("Material change", money.spell(revenue.materiality(ds.materiality)))
    return dict([*items[:at], *split, bar, *items[at:]])


def glossary_markdown(ds: Dataset) -> str:
    """A data set's glossary as a Markdown list, one term per line, as its README holds it."""
    terms = glossary(ds)
    return "\n".join(f"- **{term}**: {sentence}" for term, sentence in terms.items()) + "\n"
