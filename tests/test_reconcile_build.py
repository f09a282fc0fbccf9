"""Reconciliation through real builds of the tiny data set, each identity broken on purpose.

The tiny data set's product sales (RMB m, see conftest.TINY_SALES) in 2025Q3, its latest quarter:
HLX02 CN 110 and US 15, HLX01 CN 25, HLX03 CN 10 and CA 5; the portfolio sells 165. Split by
indication share (conftest's revenue_allocation): HLX02 60% breast and 40% gastric cancer, in the
US all breast; HLX01 70% NHL (haematological), 20% RA (autoimmune), 10% unallocated (oncology);
HLX03 all RA. So Oncology has 66 + 44 + 15 + 17.5 + 2.5 = 145: breast cancer 81, gastrointestinal
44, haematological 17.5, unallocated 2.5; Autoimmune 5 + 10 + 5 = 20, all rheumatology. North
America sells 20: US 15, CA 5.
Earlier quarters: in 2025Q2 (HLX02 CN 100 and US 20, HLX01 20, HLX03 10) Oncology 60 + 40 + 20 +
14 + 2 = 136 and Autoimmune 4 + 10 = 14; in 2024Q2 (HLX02 80, HLX01 20) Oncology 48 + 32 + 14 + 2
= 96; in 2024Q4 the US sells 10 and CA nothing. The broken notebooks below open some reports at
such an earlier quarter.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from portfolio_reports.builder.inputs import BuildOptions
from portfolio_reports.builder.run import build
from portfolio_reports.data.dataset import export_dataset

from .conftest import NOTEBOOKS, invoke_cli

pytestmark = pytest.mark.slow

QUARTER = "2025Q3"
PARAMS = {
    "portfolio-overview": ("portfolio_overview", {}),
    "therapy-area-oncology": ("therapy_area", {"therapy_area": "Oncology"}),
    "therapy-area-autoimmune": ("therapy_area", {"therapy_area": "Autoimmune"}),
    "disease-area-breast-cancer": (
        "therapy_area",
        {"therapy_area": None, "disease_area": "Breast cancer"},
    ),
    "disease-area-gastrointestinal-cancer": (
        "therapy_area",
        {"therapy_area": None, "disease_area": "Gastrointestinal cancer"},
    ),
    "disease-area-rheumatology": (
        "therapy_area",
        {"therapy_area": None, "disease_area": "Rheumatology"},
    ),
    "region-north-america": ("market", {"market": None, "region": "North America"}),
    "market-us": ("market", {"market": "US"}),
    "market-ca": ("market", {"market": "CA"}),
}


@pytest.fixture
def tiny_data(tiny_dataset, tmp_path) -> Path:
    """The tiny data set written as a folder of CSV files."""
    folder = tmp_path / "tiny"
    export_dataset(tiny_dataset, folder)
    return folder


def params_folder(root: Path, names: list[str]) -> Path:
    """A params folder with the named reports of PARAMS."""
    folder = root / "params"
    folder.mkdir()
    for name in names:
        notebook, parameters = PARAMS[name]
        document = {"notebook": f"{notebook}.ipynb", "title": name, "parameters": parameters}
        (folder / f"{name}.yaml").write_text(json.dumps(document))
    return folder


def notebooks_folder(root: Path, notebook: str, old: str, new: str) -> Path:
    """A copy of the notebooks with one code cell of one notebook edited."""
    folder = Path(shutil.copytree(NOTEBOOKS, root / "notebooks"))
    path = folder / f"{notebook}.ipynb"
    document = nbformat.read(path, as_version=4)
    cells = [cell for cell in document.cells if old in cell.source]
    assert len(cells) == 1, f"{old!r} is in {len(cells)} cells of {notebook}"
    cells[0].source = cells[0].source.replace(old, new)
    nbformat.write(document, path)
    return folder


def build_arguments(data: Path, params: Path, out: Path) -> list[str]:
    """The command line of a build of these data and params into out."""
    return ["build", "--data", str(data), "--params", str(params), "--out", str(out)]


def in_process_build(data: Path, params: Path, notebooks: Path, out: Path) -> list[str]:
    """Build the quarter; return the reconciliation after checking every page was published."""
    result = build(BuildOptions(data=data, params=params, notebooks=notebooks, out=out, jobs=1))
    assert result.ok, [r.error for r in result.results]
    for report in result.results:
        assert (out / QUARTER / f"{report.name}.html").is_file()
    manifest = json.loads((out / QUARTER / "manifest.json").read_text())
    assert manifest["reconciliation"] == list(result.reconciliation)
    return list(result.reconciliation)


def revenue(out: Path) -> dict[str, float]:
    """Each report's recorded revenue from the manifest."""
    manifest = json.loads((out / QUARTER / "manifest.json").read_text())
    return {r["name"]: round(r["figures"]["revenue_m"], 6) for r in manifest["reports"]}


def reconciliation_box(out: Path) -> list[str]:
    """The lines of the quarter index's Reconciliation box; empty when it has none."""
    index = BeautifulSoup((out / QUARTER / "index.html").read_text(), "html.parser")
    box = index.find("section", class_="reconciliation")
    return [] if box is None else [item.get_text() for item in box.find_all("li")]


def test_agreeing_reports_pass_and_skipped_reports_still_take_part(tiny_data, tmp_path):
    out = tmp_path / "reports"
    params = params_folder(
        tmp_path,
        [
            "portfolio-overview",
            "therapy-area-oncology",
            "therapy-area-autoimmune",
            "disease-area-rheumatology",
            "region-north-america",
            "market-us",
            "market-ca",
        ],
    )
    agreed = invoke_cli(*build_arguments(tiny_data, params, out))
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    assert revenue(out) == {
        "portfolio-overview": 165.0,
        "therapy-area-oncology": 145.0,
        "therapy-area-autoimmune": 20.0,
        "disease-area-rheumatology": 20.0,
        "region-north-america": 20.0,
        "market-us": 15.0,
        "market-ca": 5.0,
    }
    assert json.loads((out / QUARTER / "manifest.json").read_text())["reconciliation"] == []
    assert reconciliation_box(out) == []

    # Therapy-area pages opened at 2025Q2 (Oncology 136, Autoimmune 14); the portfolio page,
    # unchanged, is skipped and reconciled from the figures the manifest kept.
    notebooks = notebooks_folder(
        tmp_path, "therapy_area", "open_report(data, quarter,", 'open_report(data, "2025Q2",'
    )
    broken = invoke_cli(*build_arguments(tiny_data, params, out), "--notebooks", str(notebooks))
    assert broken.returncode == 1, broken.stdout + broken.stderr
    line = (
        "therapy areas sum to Whole portfolio: therapy-area-autoimmune 14.0"
        " + therapy-area-oncology 136.0 = RMB 150.0 m against portfolio-overview RMB 165.0 m;"
        " difference RMB -15.0 m"
    )
    assert f"  BROKEN {line}" in broken.stderr.splitlines()
    manifest = json.loads((out / QUARTER / "manifest.json").read_text())
    status = {report["name"]: report["status"] for report in manifest["reports"]}
    assert status["portfolio-overview"] == "skipped"
    assert status["therapy-area-oncology"] == "ok"
    assert line in manifest["reconciliation"]
    assert line in reconciliation_box(out)
    cards = [p for p in manifest["reconciliation"] if p.startswith("index card equals its page")]
    assert [card.split(" card states")[0] for card in cards] == [
        "index card equals its page: disease-area-rheumatology",
        "index card equals its page: therapy-area-autoimmune",
        "index card equals its page: therapy-area-oncology",
    ]
    assert "RMB 20.0 m," in cards[1].split(", its page ")[0]
    assert "RMB 14.0 m," in cards[1].split(", its page ")[1]
    assert "RMB 145.0 m," in cards[2].split(", its page ")[0]
    assert "RMB 136.0 m," in cards[2].split(", its page ")[1]
    for name in ("portfolio-overview", "therapy-area-oncology", "therapy-area-autoimmune"):
        assert (out / QUARTER / f"{name}.html").is_file()


def test_markets_that_miss_their_region_break(tiny_data, tmp_path):
    # Market pages (not the region's) opened at 2024Q4: US 10, CA nothing.
    notebooks = notebooks_folder(
        tmp_path,
        "market",
        "open_report(data, quarter,",
        'open_report(data, quarter if region else "2024Q4",',
    )
    params = params_folder(tmp_path, ["region-north-america", "market-us", "market-ca"])
    problems = in_process_build(tiny_data, params, notebooks, tmp_path / "reports")
    assert (
        "markets sum to North America: market-ca 0.0 + market-us 10.0 = RMB 10.0 m"
        " against region-north-america RMB 20.0 m; difference RMB -10.0 m"
    ) in problems


def test_disease_areas_that_exceed_their_therapy_area_break(tiny_data, tmp_path):
    # The therapy-area page (not the disease areas') opened at 2024Q2: Oncology 96. Two of
    # Oncology's four slices with sales in 2025Q3 have a report (haematological cancer and the
    # unallocated part have none), so they may fall short of Oncology but not exceed it.
    notebooks = notebooks_folder(
        tmp_path,
        "therapy_area",
        "open_report(data, quarter,",
        'open_report(data, quarter if disease_area else "2024Q2",',
    )
    params = params_folder(
        tmp_path,
        [
            "therapy-area-oncology",
            "disease-area-breast-cancer",
            "disease-area-gastrointestinal-cancer",
        ],
    )
    problems = in_process_build(tiny_data, params, notebooks, tmp_path / "reports")
    assert (
        "disease areas do not exceed Oncology (2 of 4 have a report):"
        " disease-area-breast-cancer 81.0 + disease-area-gastrointestinal-cancer 44.0"
        " = RMB 125.0 m against therapy-area-oncology RMB 96.0 m; difference RMB +29.0 m"
    ) in problems


def test_a_pipeline_chart_that_counts_more_than_its_tables_break(tiny_data, tmp_path):
    # In the US at 2025Q3: HLX03-AS US Phase 1 and HLX02-GC Global Phase 3 are in development;
    # the edited page draws the chart of both but lists only the programme run in the US.
    notebooks = notebooks_folder(
        tmp_path, "market", 'report.pipeline_table("global")', "report.about()"
    )
    params = params_folder(tmp_path, ["market-us"])
    problems = in_process_build(tiny_data, params, notebooks, tmp_path / "reports")
    assert problems == [
        "pipeline chart equals its table: market-us chart counts 2 programmes,"
        " its tables list 1; difference +1"
    ]


def test_a_page_that_ignores_its_params_breaks_against_its_card(tiny_data, tmp_path):
    # The region page opened without its region (nor the kind that asks for one) shows the
    # whole portfolio (165, not 20).
    opened = "region=region,\n{0}material_floor=material_floor, material_share=material_share,\n{0}"
    notebooks = notebooks_folder(
        tmp_path,
        "market",
        opened.format(" " * 21) + 'kind="market")',
        "material_floor=material_floor, material_share=material_share)",
    )
    params = params_folder(tmp_path, ["region-north-america"])
    problems = in_process_build(tiny_data, params, notebooks, tmp_path / "reports")
    assert problems[0] == (
        "page shows the scope of its params: region-north-america params ask for"
        " 'North America', its page shows 'Whole portfolio'"
    )
    card, page = problems[1].split(", its page ")
    assert card.startswith("index card equals its page: region-north-america card states")
    assert "RMB 20.0 m," in card
    assert "RMB 165.0 m," in page
    assert len(problems) == 2
