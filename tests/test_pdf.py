"""Printing pages to PDF: which Chromium is used, and a clear refusal when there is none."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from portfolio_reports.cli.commands import cli
from portfolio_reports.errors import InputError
from portfolio_reports.presentation import pdf
from portfolio_reports.presentation.pdf import (
    CHROMIUM_ENV,
    check_pdf_support,
    find_chromium,
    print_pdfs,
)

from .conftest import PROJECT, cli_command, run_cli

A4_POINTS = (595.3, 841.9)
"""A4 in points; Chromium rounds the page to whole CSS pixels, a point at most."""


def executable(folder: Path, name: str) -> Path:
    """An executable file of that name in the folder."""
    path = folder / name
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_environment_variable_comes_first(tmp_path, monkeypatch):
    named = executable(tmp_path, "my-chromium")
    monkeypatch.setenv(CHROMIUM_ENV, str(named))
    assert find_chromium() == named


def test_a_missing_named_browser_is_an_input_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv(CHROMIUM_ENV, "/nowhere/chromium")
    with pytest.raises(InputError, match=f"{CHROMIUM_ENV}=/nowhere/chromium: no such file"):
        find_chromium()


def test_without_the_system_browser_one_on_path_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv(CHROMIUM_ENV, raising=False)
    monkeypatch.setattr(pdf, "SYSTEM_CHROMIUM", tmp_path / "absent")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match="PDF output needs Chromium"):
        find_chromium()
    on_path = executable(tmp_path, "chromium-browser")
    assert find_chromium() == on_path


def test_build_with_pdf_and_no_browser_exits_2_before_anything_runs(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["build", "--format", "html,pdf", "--jobs", "1", "--out", str(tmp_path / "out")],
        env={CHROMIUM_ENV: "/nowhere/chromium"},
    )
    assert result.exit_code == 2, result.output
    assert [line for line in result.output.splitlines() if line] == [
        f"error: {CHROMIUM_ENV}=/nowhere/chromium: no such file; point it at a Chromium binary"
    ]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.html"))


def test_an_unknown_format_is_refused(tmp_path):
    result = CliRunner().invoke(
        cli, ["build", "--format", "html,docx", "--jobs", "1", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2, result.output
    assert "--format must be one or more of html, pdf" in result.output


def test_a_page_prints_to_a4_with_its_header_page_numbers_and_details_opened(tmp_path):
    rows = "".join(f"<p>Paragraph {n}</p>" for n in range(120))
    page = tmp_path / "report.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>Oncology · 2026Q3</title></head><body>"
        f'<main class="report"><a href="https://example.org/a">source</a>{rows}</main>'
        "<details><summary>More</summary><p>Hidden until opened</p></details></body></html>",
        encoding="utf-8",
    )
    assert print_pdfs([page], find_chromium(), mark="Synthetic sales") == [tmp_path / "report.pdf"]
    reader = PdfReader(tmp_path / "report.pdf")
    assert len(reader.pages) >= 2
    for number, printed in enumerate(reader.pages, start=1):
        text = printed.extract_text()
        assert "Oncology · 2026Q3" in text
        assert "Synthetic sales" in text
        assert f"Page {number} of {len(reader.pages)}" in text
        assert printed.mediabox[2:] == pytest.approx(A4_POINTS, abs=1.5)
    everything = "".join(printed.extract_text() for printed in reader.pages)
    assert "Hidden until opened" in everything
    assert [name for name in os.listdir(tmp_path) if ".partial" in name] == []


def test_without_playwright_the_error_names_the_pdf_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    with pytest.raises(InputError) as raised:
        check_pdf_support()
    assert str(raised.value).endswith("'pdf' extra: pip install 'portfolio-reports[pdf]'")


@pytest.mark.slow
def test_a_pdf_build_says_what_it_printed(tmp_path):
    out = tmp_path / "out"
    arguments = ["build", "market-jp", "--format", "html,pdf", "--jobs", "1", "--out", str(out)]
    first = CliRunner().invoke(cli, arguments)
    assert first.exit_code == 0, first.output
    folder = out / "2026Q3"
    assert f"printed 1 PDF beside the pages in {folder}" in first.output
    assert (folder / "market-jp.pdf").is_file()
    again = CliRunner().invoke(cli, arguments)
    assert again.exit_code == 0, again.output
    assert f"printed no PDF: every current page in {folder} has one already" in again.output


@pytest.mark.slow
def test_a_printing_failure_is_one_line_naming_what_failed_and_keeps_what_was_published(
    sample_printed, tmp_path
):
    out = tmp_path / "out"
    shutil.copytree(sample_printed, out)  # every report printed, and the board pack
    build = ["build", "market-jp", "--format", "html,pdf", "--jobs", "1", "--out", str(out)]
    folder = out / "2026Q3"
    published = {
        name: (folder / name).read_bytes()
        for name in ("market-jp.pdf", "board-pack.pdf", "manifest.json")
    }
    # A browser that exits as soon as it starts: printing cannot begin.
    broken = executable(tmp_path, "chromium")
    failed = subprocess.run(
        cli_command(*build, "--force"),
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, CHROMIUM_ENV: str(broken)},
    )
    assert failed.returncode == 1, failed.stderr
    assert "Traceback" not in failed.stderr
    errors = [line for line in failed.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith(f"error: Chromium ({broken}): cannot print:")
    assert (folder / "market-jp.html").is_file()
    for name in ("market-jp.pdf", "board-pack.pdf"):
        assert (folder / name).read_bytes() == published[name], name
    # A folder where the page's PDF goes: the target cannot be written.
    (folder / "market-jp.pdf").unlink()
    (folder / "market-jp.pdf").mkdir()
    blocked = run_cli(*build)
    assert blocked.returncode == 1, blocked.stderr
    assert "Traceback" not in blocked.stderr
    errors = [line for line in blocked.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: market-jp.html: cannot print:")
    assert "Is a directory" in errors[0]
    assert (folder / "board-pack.pdf").read_bytes() == published["board-pack.pdf"]
    assert json.loads((folder / "manifest.json").read_text())["reports"]
