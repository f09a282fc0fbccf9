"""The README's module map is the one the package's docstrings give."""

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
