"""Turn executed report notebooks into self-contained HTML pages, through nbconvert."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Any

import lxml.html
import nbformat
from lxml.html import HtmlElement
from markupsafe import Markup
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.preprocessors import Preprocessor
from traitlets.config import Config

from portfolio_reports.errors import RenderError
from portfolio_reports.paths import GLOSSARY_PAGE
from portfolio_reports.presentation.figures import is_figures
from portfolio_reports.presentation.pages import BUILD_TIME_KEY, TEMPLATES, PageInfo, render_page
from portfolio_reports.presentation.tables import (
    GLOSSARY_CLASS,
    PAGE_HTML,
    TABLE_SUMMARY,
    for_report,
)

NBCONVERT_TEMPLATE = "portfolio_report"
REMOVED_CELL_TAGS = frozenset({"parameters", "injected-parameters", "papermill-error-cell-tag"})
"""Cells with any of these tags are left out of the page entirely."""
_OUTPUT_PRIORITY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/plain",
    "text/latex",
]
_ERROR_CHARS = 300
_HEADING_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_UNKNOWN_VOID = ("embed", "source", "track", "wbr")
"""HTML's void elements that libxml2's parser and serializer take for containers."""
_VOID_END_TAG = re.compile(rf"(<({'|'.join(_UNKNOWN_VOID)})\b[^<>]*>)</\2>")
APPENDIX_HEADING = "appendix"
"""The h2 (any case) from which a report's cells are left out of print: histories stay in HTML."""
REVENUE_CAPTION = re.compile(r"\b(sales|revenue)\b", re.IGNORECASE)
"""A table whose caption matches this is a revenue table: its row labels link to drill-downs."""
PRINT_MAX_ROWS = 12
"""A table longer than this is left out of print (a line says so): the HTML keeps it whole."""
PRINT_TAG = "print"
"""The cell tag that puts a cell's outputs in print: a notebook with such tags prints only them
(with their sections' headings) and names the rest in a closing line; one without prints all
but its appendix."""
PRINT_OMIT = "print_omit"
"""The key marking a cell, and each of its outputs, left out of print (see PRINT_TAG)."""
UNDESCRIBED_IMAGE = "An image without a description"
"""The alt text of an image its output gave none (a plain matplotlib figure, say)."""
HTML_ONLY = "In the HTML report: "
"""How the printed closing line, naming the parts left out of print, starts."""


@dataclass(frozen=True)
class _Heading:
    """A table-of-contents entry: heading level, the id it links to, its text."""

    level: int
    anchor: str
    text: str


def _heading_level(cell: nbformat.NotebookNode) -> int | None:
    """The level of the heading a markdown cell opens with (2 for "## ..."); None for others."""
    if cell.cell_type != "markdown":
        return None
    first = cell.source.lstrip()
    level = len(first) - len(first.lstrip("#"))
    return level if level > 0 and first[level : level + 1] == " " else None


def _is_blank(output: nbformat.NotebookNode) -> bool:
    """Whether an output is an empty HTML fragment: a section with nothing to show."""
    html = output.get("data", {}).get("text/html")
    return html is not None and not str(html).strip()


def _without_empty_sections(cells: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Cells without blank outputs, and without the headings of sections whose every code cell,
    subsections included, shows nothing (a market without sales has no revenue mix to head)."""
    cells = [
        nbformat.NotebookNode(
            {**cell, "outputs": [output for output in cell.outputs if not _is_blank(output)]}
        )
        if cell.cell_type == "code"
        else cell
        for cell in cells
    ]
    levels = [_heading_level(cell) for cell in cells]
    empty = set()
    for start, level in enumerate(levels):
        if level is None:
            continue
        end = next(
            (index for index in range(start + 1, len(cells)) if (levels[index] or 99) <= level),
            len(cells),
        )
        code = [cell for cell in cells[start + 1 : end] if cell.cell_type == "code"]
        if code and not any(cell.outputs for cell in code):
            empty.add(start)
    return [cell for index, cell in enumerate(cells) if index not in empty]


def _mark_print_set(cells: list[nbformat.NotebookNode]) -> bool:
    """Mark the cells left out of print when any cell is tagged PRINT_TAG: every untagged code
    cell, the appendix heading and each other markdown cell whose section prints nothing (a
    chosen cell that shows nothing prints nothing).
    Whether the notebook chose its print set."""
    tagged = [PRINT_TAG in cell.metadata.get("tags", ()) for cell in cells]
    if not any(tagged):
        return False
    printed = [
        chosen and bool(cell.get("outputs")) for chosen, cell in zip(tagged, cells, strict=True)
    ]
    levels = [_heading_level(cell) for cell in cells]
    for start, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            cell.metadata[PRINT_OMIT] = not printed[start]
            continue
        level = levels[start] or 7
        end = next(
            (index for index in range(start + 1, len(cells)) if (levels[index] or 99) <= level),
            len(cells),
        )
        appendix = level == 2 and cell.source.lstrip("# ").lower().startswith(APPENDIX_HEADING)
        cell.metadata[PRINT_OMIT] = appendix or not any(printed[start + 1 : end])
    return True


class _ReportCleanup(Preprocessor):
    """Drop the title line, the page's figures, stderr output, notebook boxes and sections with
    nothing to show; cut errors to one line each."""

    def preprocess(
        self, nb: nbformat.NotebookNode, resources: dict[str, Any]
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        """Strip the title line (the page header states the title), then clean every cell."""
        resources["errors"] = []
        if nb.cells and nb.cells[0].cell_type == "markdown":
            first_line, _, rest = nb.cells[0].source.partition("\n")
            if first_line.startswith("# "):
                nb.cells[0].source = rest
        nb.cells = _without_empty_sections(
            [
                cell
                for cell in nb.cells
                if not (cell.cell_type == "code" and any(map(is_figures, cell.get("outputs", []))))
            ]
        )
        resources["print_set"] = _mark_print_set(nb.cells)
        return super().preprocess(nb, resources)

    def preprocess_cell(
        self, cell: nbformat.NotebookNode, resources: dict[str, Any], index: int
    ) -> tuple[nbformat.NotebookNode, dict[str, Any]]:
        """Remove stderr streams; take each section's page HTML (PAGE_HTML) for its notebook's;
        keep only the exception name and first message line."""
        if cell.cell_type != "code":
            return cell, resources
        cell.outputs = [
            output
            for output in cell.outputs
            if not (output.output_type == "stream" and output.name == "stderr")
            and not _is_clean_exit(output)
        ]
        for output in cell.outputs:
            if cell.metadata.get(PRINT_OMIT):
                output[PRINT_OMIT] = True
            if "text/html" in output.get("data", {}):
                output.data["text/html"] = for_report(output.data)
                output.data.pop(PAGE_HTML, None)
            if output.output_type == "error":
                message = (output.evalue.strip().splitlines() or [""])[0]
                if len(message) > _ERROR_CHARS:
                    message = message[: _ERROR_CHARS - 1] + "…"
                output.evalue = message
                output.traceback = []
                resources["errors"].append(f"{output.ename}: {message}")
        return cell, resources


def _is_clean_exit(output: nbformat.NotebookNode) -> bool:
    """Whether an output is `sys.exit(0)` (or `sys.exit()`): a clean end, as papermill takes it."""
    return (
        output.output_type == "error"
        and output.ename == "SystemExit"
        and output.evalue in ("", "0")
    )


class _BodyExporter(HTMLExporter):
    """nbconvert's HTML exporter without its closing pass over the page.

    That pass parses the whole page again to give images without alt text a stock one and to
    make JupyterLab's cell boxes focusable; the report template draws no such boxes, and
    `render_report` parses the page once for all its changes, alt text included.
    """

    def from_notebook_node(  # type: ignore[override]
        self,
        nb: nbformat.NotebookNode,
        resources: dict[str, Any] | None = None,
        **kw: Any,
    ) -> tuple[str, dict[str, Any]]:
        """The page body, as the template renders it."""
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@functools.cache
def _exporter() -> HTMLExporter:
    """The nbconvert exporter for report bodies: our template, no code, no parameters."""
    config = Config()
    config.HTMLExporter.template_name = NBCONVERT_TEMPLATE
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.exclude_raw = True
    config.HTMLExporter.exclude_unknown = True
    # sanitize_html stays off: text/html outputs come from our escaping table and chart
    # helpers, and nbconvert's sanitizer would strip their <figure>, <img> and <th>.
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_CELL_TAGS)
    config.NbConvertBase.display_data_priority = _OUTPUT_PRIORITY
    # The notebook is validated once, after its preprocessors, instead of after each of the
    # dozen the exporter runs (most of them disabled, so no-ops): half the export's CPU.
    config.HTMLExporter.optimistic_validation = True
    exporter = _BodyExporter(config=config)
    exporter.register_preprocessor(_ReportCleanup(), enabled=True)
    return exporter


def _has_class(element: HtmlElement, name: str) -> bool:
    """Whether `element` has the class `name`."""
    return name in _classes(element)


def _classes(element: HtmlElement) -> list[str]:
    """An element's classes."""
    return (element.get("class") or "").split()


def _first(element: HtmlElement, *tags: str, class_name: str | None = None) -> HtmlElement | None:
    """The first element within `element`, in page order, named any of `tags` (any name when
    none), with the class `class_name` when given."""
    return next(
        (
            found
            for found in element.iterdescendants(*tags)
            if class_name is None or _has_class(found, class_name)
        ),
        None,
    )


def _ancestor(element: HtmlElement, class_name: str, tag: str | None = None) -> HtmlElement | None:
    """The nearest element around `element` with the class `class_name` (and named `tag`)."""
    return next(
        (found for found in element.iterancestors(tag) if _has_class(found, class_name)), None
    )


def _words(element: HtmlElement, separator: str = "", *, strip: bool = False) -> str:
    """The text within `element`, its strings joined by `separator` (stripped, and empty ones
    left out, with `strip`)."""
    strings = element.itertext()
    if strip:
        strings = (string.strip() for string in strings if string.strip())
    return separator.join(strings)


def _new(tag: str, text: str | None = None, **attributes: str) -> HtmlElement:
    """A new element with `attributes` (`class_` for class) and `text`."""
    element: HtmlElement = lxml.html.Element(
        tag, {name.rstrip("_"): value for name, value in attributes.items()}
    )
    element.text = text
    return element


def _parse(body: str) -> HtmlElement:
    """The page body as one `div` around its parts; what libxml2 puts inside a void element it
    does not know (a `source`, say) moved after it, where HTML has it."""
    root: HtmlElement = lxml.html.fragment_fromstring(body, create_parent="div")
    for void in list(root.iter(*_UNKNOWN_VOID)):
        tail = void.tail or ""
        void.tail, void.text = void.text, None
        last = void
        for child in list(void):
            last.addnext(child)
            last = child
        last.tail = (last.tail or "") + tail
    return root


def _serialize(root: HtmlElement) -> str:
    """The parts within `root` as HTML, without `root` itself, and without an end tag for any
    void element."""
    parts = html.escape(root.text or "", quote=False) + "".join(
        lxml.html.tostring(part, encoding="unicode") for part in root
    )
    return _VOID_END_TAG.sub(r"\1", parts)


def _describe_images(root: HtmlElement) -> None:
    """Give each image without alt text UNDESCRIBED_IMAGE (an empty one says it is decoration)."""
    for image in root.iter("img"):
        if image.get("alt") is None:
            image.set("alt", UNDESCRIBED_IMAGE)


def _link_headings(root: HtmlElement) -> list[_Heading]:
    """Make repeated heading ids unique and list the h2/h3 headings for the contents."""
    taken: set[str] = set()
    contents: list[_Heading] = []
    for heading in root.iter(*_HEADING_TAGS):
        anchor = base = heading.get("id")
        if base is None:
            continue
        number = 1
        while anchor in taken:
            number += 1
            anchor = f"{base}-{number}"
        taken.add(anchor)
        heading.set("id", anchor)
        link = _first(heading, "a", class_name="anchor-link")
        if link is not None:
            link.set("href", f"#{anchor}")
        if heading.tag in ("h2", "h3"):
            text = " ".join("".join(_strings(heading, link, printed=False)).split()) or anchor
            contents.append(_Heading(int(heading.tag[1]), anchor, text))
    return contents


def _link_drill_downs(root: HtmlElement, drill_downs: dict[str, str]) -> tuple[str, ...]:
    """Link each revenue table row whose label names a report to that report; return every
    revenue table row's label, linked or not, in page order without repeats."""
    labels: dict[str, None] = {}
    for table in root.iter("table"):
        caption = _first(table, "caption")
        if caption is None or not REVENUE_CAPTION.search(_words(caption)):
            continue
        for row in _body_rows(table):
            label = _first(row, "th", "td")
            if label is None:
                continue
            text = _words(label, strip=True)
            labels[text] = None
            href = drill_downs.get(text)
            if href is not None and _first(label, "a") is None:
                link = _new("a", label.text, href=href)
                label.text = None
                link.extend(list(label))
                label.append(link)
    return tuple(labels)


def _omit_from_print(element: HtmlElement) -> bool:
    """Give `element` the class that print leaves out; False when it already had it."""
    classes = _classes(element)
    if "print-omit" in classes:
        return False
    element.set("class", " ".join([*classes, "print-omit"]))
    return True


def _mark_long_tables(root: HtmlElement) -> None:
    """Leave tables of more than PRINT_MAX_ROWS rows out of print, saying so where they were."""
    for table in list(root.iter("table")):
        rows = len(_body_rows(table))
        output = _ancestor(table, "output-html", "div")
        if rows <= PRINT_MAX_ROWS or output is None or not _omit_from_print(output):
            continue
        output.addnext(
            _new(
                "p", f"A table of {rows} rows here is in the HTML report only.", class_="print-only"
            )
        )


def _title(part: HtmlElement) -> str | None:
    """What a part of the page is called: its heading, fold, caption, chart title or alt text."""
    found = _first(part, "h2", "h3", "summary", "caption", "figcaption")
    if found is None:
        image = _first(part, "img")
        return (image.get("alt") or None) if image is not None else None
    title = _first(found, class_name="chart-title")
    if title is None:
        title = found
    words = " ".join(_words(title, " ").replace("¶", "").split())
    return words.removeprefix(TABLE_SUMMARY).rstrip(":") or None


def _title_chosen_folds(root: HtmlElement) -> None:
    """Give each printed fold without a caption of its own its summary line as a printed title
    (print leaves the summary out)."""
    for fold in list(root.iter("details")):
        if (
            not _has_class(fold, "fold")
            or _first(fold, "caption", "figcaption") is not None
            or _ancestor(fold, "print-omit") is not None
        ):
            continue
        fold.addprevious(_new("p", _title(fold) or "", class_="print-only fold-title"))


def _name_html_only(root: HtmlElement) -> None:
    """End the page, in print only, with a line naming the parts left out of print; a section
    left out is named by its heading alone, the appendix by its parts."""
    names: list[str] = []
    skipped_below: int | None = None
    for part in root.iterchildren("div"):
        heading = _first(part, "h2", "h3") if _has_class(part, "markdown") else None
        level = int(heading.tag[1]) if heading is not None else None
        if level is not None and skipped_below is not None and level <= skipped_below:
            skipped_below = None
        if skipped_below is not None or not _has_class(part, "print-omit"):
            continue
        if heading is not None and _is_appendix(heading):
            continue
        skipped_below = level
        title = _title(part)
        if title and title not in names:
            names.append(title)
    if names:
        root.append(_new("p", HTML_ONLY + "; ".join(names) + ".", class_="print-only html-only"))


def _is_appendix(heading: HtmlElement) -> bool:
    """Whether a heading is the appendix's."""
    return (
        heading.tag == "h2" and _words(heading, strip=True).rstrip("¶").lower() == APPENDIX_HEADING
    )


def _mark_appendix(root: HtmlElement) -> None:
    """Mark the appendix heading's cell and every cell after it to be left out of print."""
    heading = next((h for h in root.iter("h2") if _is_appendix(h)), None)
    cell = _ancestor(heading, "markdown", "div") if heading is not None else None
    if cell is None:
        return
    for part in (cell, *cell.itersiblings("div")):
        _omit_from_print(part)


def _strings(element: HtmlElement, leaving_out: HtmlElement | None, *, printed: bool) -> list[str]:
    """The strings of `element` outside `leaving_out`, in page order; with `printed`, only
    those print keeps. One walk down the tree that skips whole parts, not a climb up from every
    string."""
    strings: list[str] = []

    def walk(part: HtmlElement) -> None:
        if part.text:
            strings.append(part.text)
        for child in part:
            if not (
                child is leaving_out
                or not isinstance(child.tag, str)
                or (printed and _has_class(child, "print-omit"))
            ):
                walk(child)
            if child.tail:
                strings.append(child.tail)

    walk(element)
    return strings


def _body_rows(element: HtmlElement) -> list[HtmlElement]:
    """The rows of the table bodies within `element`, in page order (CSS `tbody tr`)."""
    rows: list[HtmlElement] = element.xpath(".//tbody//tr")
    return rows


def _cut_glossary(root: HtmlElement, *, linked: bool) -> None:
    """Keep in the page's glossary only the terms the rest of the page shows (a term of several
    spellings, "QoQ, YoY", when it shows any), in print only those it prints, and link the
    quarter's glossary when `linked`."""
    block = _first(root, "details", class_name=GLOSSARY_CLASS)
    if block is None:
        return
    shown = " ".join(_strings(root, block, printed=False))
    printed = " ".join(_strings(root, block, printed=True))
    for row in _body_rows(block):
        term = _words(row, "|", strip=True).partition("|")[0]
        spellings = "|".join(re.escape(spelling.strip()) for spelling in term.split(","))
        pattern = re.compile(rf"(?<!\w)(?:{spellings})(?!\w)", re.IGNORECASE)
        if not pattern.search(shown):
            row.drop_tree()
        elif not pattern.search(printed):
            _omit_from_print(row)
    if linked:
        link = _new("p", class_="glossary-link")
        link.append(_new("a", "Every term of the quarter's reports", href=GLOSSARY_PAGE))
        block.append(link)


@dataclass(frozen=True)
class RenderedReport:
    """A report's self-contained HTML page, and the row labels its revenue tables show."""

    html: str
    row_labels: tuple[str, ...]
    """What decides which reports the page's rows link to (see keys.KEY_PARTS, `links`)."""


def render_report(notebook: nbformat.NotebookNode, page: PageInfo) -> RenderedReport:
    """Render an executed report notebook as one self-contained HTML page."""
    try:
        body, resources = _exporter().from_notebook_node(notebook)
    except Exception as exc:
        raise RenderError(f"cannot render report {page.title!r}: {exc}") from exc
    provenance = dict(page.provenance)
    root = _parse(body)
    _describe_images(root)
    contents = _link_headings(root)
    row_labels = _link_drill_downs(root, dict(page.drill_downs))
    if resources["print_set"]:
        _title_chosen_folds(root)
        _name_html_only(root)
    else:
        _mark_appendix(root)
        _mark_long_tables(root)
    _cut_glossary(root, linked=page.index is not None)
    html = render_page(
        "report.html.j2",
        page=page,
        body=Markup(_serialize(root)),
        toc=contents,
        print_set=resources["print_set"],
        errors=resources["errors"],
        built=provenance.pop(BUILD_TIME_KEY, ""),
        provenance=provenance,
    )
    return RenderedReport(html, row_labels)
