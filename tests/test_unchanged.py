"""The stamp of a build with nothing to do: what changes it, and what makes a build do work."""

import shutil

import pytest

from portfolio_reports.builder.unchanged import (
    BuildRequest,
    forget_stamp,
    inputs_stamp,
    record_stamp,
    unchanged_build,
)
from portfolio_reports.paths import PACKAGE_DIR, OutputLayout

from .conftest import NOTEBOOKS, PARAMS, SAMPLE_DATA

REPORTS = ("market-jp", "market-us")


@pytest.fixture
def project(tmp_path):
    """Copies of the sample data, two params files and the notebooks, and a reports folder."""
    shutil.copytree(SAMPLE_DATA, tmp_path / "data")
    (tmp_path / "params").mkdir()
    for name in REPORTS:
        shutil.copy(PARAMS / f"{name}.yaml", tmp_path / "params")
    shutil.copytree(NOTEBOOKS, tmp_path / "notebooks")
    return tmp_path


def request_of(project, **changes):
    """The request of a build of the project, with any field changed."""
    fields = {
        "quarter": None,
        "data": project / "data",
        "params": project / "params",
        "notebooks": project / "notebooks",
        "out": project / "reports",
    }
    return BuildRequest(**{**fields, **changes})


def published(project, stamp):
    """A reports folder as a build of 2026Q3 left it, stamped: manifest, index and pages."""
    layout = OutputLayout(project / "reports", "2026Q3")
    layout.quarter_dir.mkdir(parents=True)
    for path in [layout.manifest, layout.index, *(layout.html(name) for name in REPORTS)]:
        path.write_text(path.name)
    record_stamp(stamp, layout, REPORTS, ["a data warning"])
    return layout


def test_the_package_fingerprint_covers_every_layer():
    assert (PACKAGE_DIR / "analysis" / "metrics.py").is_file()
    assert (PACKAGE_DIR / "builder" / "fingerprints.py").is_file()


def test_an_unchanged_build_is_told_with_its_quarter_reports_and_warnings(project):
    layout = published(project, inputs_stamp(request_of(project)))
    unchanged = unchanged_build(request_of(project))
    assert unchanged is not None
    assert (unchanged.quarter, unchanged.reports) == ("2026Q3", REPORTS)
    assert (unchanged.index, unchanged.warnings) == (layout.index, ("a data warning",))


@pytest.mark.parametrize(
    "change",
    [
        "data",
        "params",
        "notebook",
        "commentary",
        "new params file",
        "quarter",
        "reports",
        "format",
        "classification",
        "environment",
    ],
)
def test_any_input_changed_means_work_to_do(project, monkeypatch, change):
    published(project, inputs_stamp(request_of(project)))
    request = request_of(project)
    if change == "data":
        markets = project / "data" / "markets.csv"
        markets.write_text(markets.read_text().replace("Japan", "Nippon"))
    elif change == "params":
        (project / "params" / "market-jp.yaml").write_text("notebook: market.ipynb\n")
    elif change == "notebook":
        (project / "notebooks" / "market.ipynb").write_text("{}")
    elif change == "commentary":
        (project / "commentary" / "2026Q3").mkdir(parents=True)
        (project / "commentary" / "2026Q3" / "market-jp.md").write_text("Japan waits.")
    elif change == "new params file":
        shutil.copy(PARAMS / "market-cn.yaml", project / "params")
    elif change == "quarter":
        request = request_of(project, quarter="2026Q2")
    elif change == "reports":
        request = request_of(project, reports=("market-jp",))
    elif change == "format":
        request = request_of(project, formats=("html", "pdf"))
    elif change == "classification":
        request = request_of(project, classification="Board only")
    else:
        monkeypatch.setenv("PORTFOLIO_REPORTS_MAX_DATA_MB", "1")
    assert unchanged_build(request) is None


def test_a_pdf_build_without_its_board_pack_means_work_to_do(project):
    request = request_of(project, formats=("html", "pdf"))
    layout = published(project, inputs_stamp(request))
    for name in REPORTS:
        layout.pdf(name).write_text("printed")
    layout.board_pack.write_text("printed")
    assert unchanged_build(request) is not None
    layout.board_pack.unlink()
    assert unchanged_build(request) is None


@pytest.mark.parametrize("change", ["manifest", "page", "index", "other quarter", "forgotten"])
def test_a_changed_reports_folder_means_work_to_do(project, change):
    layout = published(project, inputs_stamp(request_of(project)))
    if change == "manifest":
        layout.manifest.write_text("rewritten by a build of some reports")
    elif change == "page":
        layout.html("market-us").unlink()
    elif change == "index":
        layout.index.unlink()
    elif change == "other quarter":
        (project / "reports" / "2026Q2").mkdir()
        (project / "reports" / "2026Q2" / "manifest.json").write_text("{}")
    else:
        forget_stamp(project / "reports")
    assert unchanged_build(request_of(project)) is None


def test_a_database_or_a_missing_source_is_never_stamped(project):
    assert inputs_stamp(request_of(project, data="sqlite:///portfolio.db")) is None
    assert inputs_stamp(request_of(project, data=project / "no-such-folder")) is None
    assert inputs_stamp(request_of(project)) == inputs_stamp(request_of(project))
