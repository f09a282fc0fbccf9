"""Incremental builds: unchanged reports are skipped, a change rebuilds exactly what it touches."""

import html
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

import portfolio_reports
from portfolio_reports.builder.fingerprints import drawings_version
from portfolio_reports.builder.inputs import BuildOptions, check_inputs
from portfolio_reports.builder.keys import NO_PAGE
from portfolio_reports.builder.plan import planned_reports
from portfolio_reports.paths import CHARTS_FOLDER, SHARED_CHARTS_ENV

from .conftest import (
    NOTEBOOKS,
    PARAMS,
    PROJECT,
    SAMPLE_DATA,
    assert_unchanged,
    cli_command,
    edit_cell,
    invoke_cli,
    tree_state,
)

pytestmark = pytest.mark.slow

REPORTS = ("market-jp", "market-us")


@pytest.fixture(scope="module", autouse=True)
def own_drawings_folder():
    """Each reports folder here keeps its chart drawings in its own charts folder, the default."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(SHARED_CHARTS_ENV)
        yield


@pytest.fixture(scope="module")
def built_once(tmp_path_factory):
    """A copy of the sample data and two params files, built once for the module."""
    folder = tmp_path_factory.mktemp("built-once")
    params = folder / "params"
    params.mkdir()
    for name in REPORTS:
        shutil.copy(PARAMS / f"{name}.yaml", params)
    shutil.copytree(SAMPLE_DATA, folder / "data")
    assert build(folder).returncode == 0
    return folder


@pytest.fixture
def project(built_once, tmp_path):
    """The built project, copied for one test (file times kept) to change as it likes."""
    shutil.copytree(built_once, tmp_path, dirs_exist_ok=True)
    return tmp_path


def build_arguments(project, *options):
    """The build command's arguments for the project's data, params and reports folders."""
    folders = {"--data": "data", "--params": "params", "--out": "reports"}
    paths = [part for option, name in folders.items() for part in (option, str(project / name))]
    return ["build", *paths, *options]


def build(project, *options):
    """Build in this process on one kernel: no test here is about parallel workers."""
    return invoke_cli(*build_arguments(project, "--jobs", "1", *options))


def statuses(project):
    manifest = json.loads((project / "reports" / "2026Q3" / "manifest.json").read_text())
    return {report["name"]: report["status"] for report in manifest["reports"]}


def html_times(project):
    return {
        name: (project / "reports" / "2026Q3" / f"{name}.html").stat().st_mtime_ns
        for name in REPORTS
    }


def test_nothing_changed_skips_every_report_and_keeps_them_in_the_index(project):
    before = html_times(project)
    process = build(project)
    assert process.returncode == 0, process.stderr
    assert statuses(project) == dict.fromkeys(REPORTS, "skipped")
    assert html_times(project) == before
    index = (project / "reports" / "2026Q3" / "index.html").read_text()
    assert all(f'href="{name}.html"' in index for name in REPORTS)


REPORT_STACK = {"pandas", "matplotlib", "papermill", "nbconvert"}
"""What a build with nothing to do never imports."""
WATCHED_BUILD = """
import atexit, runpy, sys
started = []
sys.addaudithook(lambda e, _: e in ("subprocess.Popen", "os.fork") and started.append(e))
def report():
    forkserver = sys.modules.get("multiprocessing.forkserver")
    server = forkserver and forkserver._forkserver._forkserver_pid
    print(f"processes started: {started}, fork server: {server}", file=sys.stderr)
atexit.register(report)
runpy.run_module("portfolio_reports", run_name="__main__")
"""
"""Run the command line, then say which processes it started (a kernel, a fork server)."""


def watched_build(project):
    """Run the build in a child process; its output and every module it imported."""
    arguments = cli_command(*build_arguments(project))[3:]
    process = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", WATCHED_BUILD, *arguments],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert process.returncode == 0, process.stderr
    imported = {
        line.rsplit("|", 1)[1].strip()
        for line in process.stderr.splitlines()
        if line.startswith("import time:")
    }
    return process.stderr, imported


def test_a_build_with_nothing_to_do_changes_nothing_and_imports_no_report_stack(project):
    """The stamp of the last build tells it: no pandas, papermill or kernel, no file written;
    a changed params file or a deleted page is built again, by a build that loads everything."""
    shutil.rmtree(project / "reports" / ".snapshots")  # so that it validates the data again
    _, imported = watched_build(project)  # the first build in this folder stamps it
    assert "pandera" in imported  # it validated the data, without pandera's dask typing
    loaded = [name for name in imported if name.startswith("dask.dataframe.")]  # not halted
    assert not loaded, "dask.dataframe was loaded: 0.3 CPU s the command has no use for"
    before = tree_state(project / "reports")
    output, imported = watched_build(project)
    assert "Nothing changed: 2 of 2 reports current for 2026Q3" in output
    assert "processes started: [], fork server: None" in output
    assert not REPORT_STACK & imported, REPORT_STACK & imported
    assert_unchanged(project / "reports", before)

    path = project / "params" / "market-us.yaml"
    path.write_text(path.read_text().replace("title: United States", "title: USA"))
    times = html_times(project)
    output, imported = watched_build(project)
    assert "Nothing changed" not in output and "pandas" in imported
    assert statuses(project) == {"market-jp": "skipped", "market-us": "ok"}
    assert html_times(project)["market-us"] != times["market-us"]

    (project / "reports" / "2026Q3" / "market-jp.html").unlink()
    output, _ = watched_build(project)
    assert "Nothing changed" not in output
    assert statuses(project) == {"market-jp": "ok", "market-us": "skipped"}
    assert "Nothing changed" in watched_build(project)[0]


def test_changing_one_params_file_rebuilds_only_that_report(project):
    path = project / "params" / "market-us.yaml"
    path.write_text(path.read_text().replace("title: United States", "title: USA"))
    assert build(project).returncode == 0
    assert statuses(project) == {"market-jp": "skipped", "market-us": "ok"}
    assert "USA" in (project / "reports" / "2026Q3" / "market-us.html").read_text()


def test_changing_the_data_rebuilds_every_report(project):
    markets = project / "data" / "markets.csv"
    markets.write_text(markets.read_text().replace("Japan", "Japan (Nippon)"))
    assert build(project).returncode == 0
    assert statuses(project) == dict.fromkeys(REPORTS, "ok")


def test_a_rebuild_from_the_data_snapshot_keeps_the_warnings_validating_gave(project):
    edit_cell(project / "data", "markets", 0, "market", "CN ")
    warning = "'CN ': codes read without the spaces around them"
    quarter = project / "reports" / "2026Q3"
    for options in ((), ("--force",)):  # the data validated, then read back from its snapshot
        assert build(project, *options).returncode == 0
        manifest = json.loads((quarter / "manifest.json").read_text())
        assert any(warning in line for line in manifest["warnings"]), manifest["warnings"]
        assert warning in html.unescape((quarter / "index.html").read_text())
    folders = {"data": project / "data", "params": project / "params", "out": project / "reports"}
    read_back = check_inputs(BuildOptions(**folders), snapshot=True)
    assert read_back.snapshot is not None
    assert any(warning in line for line in read_back.dataset.warnings)


def drawings_kept(project):
    """Each chart drawing the reports folder keeps, by version folder and key, to its inode."""
    root = project / "reports" / CHARTS_FOLDER
    return {str(path.relative_to(root)): path.stat().st_ino for path in root.glob("*/*")}


def test_force_rebuilds_every_report_and_draws_no_chart_again(project):
    kept = drawings_kept(project)
    pages = [project / "reports" / "2026Q3" / f"{name}.html" for name in REPORTS]
    charts = sum(page.read_text().count('<figure class="chart"') for page in pages)
    assert charts > 0 and len(kept) == charts  # one drawing per chart shown
    assert {name.split("/")[0] for name in kept} == {drawings_version()}
    assert build(project, "--force").returncode == 0
    assert statuses(project) == dict.fromkeys(REPORTS, "ok")
    assert drawings_kept(project) == kept  # every drawing found, none written again


def chart_images(project):
    """The charts' images of each report's page, in the page's order."""
    pages = {name: project / "reports" / "2026Q3" / f"{name}.html" for name in REPORTS}
    return {
        name: re.findall(r"data:image/png;base64,[^\"']+", page.read_text())
        for name, page in pages.items()
    }


def test_reports_folders_share_the_drawings_folder_the_environment_names(
    built_once, tmp_path, monkeypatch
):
    shared = tmp_path / "drawings"
    monkeypatch.setenv(SHARED_CHARTS_ENV, str(shared))
    first, second = tmp_path / "first", tmp_path / "second"
    for project in (first, second):
        shutil.copytree(built_once, project, ignore=shutil.ignore_patterns("reports"))
    assert build(first).returncode == 0
    kept = {str(path.relative_to(shared)): path.stat().st_ino for path in shared.glob("*/*")}
    assert kept and {name.split("/")[0] for name in kept} == {drawings_version()}
    assert not (first / "reports" / CHARTS_FOLDER).exists()
    assert build(second).returncode == 0
    assert statuses(second) == dict.fromkeys(REPORTS, "ok")
    assert {
        str(path.relative_to(shared)): path.stat().st_ino for path in shared.glob("*/*")
    } == kept
    assert chart_images(second) == chart_images(first)  # the second folder's charts all read back


def test_a_deleted_report_is_rebuilt(project):
    (project / "reports" / "2026Q3" / "market-jp.html").unlink()
    assert build(project).returncode == 0
    assert statuses(project) == {"market-jp": "ok", "market-us": "skipped"}


def test_a_code_change_inside_a_subpackage_rebuilds_every_report(project):
    """The package is hashed recursively: an edit deep in a subpackage makes pages stale."""
    source = project / "src"
    shutil.copytree(
        pathlib.Path(portfolio_reports.__file__).parent,
        source / "portfolio_reports",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    environment = {**os.environ, "PYTHONPATH": str(source)}
    command = cli_command(*build_arguments(project, "--jobs", "1"))

    def build_with_copy() -> None:
        process = subprocess.run(
            command, cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=900
        )
        assert process.returncode == 0, process.stderr

    build_with_copy()
    assert statuses(project) == dict.fromkeys(REPORTS, "skipped")
    module = source / "portfolio_reports" / "analysis" / "metrics.py"
    module.write_text(module.read_text() + "\n# a change that alters no figure\n")
    before = drawings_kept(project)
    build_with_copy()
    assert statuses(project) == dict.fromkeys(REPORTS, "ok")
    after = drawings_kept(project)  # drawn again by the new code; the old code's drawings gone
    assert len({name.split("/")[0] for name in after}) == 1
    assert {name.split("/")[1] for name in after} == {name.split("/")[1] for name in before}
    assert not after.keys() & before.keys()


def test_a_report_added_rebuilds_only_the_pages_with_a_row_it_links_from(tmp_path):
    """A revenue table's rows link to the reports that exist when its page is built: a page
    showing a row labelled by a report added later is rebuilt, or that row would stay without
    its link; a page with no such row stays as it is."""
    params = tmp_path / "params"
    params.mkdir()
    for name in ("portfolio-overview", "market-us"):
        shutil.copy(PARAMS / f"{name}.yaml", params)
    folders = ["--params", str(params), "--out", str(tmp_path / "reports"), "--jobs", "1"]
    assert invoke_cli("build", *folders).returncode == 0
    overview = tmp_path / "reports" / "2026Q3" / "portfolio-overview.html"
    assert 'href="region-latin-america.html"' not in overview.read_text()
    manifest = json.loads((tmp_path / "reports" / "2026Q3" / "manifest.json").read_text())
    shown = {report["name"]: report["row_labels"] for report in manifest["reports"]}
    assert "Latin America" in shown["portfolio-overview"]
    assert "Latin America" not in shown["market-us"]

    shutil.copy(PARAMS / "region-latin-america.yaml", params)
    options = BuildOptions(
        data=SAMPLE_DATA, params=params, notebooks=NOTEBOOKS, out=tmp_path / "reports"
    )
    reasons = {report.name: report.rebuild for report in planned_reports(options)}
    assert reasons == {
        "portfolio-overview": ("links",),
        "market-us": (),
        "region-latin-america": (NO_PAGE,),
    }
    assert invoke_cli("build", *folders).returncode == 0
    assert statuses(tmp_path) == {
        "portfolio-overview": "ok",
        "market-us": "skipped",
        "region-latin-america": "ok",
    }
    assert '<a href="region-latin-america.html">Latin America</a></td>' in overview.read_text()
    after = {report.name: report.rebuild for report in planned_reports(options)}
    assert after == dict.fromkeys(after, ())


def test_a_failure_stays_recorded_until_the_report_is_built_again(project):
    """A build of other reports keeps a report's last failure, its error and its last good page,
    in the manifest and on the index; it is never shown as pending."""
    notebooks = project / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks)
    market = notebooks / "market.ipynb"
    good = market.read_text()
    broken = nbformat.reads(good, as_version=4)
    broken.cells.append(nbformat.v4.new_code_cell('raise RuntimeError("no sales for this market")'))
    market.write_text(nbformat.writes(broken))
    quarter = project / "reports" / "2026Q3"
    good_page = (quarter / "market-jp.html").read_bytes()

    failed = build(project, "market-jp", "--notebooks", str(notebooks))
    assert failed.returncode == 1
    assert "FAILED  market-jp: cell " in failed.stderr

    market.write_text(good)
    other = build(project, "market-us", "--force", "--notebooks", str(notebooks))
    assert other.returncode == 0, other.stderr
    assert "failed  market-jp, not run now; in an earlier build: cell " in other.stderr
    entry = manifest_entry(project, "market-jp")
    assert entry["status"] == "failed" and entry["earlier"] is True
    assert entry["error"]["message"] == "no sales for this market"
    assert entry["html"] == "market-jp.html"
    assert (quarter / "market-jp.html").read_bytes() == good_page
    assert manifest_entry(project, "market-us")["status"] == "ok"
    index = (quarter / "index.html").read_text()
    card = index[index.index('<li class="card card-failed">') :].split("</li>")[0]
    assert 'href="market-jp.html"' in card
    assert "RuntimeError: no sales for this market" in card
    assert f"Failed in the build of {entry['built_at']}." in card
    assert "badge-pending" not in index

    again = build(project, "market-jp", "--notebooks", str(notebooks))
    assert again.returncode == 0, again.stderr
    entry = manifest_entry(project, "market-jp")
    assert (entry["status"], entry["error"], entry["earlier"]) == ("ok", None, False)
    assert '<li class="card card-failed">' not in (quarter / "index.html").read_text()


def manifest_entry(project, name):
    manifest = json.loads((project / "reports" / "2026Q3" / "manifest.json").read_text())
    return next(report for report in manifest["reports"] if report["name"] == name)
