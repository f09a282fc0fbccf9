"""The API reference builds from the docstrings and documents every section analysts call."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from portfolio_reports.notebook.frames import FRAME_COLUMNS
from portfolio_reports.notebook.report import AREAS

from .conftest import PROJECT

pytestmark = pytest.mark.slow  # pdoc imports every module it documents

ENTRY_POINTS = {
    "notebook/report.html": ["open_report", "ReportView"],
    "notebook/adhoc.html": ["run_adhoc", "AdhocReport", "command_line_parameters"],
    "builder/run.html": ["build", "BuildResult"],
    "builder/inputs.html": ["BuildOptions"],
    "builder/kinds.html": ["register", "ReportKind"],
}


def test_the_api_reference_builds_with_every_section_and_entry_point(tmp_path):
    process = subprocess.run(
        ["make", "-s", "docs", f"DOCS={tmp_path}"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stderr
    pages = tmp_path / "portfolio_reports"
    for page, names in ENTRY_POINTS.items():
        html = (pages / page).read_text()
        assert all(f'id="{name}"' in html for name in names), (page, names)
    for area in AREAS.values():
        html = pages / "notebook" / f"{Path(area.__module__.replace('.', '/')).name}.html"
        text = html.read_text()
        sections = [name for name in vars(area) if not name.startswith("_")]
        missing = [name for name in sections if f'id="{area.__name__}.{name}"' not in text]
        assert not missing, (area.__name__, missing)
        documented = [name for name in sections if name in FRAME_COLUMNS]
        assert text.count("<code>.frame</code> columns: ") == len(documented) > 0, area.__name__
