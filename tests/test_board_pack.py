"""The quarter's board pack: cover, contents, every report in the index's order, definitions,
bookmarks and page numbers running through, read back from the PDF with pypdf."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import unicodedata
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from portfolio_reports.analysis.definitions import glossary
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.presentation.render import HTML_ONLY

from .conftest import NOTEBOOKS, SAMPLE_DATA, run_cli

SECOND = Path(__file__).parent / "data" / "second_company"
PAGE_NUMBER = re.compile(r"Page (\d+) of (\d+)")
CLASSIFICATION = "Board use only"
PAGE_TERMS = "Terms used on this page"
"""The caption of a report's own definitions, which its PDF prints and the pack leaves out."""


def texts(reader: PdfReader) -> list[str]:
    """Each page's text, ligatures spelled out and white space runs made single spaces."""
    return [
        " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())
        for page in reader.pages
    ]


def spelled(term: str) -> str:
    """A glossary term's spellings ("QoQ, YoY") as whole words, as a page's glossary finds them."""
    return rf"(?<!\w)(?:{'|'.join(re.escape(part.strip()) for part in term.split(','))})(?!\w)"


def unnumbered(text: str, classification: str) -> str:
    """A page's text without its page number and classification."""
    return PAGE_NUMBER.sub("", text).replace(classification, "").strip()


def bookmarks(reader: PdfReader) -> list[tuple[str, int]]:
    """The outline's (title, page from 1)."""
    return [(item.title, reader.get_destination_page_number(item) + 1) for item in reader.outline]


def contents_links(reader: PdfReader, number: int) -> list[tuple[str, int]]:
    """Each link on a page: the text inside its box, and the page (from 1) it leads to."""
    placed: list[tuple[float, float, str]] = []

    def seen(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            x, y = cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]
            placed.append((x, y, unicodedata.normalize("NFKC", text).strip()))

    page = reader.pages[number]
    page.extract_text(visitor_text=seen)
    numbers = {pdf_page.indirect_reference.idnum: n for n, pdf_page in enumerate(reader.pages, 1)}
    links = []
    for annotation in page.get("/Annots", []):
        link = annotation.get_object()
        left, bottom, right, top = (float(edge) for edge in link["/Rect"])
        inside = [text for x, y, text in placed if left - 1 <= x <= right and bottom <= y <= top]
        destination = link["/Dest"] if "/Dest" in link else link["/A"]["/D"]
        links.append((" ".join(inside), numbers[destination[0].idnum]))
    return links


def index_titles(index: Path) -> list[str]:
    """The report titles of a quarter's index, in the order it lists them."""
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    return [card.h3.get_text(strip=True) for card in soup.select("li.card")]


def check_pack(folder: Path, classification: str) -> tuple[list[str], list[tuple[str, int]]]:
    """Check what every pack holds; return its pages' text and its bookmarks."""
    reader = PdfReader(folder / "board-pack.pdf")
    pages = texts(reader)
    marks = bookmarks(reader)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    record = manifest["board_pack"]
    assert record["pages"] == len(pages)
    for number, text in enumerate(pages, start=1):
        assert PAGE_NUMBER.findall(text) == [(str(number), str(len(pages)))], number
        assert classification in text, number
    included = record["reports"]
    titles = {report["name"]: report["title"] for report in manifest["reports"]}
    listed = [title for title in index_titles(folder / "index.html") if title in titles.values()]
    in_pack = [titles[name] for name in included]
    assert [title for title in listed if title in in_pack] == in_pack, "the index's order"
    assert [title for title, _ in marks] == ["Cover", "Contents", *in_pack, "Definitions"]
    contents = pages[1]
    for (title, start), name in zip(marks[2:-1], included, strict=True):
        assert f"{title} {start}" in contents
        assert pages[start - 1].startswith(f"{title} "), f"{title} starts on page {start}"
        report = texts(PdfReader(folder / f"{name}.pdf"))
        following = [page for _, page in marks if page > start]
        assert min(following) - start <= len(report), f"{title}: at most its own pages"
        part = pages[start - 1 : min(following) - 1]
        assert any(PAGE_TERMS in page for page in report), f"{title}: its own definitions"
        assert not any(PAGE_TERMS in page for page in part), f"{title}: its definitions in the pack"
        # the pack holds the report's own print, bar the pages from the one before its definitions
        body = [unnumbered(page, classification) for page in part[:-2]]
        assert body == [unnumbered(page, classification) for page in report[: len(body)]]
    definitions = marks[-1][1]
    assert f"Definitions {definitions}" in contents
    # Each contents line (its title and its page number) links to the page where its part starts
    links = contents_links(reader, 1)
    expected = dict(marks[2:])
    assert sorted(links) == sorted(
        [(title, start) for title, start in expected.items()]
        + [(str(start), start) for start in expected.values()]
    )
    assert pages[definitions - 1].startswith("Definitions")
    cover = pages[0]
    assert classification in cover
    assert f"Built {record['built_at']}" in cover
    return pages, marks


def test_a_bad_classification_on_the_command_line_stops_the_build_first(tmp_path) -> None:
    out = tmp_path / "reports"
    process = run_cli("build", "--out", str(out), "--format", "pdf", "--classification", " ")
    assert process.returncode == 2
    assert process.stderr.strip().splitlines() == [
        "error: --classification must be one line of 1 to 60 printable characters"
        " (e.g. \"Confidential\"), got ' '"
    ]
    assert not out.exists()


@pytest.fixture
def sample_pack(sample_printed: Path) -> Path:
    """The latest quarter of the sample's reports printed with their board pack."""
    return sample_printed / "2026Q3"


@pytest.mark.slow
@pytest.mark.browser
def test_the_sample_pack_holds_every_report_in_index_order(sample_pack: Path) -> None:
    pages, marks = check_pack(sample_pack, "Confidential")
    assert len(marks) == 14 + 3, "cover, contents, 14 reports, definitions"
    cover = pages[0]
    dataset = load_dataset(SAMPLE_DATA)
    assert dataset.profile.name in cover
    assert "Board pack · Q3 2026" in cover
    assert f"Data as of 2026-09-30 (data fingerprint {dataset.fingerprint[:16]})" in cover
    assert "Not in this pack" not in cover
    closing = " ".join(pages[marks[-1][1] - 1 :])
    reports = " ".join(pages[2 : marks[-1][1] - 1])
    terms = glossary(dataset)
    used = [term for term in terms if re.search(spelled(term), reports, re.IGNORECASE)]
    assert {"Product sales", "QoQ, YoY", "Year to date"} <= set(used), used
    # Every term the reports print is defined at the end, and only those: the data's own
    # "Material change" (materiality bar) is printed by no report of the sample's pack.
    assert [term for term in used if term not in closing] == []
    assert [term for term in terms if term not in used and term in closing] == []
    assert "Material change" not in used
    assert all("Synthetic sales" in page for page in pages)
    index = (sample_pack / "index.html").read_text(encoding="utf-8")
    assert '<a href="board-pack.pdf">Board pack (PDF)</a>' in index


@pytest.mark.slow
@pytest.mark.browser
def test_a_pack_whose_parts_did_not_change_is_not_printed_again(
    sample_pack: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    shutil.copytree(sample_pack.parent, out)
    pack = out / "2026Q3" / "board-pack.pdf"
    before = pack.stat().st_mtime_ns
    again = run_cli("build", "market-jp", "--out", str(out), "--jobs", "1", "--format", "pdf")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "printed no PDF" in again.stderr
    assert pack.stat().st_mtime_ns == before


@pytest.mark.slow
@pytest.mark.browser
def test_a_pack_no_longer_current_is_kept_and_the_index_says_which_build_printed_it(
    sample_pack: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    shutil.copytree(sample_pack.parent, out)
    folder = out / "2026Q3"
    pack = folder / "board-pack.pdf"
    before = pack.read_bytes()
    printed_at = json.loads((folder / "manifest.json").read_text("utf-8"))["board_pack"]["built_at"]
    # Its cover's classification changes, in a build without PDF output
    html = run_cli("build", "--out", str(out), "--jobs", "2", "--classification", CLASSIFICATION)
    assert html.returncode == 0, html.stdout + html.stderr
    assert pack.read_bytes() == before
    record = json.loads((folder / "manifest.json").read_text("utf-8"))["board_pack"]
    assert record["stale"] is True
    assert record["built_at"] == printed_at
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert '<a href="board-pack.pdf">Board pack (PDF)</a>' in index
    assert f"printed by the build of {printed_at}, before these pages changed" in index
    # A build with PDF output prints it again, current
    again = run_cli(
        "build", "--out", str(out), "--jobs", "2", "--format", "pdf",
        "--classification", CLASSIFICATION,
    )  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    check_pack(folder, CLASSIFICATION)
    assert "stale" not in json.loads((folder / "manifest.json").read_text("utf-8"))["board_pack"]
    assert "before these pages changed" not in (folder / "index.html").read_text("utf-8")


@pytest.fixture(scope="module")
def second_pack(tmp_path_factory) -> tuple[Path, str]:
    """The second company's project, classified in its config, with a market page that fails:
    three reports built to PDF, the others never built. Returns (quarter folder, output)."""
    project = tmp_path_factory.mktemp("second-pack")
    shutil.copytree(SECOND / "data", project / "data")
    shutil.copytree(SECOND / "params", project / "params")
    shutil.copytree(NOTEBOOKS, project / "notebooks")
    market = nbformat.read(project / "notebooks" / "market.ipynb", as_version=4)
    market.cells.insert(3, nbformat.v4.new_code_cell('raise RuntimeError("no market page")'))
    nbformat.write(market, project / "notebooks" / "market.ipynb")
    (project / "portfolio-reports.toml").write_text(
        f'data = "data"\nparams = "params"\nnotebooks = "notebooks"\nout = "reports"\n'
        f'classification = "{CLASSIFICATION}"\n',
        encoding="utf-8",
    )
    reports = ("portfolio-overview", "therapy-area-neurology", "market-us")
    process = run_cli("build", *reports, "--jobs", "2", "--format", "pdf", cwd=project)
    assert process.returncode == 1, process.stdout + process.stderr
    return project / "reports" / "2026Q2", process.stderr


@pytest.mark.slow
@pytest.mark.browser
def test_the_second_company_pack_leaves_out_the_failed_report(second_pack) -> None:
    folder, output = second_pack
    pages, marks = check_pack(folder, CLASSIFICATION)
    assert [title for title, _ in marks[2:-1]] == ["Portfolio overview", "Neurology"]
    cover = pages[0]
    assert load_dataset(SECOND / "data").profile.name in cover
    assert "Board pack · Q2 2026" in cover
    assert "Data as of 2026-06-30" in cover
    assert "market-us (failed)" in cover
    assert "market-jp (not built)" in cover
    assert "not in it: " in output and "market-us (failed)" in output


def parts_ending_on_their_closing_alone(reader: PdfReader) -> list[str]:
    """The pack's reports whose last page holds nothing but their closing lines: the line
    naming what only the HTML report holds and the provenance, under the running header."""
    marks = bookmarks(reader)
    pages = texts(reader)
    alone = []
    for (title, _), (_, following) in itertools.pairwise(marks[2:]):
        last = pages[following - 2]
        body = last.partition(HTML_ONLY)[0] if HTML_ONLY in last else last
        body = body.partition("Provenance ")[0].replace(f"{title} · ", "", 1)
        if not re.sub(r"\d{4}Q\d|Synthetic sales|Confidential|Page \d+ of \d+", "", body).strip():
            alone.append(title)
    return alone


@pytest.mark.slow
@pytest.mark.browser
def test_no_report_in_the_pack_ends_on_a_page_of_its_closing_lines_alone(sample_pack: Path):
    assert parts_ending_on_their_closing_alone(PdfReader(sample_pack / "board-pack.pdf")) == []
