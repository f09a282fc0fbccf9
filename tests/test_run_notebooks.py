"""`run` takes ordinary papermill notebooks: the same outcome as papermill's own command line."""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from papermill.cli import papermill as papermill_cli

from .conftest import PROJECT, SAMPLE_DATA, invoke_cli

pytestmark = pytest.mark.slow

NOTEBOOKS = Path(__file__).parent / "papermill_notebooks"


@dataclass(frozen=True)
class Outcome:
    """How a run ended: whether it succeeded, the error raised, the lines the notebook printed."""

    ok: bool
    error: str | None
    printed: tuple[str, ...]


def executed_outcome(ok: bool, notebook: Path) -> Outcome:
    """The outcome read from an executed notebook: its first error and its printed lines."""
    executed = nbformat.read(notebook, as_version=4)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    outputs = [output for cell in code for output in cell.outputs]
    errors = [o.ename for o in outputs if o.output_type == "error" and o.ename != "SystemExit"]
    printed = [
        line
        for o in outputs
        if o.output_type == "stream" and o.name == "stdout"
        for line in o.text.splitlines()
    ]
    return Outcome(ok, errors[0] if errors else None, tuple(printed))


def with_papermill(folder: Path, notebook: str, *args: str) -> Outcome:
    """Run the notebook with papermill's command line, in this process."""
    output = folder / f"papermill-{notebook}"
    result = CliRunner().invoke(papermill_cli, [str(folder / notebook), str(output), *args])
    if not output.exists():  # refused before it ran anything
        return Outcome(False, type(result.exception).__name__, ())
    return executed_outcome(result.exit_code == 0, output)


def with_run(folder: Path, notebook: str, *args: str, cwd: Path = PROJECT) -> tuple[Outcome, str]:
    """Run the notebook with `portfolio-reports run`; the outcome and the command's output.

    A failed run keeps its executed notebook, read like papermill's; a page shows the printed
    lines in its text.
    """
    target = folder / f"run-{Path(notebook).stem}.html"
    process = invoke_cli("run", str(folder / notebook), "--to", str(target), *args, cwd=cwd)
    failed = target.with_suffix(".failed.ipynb")
    if process.returncode != 0:
        assert process.returncode == 1, process.stderr
        return executed_outcome(False, failed), process.stderr
    assert not failed.exists()
    page = html.unescape(target.read_text())
    assert "did not run to completion" not in page
    main = page[page.index('<main class="report">') :]
    return Outcome(True, None, tuple(line for line in main.splitlines() if line)), process.stderr


def assert_same_outcome(papermill: Outcome, run: Outcome) -> None:
    """Both succeeded or both failed with the same error; the page shows what papermill's
    notebook printed (a page holds more lines than the notebook printed: its markup)."""
    assert (run.ok, run.error) == (papermill.ok, papermill.error)
    if run.ok:
        page = "\n".join(run.printed)
        assert all(line in page for line in papermill.printed), (papermill.printed, page)
    else:
        assert run.printed == papermill.printed


@pytest.fixture
def folder(tmp_path):
    """The ordinary notebooks, copied (they may write beside themselves), outside any project."""
    copy = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, copy)
    return copy


def test_values_are_typed_as_papermill_types_them(folder):
    """`-p var 'It works'` for `var = 1` is text; `-p msg ""` stays empty; -y gives lists."""
    args = (
        "-p",
        "var",
        "It works",
        "-p",
        "msg",
        "",
        "-y",
        "items: [1, 2, 3]",
        "-p",
        "flag",
        "True",
    )
    papermill = with_papermill(folder, "typed_values.ipynb", *args)
    run, _ = with_run(folder, "typed_values.ipynb", *args, cwd=folder)
    assert_same_outcome(papermill, run)
    values = json.loads(papermill.printed[0])
    assert values == {"var": "It works", "msg": "", "items": [1, 2, 3], "flag": True}


def test_a_notebook_without_a_parameters_cell_gets_them_at_the_top(folder):
    papermill = with_papermill(folder, "no_parameters_cell.ipynb", "-p", "name", "World")
    run, _ = with_run(folder, "no_parameters_cell.ipynb", "-p", "name", "World", cwd=folder)
    assert_same_outcome(papermill, run)
    assert papermill.printed == ("Hello, World!",)


def test_a_notebook_runs_in_its_own_folder_unless_told_otherwise(folder, tmp_path):
    """papermill runs in the folder it is started from, or --cwd; `run` defaults to the
    notebook's folder, so relative reads work wherever the command is started."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    papermill = with_papermill(folder, "relative_read.ipynb", "--cwd", str(folder))
    run, _ = with_run(folder, "relative_read.ipynb", cwd=elsewhere)
    assert_same_outcome(papermill, run)
    assert papermill.printed == ("total 6",)

    papermill = with_papermill(folder, "relative_read.ipynb", "--cwd", str(elsewhere))
    run, _ = with_run(folder, "relative_read.ipynb", "--cwd", str(elsewhere))
    assert_same_outcome(papermill, run)
    assert papermill.error == "FileNotFoundError"


def test_sys_exit_0_is_a_clean_end(folder):
    papermill = with_papermill(folder, "early_exit.ipynb")
    run, _ = with_run(folder, "early_exit.ipynb", cwd=folder)
    assert_same_outcome(papermill, run)
    assert papermill.ok and papermill.printed == ("stopping here",)
    page = (folder / "run-early_exit.html").read_text()
    assert "SystemExit" not in page and "not reached" not in page


@pytest.mark.parametrize(
    ("notebook", "args", "line"),
    [
        ("raises.ipynb", ("-p", "limit", "5"), "cell 3: ValueError: limit 5 is above 2"),
        (
            "line_magic.ipynb",
            (),
            "cell 2: ModuleNotFoundError: No module named 'no_such_extension_here'",
        ),
        ("no_parameters_cell.ipynb", (), "cell 1: NameError: name 'name' is not defined"),
    ],
)
def test_a_failure_names_the_notebooks_own_cell_and_message(folder, notebook, args, line):
    papermill = with_papermill(folder, notebook, *args)
    run, output = with_run(folder, notebook, *args, cwd=folder)
    assert_same_outcome(papermill, run)
    assert f"FAILED  adhoc: {line}" in output
    assert "Traceback" not in output


def test_a_notebook_saved_without_a_kernel_runs_on_this_python_or_the_kernel_named(folder):
    """papermill needs -k for a notebook that names no kernel; `run` runs it on its Python."""
    assert with_papermill(folder, "no_kernelspec.ipynb") == Outcome(False, "ValueError", ())
    papermill = with_papermill(folder, "no_kernelspec.ipynb", "-k", "python3")
    for args in ((), ("-k", "python3")):
        run, output = with_run(folder, "no_kernelspec.ipynb", *args, cwd=folder)
        assert_same_outcome(papermill, run)
        assert "Traceback" not in output
    assert papermill.printed == ("4",)


def test_an_unknown_kernel_is_refused_before_anything_runs(folder):
    target = folder / "page.html"
    process = invoke_cli(
        "run", str(folder / "no_kernelspec.ipynb"), "-k", "no-such-kernel", "--to", str(target)
    )
    assert process.returncode == 2
    assert "error: -k no-such-kernel: no such Jupyter kernel; installed:" in process.stderr
    assert not target.exists()


def test_the_projects_values_go_only_to_a_notebook_that_declares_them(folder):
    """A notebook declaring `quarter` and `data` gets the project's; papermill given the same
    values by hand prints the same. A notebook declaring neither ran above outside a project."""
    papermill = with_papermill(
        folder, "project_values.ipynb", "-p", "quarter", "2026Q3", "-p", "data", str(SAMPLE_DATA)
    )
    run, _ = with_run(folder, "project_values.ipynb")  # from the project's folder
    assert_same_outcome(papermill, run)
    assert papermill.printed == ("quarter 2026Q3; data found: True",)


def test_a_name_the_parameters_cell_does_not_declare_is_refused_in_one_line(folder):
    target = folder / "page.html"
    process = invoke_cli(
        "run", str(folder / "raises.ipynb"), "-p", "limt", "1", "--to", str(target), cwd=folder
    )
    assert process.returncode == 2
    assert process.stderr == (
        "error: raises.ipynb: parameter 'limt' is not declared by raises.ipynb; declared: limit\n"
    )
    assert not target.exists()


def run_and_open(folder: Path, browser: str) -> subprocess.CompletedProcess[str]:
    """`run --open` in a process of its own, with `browser` as the only web browser known."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER")
    }
    environment["BROWSER"] = browser
    command = [sys.executable, "-m", "portfolio_reports", "run", "no_parameters_cell.ipynb"]
    command += ["-p", "name", "World", "--to", str(folder / "page.html"), "--open"]
    return subprocess.run(
        command, cwd=folder, env=environment, capture_output=True, text=True, timeout=300
    )


def test_open_hands_the_page_to_the_browser(folder):
    """The browser is given the page's address."""
    opened = folder / "opened.txt"
    browser = folder / "browser"
    browser.write_text(f'#!/bin/sh\nprintf %s "$1" > {opened}\n')
    browser.chmod(0o755)
    process = run_and_open(folder, str(browser))
    assert process.returncode == 0, process.stderr
    assert opened.read_text() == (folder / "page.html").resolve().as_uri()
    assert "no web browser found" not in process.stderr


def test_open_without_a_browser_says_where_the_page_is(folder):
    """With no browser that opens, the page is still written and its address printed."""
    process = run_and_open(folder, "false")
    assert process.returncode == 0, process.stderr
    page = (folder / "page.html").resolve()
    assert "Hello, World!" in page.read_text()
    assert f"no web browser found; open {page.as_uri()}" in " ".join(process.stderr.split())
