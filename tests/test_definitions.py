"""The glossary: written once, one sentence per term, the same on every page and in the README."""

from __future__ import annotations

import re

import pytest

from portfolio_reports.analysis import pipeline, revenue
from portfolio_reports.analysis.definitions import (
    GLOSSARY,
    REPORT_TERMS,
    glossary,
    glossary_markdown,
)
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.notebook.report import ReportView
from portfolio_reports.tools.glossary import END, START, with_glossary

from .conftest import SAMPLE_DATA

REQUESTED = [
    "Programme",
    "In development",
    "Approved",
    "Allocated revenue",
    "Product sales",
    "Markets reached",
]


@pytest.mark.parametrize("term", REQUESTED)
def test_the_shared_terms_have_an_entry_ending_as_a_sentence(term):
    assert GLOSSARY[term].endswith(".") and GLOSSARY[term][0].isupper()


@pytest.mark.parametrize(("term", "sentence"), REPORT_TERMS.items())
def test_each_report_term_is_one_sentence(term, sentence):
    assert sentence.endswith("."), term
    body = sentence.removesuffix(".").replace("est.", "est")
    assert not re.search(r"[.!?] [A-Z]", body), f"{term}: more than one sentence"


def test_every_scope_shows_the_same_glossary_folded_under_what_it_covers(tiny_dataset):
    sections = [
        ReportView(tiny_dataset, scope, Quarter(2025, 3)).glossary()
        for scope in (Scope(), Scope(market="US"), Scope(therapy_area="Autoimmune"))
    ]
    assert all(section.frame.equals(sections[0].frame) for section in sections)
    assert "Scope: United States. Quarter: Q3 2025" in sections[1].html
    html = sections[0].html
    assert html.startswith('<details class="glossary"><summary>') and html.endswith("</details>")
    terms = glossary(tiny_dataset)
    assert "China, overseas" in terms and "{money}" not in "".join(terms.values())
    for term, sentence in terms.items():
        assert f">{term}<" in html and f">{sentence}<".replace("'", "&#x27;") in html


def test_the_sample_readme_holds_the_glossary_as_written_in_code():
    readme = (SAMPLE_DATA / "README.md").read_text(encoding="utf-8")
    sample = load_dataset(SAMPLE_DATA)
    assert f"{START}\n{glossary_markdown(sample)}\n{END}" in readme
    assert with_glossary(readme, sample) == readme


def test_the_readme_section_is_replaced_between_its_markers(tiny_dataset):
    text = f"# Data\n\n{START}- stale entry\n{END}\nAfter.\n"
    written = glossary_markdown(tiny_dataset)
    assert with_glossary(text, tiny_dataset) == f"# Data\n\n{START}\n{written}\n{END}\nAfter.\n"
    with pytest.raises(ValueError, match="no glossary markers"):
        with_glossary("# Data\n", tiny_dataset)


def test_terms_counted_elsewhere_keep_their_owners_sentence():
    assert GLOSSARY["Programme"] == pipeline.DEFINITIONS["programme"]
    assert GLOSSARY["Product sales"] == revenue.PRODUCT_SALES
    assert GLOSSARY["Markets reached"].startswith("Countries and regions where at least one")
