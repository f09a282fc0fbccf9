"""Hostile strings in data and params: shown as text, never run; parameters arrive verbatim.

Reports are built through the real command line from a copy of the sample data in which every
free-text column carries markup or script, and from params files whose titles do too; the pages
are checked as HTML and in Debian's chromium.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup

from .conftest import SAMPLE_DATA, invoke_cli

pytestmark = pytest.mark.slow

QUARTER = "2026Q3"
SCRIPT = '<script>window.__pwned="script";alert(1)</script>'
IMAGE = "<img src=x onerror=\"window.__pwned='img';alert(2)\">"
REMOTE = '<img src="https://evil.example/pixel.png">'
SVG = "<svg onload=\"window.__pwned='svg'\"></svg>"
MARKDOWN = "[click](javascript:window.__pwned=5) ![pixel](https://evil.example/md.png) <b>b</b>"
BREAKOUT = '</td></tr></table><script>window.__pwned="table"</script>'
QUOTED_URL = 'https://example.com/"><script>window.__pwned="url"</script>'
APOSTROPHE_URL = "https://example.com/'onmouseover='window.__pwned=1'"
"""Web addresses the schema accepts (http(s), no blank) that carry markup or an attribute."""
APPENDED = {
    "markets": {"name": SCRIPT, "regulator": IMAGE},
    "products": {"inn": SCRIPT, "target": REMOTE, "partner": SVG, "reference_product": MARKDOWN},
    "trade_names": {"trade_name": IMAGE},
    "indications": {"name": MARKDOWN},
    "regulatory_events": {"detail": BREAKOUT, "agency": IMAGE},
    "clinical_results": {"trial": REMOTE, "arm": SVG, "note": BREAKOUT},
    "catalysts": {"detail": SCRIPT},
}
"""Text added after every non-empty value of these columns."""
REPLACED = {
    "regulatory_events": {"source": QUOTED_URL},
    "clinical_results": {"source": APOSTROPHE_URL},
}
"""Values put in place of every non-empty value of these columns."""
TITLE = 'Japan <script>window.__pwned="title"</script>'
REPORTS = {
    "market-jp": {
        "notebook": "market.ipynb",
        "title": TITLE,
        "group": IMAGE,
        "parameters": {"market": "JP"},
    },
    "portfolio-overview": {"notebook": "portfolio_overview.ipynb", "title": f"Portfolio {SVG}"},
}
BUILD_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
RUN_TIME = re.compile(r'<td class="duration">[^<]*</td>')


def poison(data: Path) -> None:
    """Put the hostile strings into every free-text column of a data folder."""
    for table in APPENDED.keys() | REPLACED.keys():
        path = data / f"{table}.csv"
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            for column, text in APPENDED.get(table, {}).items():
                row[column] = f"{row[column]} {text}" if row[column] else ""
            for column, text in REPLACED.get(table, {}).items():
                row[column] = text if row[column] else ""
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def build(root: Path) -> Path:
    """Build the hostile reports under root; return the reports folder."""
    data = Path(shutil.copytree(SAMPLE_DATA, root / "data"))
    poison(data)
    params = root / "params"
    params.mkdir()
    for name, document in REPORTS.items():
        (params / f"{name}.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    out = root / "reports"
    process = invoke_cli(
        "build", "--data", str(data), "--params", str(params), "--out", str(out), "--jobs", "1"
    )
    assert process.returncode == 0, process.stderr
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reports folder of one hostile build, shared by the module."""
    return build(tmp_path_factory.mktemp("hostile"))


def pages(out: Path) -> list[Path]:
    """Every HTML page of a build: the reports, the quarter index and the list of quarters."""
    return [out / "index.html", out / QUARTER / "index.html"] + [
        out / QUARTER / f"{name}.html" for name in REPORTS
    ]


def test_no_markup_from_data_or_params_survives_in_any_page(hostile):
    for page in pages(hostile):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        name = page.relative_to(hostile)
        assert soup.find_all(["script", "iframe", "object", "embed"]) == [], name
        handlers = [(tag.name, key) for tag in soup.find_all(True) for key in tag.attrs]
        assert [pair for pair in handlers if pair[1].lower().startswith("on")] == [], name
        sources = [image.get("src", "") for image in soup.find_all("img")]
        assert all(source.startswith("data:image/") for source in sources), name
        for link in soup.find_all("a", href=True):
            assert not link["href"].strip().lower().startswith(("javascript:", "data:")), name


def test_hostile_strings_show_as_plain_text(hostile):
    report = BeautifulSoup((hostile / QUARTER / "market-jp.html").read_text(), "html.parser")
    text = report.get_text()
    assert TITLE in report.find("h1").get_text()
    for payload in (SCRIPT, BREAKOUT, "[click](javascript:window.__pwned=5)"):
        assert payload in text, payload
    index = BeautifulSoup((hostile / QUARTER / "index.html").read_text(), "html.parser")
    assert TITLE in index.get_text() and IMAGE in index.get_text()


def test_hostile_pages_run_nothing_and_fetch_nothing_in_a_browser(hostile, browser):
    for page in pages(hostile):
        visit = browser.visit(page, 1280)
        try:
            visit.page.hover("body")
            visit.page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            for link in visit.page.query_selector_all("a[href^='https://example.com']")[:3]:
                link.hover()
            pwned = visit.page.evaluate("() => typeof window.__pwned")
        finally:
            visit.close()
        name = page.relative_to(hostile)
        assert pwned == "undefined", f"{name}: a script from the data ran"
        assert visit.dialogs == [], name
        assert visit.page_errors == [], name
        assert visit.remote_requests == [], name


def normalised(page: Path) -> str:
    """A page with its build time, and an index with its run times, replaced by placeholders."""
    text = BUILD_TIME.sub("BUILD-TIME", page.read_text(encoding="utf-8"))
    return RUN_TIME.sub('<td class="duration">RUN-TIME</td>', text)


def test_building_twice_gives_the_same_pages_but_for_the_build_time(hostile, tmp_path):
    again = build(tmp_path)
    for first, second in zip(pages(hostile), pages(again), strict=True):
        if first.parent.name == QUARTER and first.name != "index.html":
            body = first.read_text(encoding="utf-8")
            assert len(BUILD_TIME.findall(body)) == 1, f"{first.name}: one build time expected"
            assert re.search(r'<p class="built">Built <strong>[^<]*UTC</strong></p>', body)
        assert normalised(first) == normalised(second), first.relative_to(hostile)


ECHO = """\
import json
from pathlib import Path
Path(echo_to).write_text(json.dumps([quoted, triple, lines, shell, braces]), encoding="utf-8")
"""


def test_params_strings_reach_the_notebook_verbatim_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    values = {
        "quoted": f"x'; import os; os.system('touch {marker}'); '",
        "triple": f'"""; import os; os.system("touch {marker}"); """',
        "lines": f"first line\n__import__('os').system('touch {marker}')\n\\n\\'\u2028end",
        "shell": f"$(touch {marker}) `touch {marker}` {{quarter}} %s",
        "braces": "{{ 7 * 7 }} {% if true %}jinja{% endif %} ${HOME}",
    }
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    declared = "\n".join(f"{name} = ''" for name in [*values, "echo_to"])
    book = nbformat.v4.new_notebook()
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = nbformat.v4.new_code_cell(f"quarter = None\ndata = None\n{declared}")
    parameters.metadata["tags"] = ["parameters"]
    book.cells = [
        nbformat.v4.new_markdown_cell("# Echo"),
        parameters,
        nbformat.v4.new_code_cell(ECHO),
    ]
    nbformat.write(book, notebooks / "echo.ipynb")
    params = tmp_path / "params"
    params.mkdir()
    echo = tmp_path / "echo.json"
    document = {
        "notebook": "echo.ipynb",
        "title": "Echo",
        "parameters": {**values, "echo_to": str(echo)},
    }
    (params / "echo.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    process = invoke_cli(
        "build",
        *("--params", str(params), "--notebooks", str(notebooks)),
        *("--out", str(tmp_path / "reports"), "--jobs", "1"),
    )
    assert process.returncode == 0, process.stderr
    assert json.loads(echo.read_text(encoding="utf-8")) == list(values.values())
    assert not marker.exists(), "a parameter value was run as code"
