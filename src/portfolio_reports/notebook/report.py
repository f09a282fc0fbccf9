"""What report notebooks call: one slice and quarter, each section a chart or a table.

Start with `open_report`; docs/explore.md is the guide to exploring in Jupyter, and
notebooks/exploratory/explore-portfolio.ipynb the worked example.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from portfolio_reports.analysis import metrics
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.builder.fingerprints import drawings_folder
from portfolio_reports.builder.kinds import KINDS, unset_scope
from portfolio_reports.config import Materiality, load_config, materiality_problem, project_data
from portfolio_reports.data.dataset import Dataset, load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.errors import ParamsError
from portfolio_reports.notebook.commercial import CommercialSections
from portfolio_reports.notebook.definitions import DefinitionSections
from portfolio_reports.notebook.income import IncomeSections
from portfolio_reports.notebook.movers import MoverSections
from portfolio_reports.notebook.page import Page, PageArea
from portfolio_reports.notebook.pipeline import PipelineSections
from portfolio_reports.notebook.record import RecordSections
from portfolio_reports.notebook.story import StorySections
from portfolio_reports.notebook.tiles import TileSections
from portfolio_reports.presentation import drawings, narrative, palette
from portfolio_reports.presentation.charts import Chart
from portfolio_reports.presentation.figures import KEY_FIGURE, SCOPE, PageFigures
from portfolio_reports.presentation.tables import Html, folded

AREAS: dict[str, type[PageArea]] = {
    "tiles": TileSections,
    "story": StorySections,
    "commercial": CommercialSections,
    "income": IncomeSections,
    "movers": MoverSections,
    "pipeline": PipelineSections,
    "record": RecordSections,
    "definitions": DefinitionSections,
}
"""The page areas a report is composed of, by the attribute that holds each."""


def open_report(
    data: str | Path | None = None,
    quarter: str | None = None,
    *,
    therapy_area: str | None = None,
    disease_area: str | None = None,
    market: str | None = None,
    region: str | None = None,
    product: str | None = None,
    material_floor: float | None = None,
    material_share: float | None = None,
    kind: str | None = None,
) -> ReportView:
    """Load the data (None: the project's, as configured) and bind one slice and quarter
    (default: the latest in the data); a revenue change is material from `material_floor` and
    `material_share` (None: the project's, as configured).

    The project is the one holding the current folder (a notebook's own folder in Jupyter);
    InputError says where it looked when none configures a data source. Set market or region,
    not both; ParamsError says so in one line otherwise. A `kind`'s notebook (builder.kinds:
    "market", "therapy_area", "product") reports on one slice: with none of its scope parameters
    set, ParamsError asks for one, naming the values in the data.
    """
    if kind is not None and kind not in KINDS:
        raise ParamsError(f"unknown report kind {kind!r}; kinds: {', '.join(KINDS)}")
    given = {"material_floor": material_floor, "material_share": material_share}
    for name, value in given.items():
        problem = None if value is None else materiality_problem(name, value)
        if problem is not None:
            raise ParamsError(f"parameter {name} {problem}")
    chosen = {name: value for name, value in given.items() if value is not None}
    settings = {**(load_config().settings if len(chosen) < len(given) else {}), **chosen}
    rule = Materiality.of(settings)
    dataset = load_dataset(data if data is not None else project_data(), rule)
    drawings.keep_in(drawings_folder(data))
    scope = Scope(therapy_area, disease_area, market, region, product)
    scoped = KINDS[kind].parameters if kind is not None else ()
    if scoped and all(getattr(scope, name) is None for name in scoped):
        raise ParamsError(unset_scope(f"{kind}.ipynb", scoped, dataset))
    problems = scope.check(dataset)
    if problems:
        raise ParamsError(problems)
    return ReportView(dataset, scope, metrics.resolve_quarter(dataset, quarter))


@dataclass(frozen=True)
class ReportView:
    """The sections of one report: a data set seen through one scope at one quarter.

    Each section is a method of one page area: `tiles` (key figures), `story` (highlights,
    commentary, change counts), `commercial`, `income` (revenue by type, other income),
    `movers`, `pipeline`, `record` (regulatory and clinical) and `definitions`.
    The report answers every section by name, e.g. `report.revenue_table()`.
    """

    dataset: Dataset
    scope: Scope
    quarter: Quarter
    page: Page = field(init=False, repr=False, compare=False)
    tiles: TileSections = field(init=False, repr=False, compare=False)
    story: StorySections = field(init=False, repr=False, compare=False)
    commercial: CommercialSections = field(init=False, repr=False, compare=False)
    income: IncomeSections = field(init=False, repr=False, compare=False)
    movers: MoverSections = field(init=False, repr=False, compare=False)
    pipeline: PipelineSections = field(init=False, repr=False, compare=False)
    record: RecordSections = field(init=False, repr=False, compare=False)
    definitions: DefinitionSections = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        palette.choose(self.dataset.colour_of)
        page = Page(self.dataset, self.scope, self.quarter)
        object.__setattr__(self, "page", page)
        for name, area in AREAS.items():
            object.__setattr__(self, name, area(page))

    def __getattr__(self, name: str) -> Any:
        """A section of one of the page's areas, by name."""
        if not name.startswith("_") and "page" in self.__dict__:
            for area in AREAS:
                if hasattr(AREAS[area], name):
                    return getattr(self.__dict__[area], name)
        raise AttributeError(f"a report has no section {name!r}")

    def __dir__(self) -> list[str]:
        """The report's own names and every section of its areas, for completion in Jupyter."""
        sections = {name for area in AREAS.values() for name in dir(area)}
        public = {name for name in sections - set(dir(PageArea)) if not name.startswith("_")}
        return sorted(set(super().__dir__()) | public)

    @property
    def shown(self) -> dict[str, Any]:
        """Figures the sections drawn so far put on the page, by name (see `figures`)."""
        return self.page.shown

    @staticmethod
    def folded(part: Chart | Html, summary: str) -> Html:
        """`part` behind a one-line summary the reader opens (a <details>, no script), as long
        tables are; nothing when the part is empty."""
        if isinstance(part, Html):
            return part if not part.html else folded(part, summary)
        return folded(Html(part.html, part.frame), summary)

    def appendix_begins(self) -> None:
        """Mark where the page's appendix begins: from here on a table starts folded however
        short it is, as the appendix is read by opening its parts one by one."""
        self.page.position.in_appendix = True

    def figures(self) -> PageFigures:
        """The page's figures for the build's cross-checks; shown in the notebook, not the page.

        The scope and quarter, the index card's key figure, and what the sections drawn so far
        showed: the quarter's revenue in the revenue table, the programmes counted by the
        pipeline chart and listed by the pipeline tables. Call it in the last cell.
        """
        return PageFigures(
            {
                SCOPE: asdict(self.scope),
                "quarter": str(self.quarter),
                KEY_FIGURE: narrative.key_figure(self.dataset, self.scope, self.quarter),
                **self.shown,
            }
        )
