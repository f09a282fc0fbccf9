"""The README's module map is the one the package's docstrings give."""

import re
import subprocess
import sys

import grimp
import pytest

from portfolio_reports.analysis.scope import Scope
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.notebook.report import ReportView
from portfolio_reports.tools.architecture import module_map

from .conftest import PROJECT


def test_the_readme_lists_every_module_with_its_docstring():
    readme = (PROJECT / "README.md").read_text()
    assert module_map() in readme, "run python -m portfolio_reports.tools.architecture"


def test_every_module_has_a_one_line_summary():
    """Each module's docstring starts with a whole sentence on its first line."""
    lines = module_map().splitlines()[1:]
    missing = [line for line in lines if len(line.split(None, 1)) < 2]
    unfinished = [line for line in lines if not line.endswith(".")]
    assert not missing, missing
    assert not unfinished, unfinished


def test_no_module_is_over_650_lines_and_each_page_area_is_under_250():
    package = PROJECT / "src" / "portfolio_reports"
    sizes = {
        path.relative_to(package).as_posix(): len(path.read_text().splitlines())
        for path in package.rglob("*.py")
        if "project_template" not in path.parts
    }
    assert not {name: size for name, size in sizes.items() if size > 650}
    areas = (
        "tiles",
        "story",
        "commercial",
        "income",
        "movers",
        "pipeline",
        "record",
        "definitions",
        "page",
        "report",
    )
    assert all(sizes[f"notebook/{area}.py"] < 250 for area in areas), sizes
    assert sizes["builder/run.py"] <= 300


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph("portfolio_reports")
    cycles = [
        (module, imported)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if graph.chain_exists(importer=imported, imported=module)
    ]
    assert not cycles


def test_every_section_a_notebook_calls_is_answered_by_the_report(tiny_dataset):
    called = set()
    for notebook in (PROJECT / "notebooks").glob("*.ipynb"):
        called |= set(re.findall(r"report\.(\w+)\(", notebook.read_text()))
    report = ReportView(tiny_dataset, Scope(), Quarter(2025, 3))
    assert called and called <= set(dir(report))
    assert all(callable(getattr(report, name)) for name in called)
    with pytest.raises(AttributeError, match="no section 'revenue_tabel'"):
        report.revenue_tabel()


KERNEL_NEVER_IMPORTS = ("nbformat", "jsonschema", "papermill", "nbconvert")
"""The notebook-file stack: a report's kernel runs cells, it never reads or writes notebooks."""


def test_a_warm_kernels_imports_leave_out_the_notebook_file_stack():
    loaded = (
        "import sys, portfolio_reports.execution.kernel_session\n"
        "print(' '.join(name for name in sys.modules if '.' not in name))\n"
        "print('portfolio_reports.notebook.report' in sys.modules)"
    )
    process = subprocess.run(
        [sys.executable, "-c", loaded], capture_output=True, text=True, check=True
    )
    packages, report_loaded = process.stdout.splitlines()
    assert report_loaded == "True"
    assert [name for name in KERNEL_NEVER_IMPORTS if name in packages.split()] == []
