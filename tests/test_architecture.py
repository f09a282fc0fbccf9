"""The README's module map is the one the package's docstrings give."""

from portfolio_reports.tools.architecture import module_map

from .conftest import PROJECT


def test_the_readme_lists_every_module_with_its_docstring():
    readme = (PROJECT / "README.md").read_text()
    assert module_map() in readme, "run python -m portfolio_reports.tools.architecture"


def test_every_module_has_a_one_line_summary():
    missing = [line for line in module_map().splitlines()[1:] if len(line.split(None, 1)) < 2]
    assert not missing, missing
