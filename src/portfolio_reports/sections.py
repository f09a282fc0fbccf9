"""What report notebooks call: one slice and quarter, each section a chart or a table."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from html import escape
from typing import Any

import pandas as pd

from portfolio_reports.analysis import commercial, metrics, views
from portfolio_reports.analysis import pipeline as lifecycle
from portfolio_reports.analysis.dated_status import known_status
from portfolio_reports.analysis.definitions import GLOSSARY
from portfolio_reports.analysis.revenue import (
    DEFINITIONS,
    MATERIALITY,
    NOT_ATTRIBUTABLE,
    REVENUE,
    REVENUE_TYPE,
    YEAR_TO_DATE,
    revenue_by_type_rows,
)
from portfolio_reports.analysis.scope import Scope
from portfolio_reports.analysis.trials import result_summaries
from portfolio_reports.data.dataset import Dataset, load_dataset
from portfolio_reports.data.quarters import Quarter
from portfolio_reports.data.schema import GLOBAL_SCOPE, REGIONS, THERAPY_AREAS
from portfolio_reports.errors import ParamsError
from portfolio_reports.presentation import charts, narrative
from portfolio_reports.presentation.charts import Chart
from portfolio_reports.presentation.columns import HEADERS, column_table
from portfolio_reports.presentation.commentary import commentary_html
from portfolio_reports.presentation.figures import (
    KEY_FIGURE,
    REVENUE_FIGURE,
    SCOPE,
    TABLE_PROGRAMMES,
    PageFigures,
)
from portfolio_reports.presentation.formatting import (
    ESTIMATE_MARK,
    INFERRED_MARK,
    date_text,
    dated,
)
from portfolio_reports.presentation.tables import (
    Html,
    Table,
    bullet_list,
    defined,
    folded,
    heat_table,
    html_table,
)
from portfolio_reports.story_sections import KeyFigures
from portfolio_reports.text import counted
from portfolio_reports.view_sections import NOTHING, LeadershipViews

STATUS_LABELS = {status: status.capitalize() for status in lifecycle.STATUSES}
FOLD_ROWS = 4
"""A table of more rows than this, under a chart or a count that sums it up, starts folded."""
NEWS_FOLD_ROWS = 2
"""A table of the quarter's events or results of more rows than this starts folded: the
highlights above give them."""
GLOBAL_TRIAL = "Global trial"
"""What the trial market column shows for a trial run in more than one market."""
EVENT_COLUMNS = [
    "date",
    "event_type",
    "asset",
    "trade_name",
    "market_agency",
    "indication_name",
    "detail",
    "source",
]


def open_report(
    data: str,
    quarter: str | None = None,
    *,
    therapy_area: str | None = None,
    disease_area: str | None = None,
    market: str | None = None,
    region: str | None = None,
) -> ReportView:
    """Load the data and bind one slice and quarter (default: the latest in the data).

    Set market or region, not both; ParamsError says so in one line otherwise.
    """
    dataset = load_dataset(data)
    scope = Scope(therapy_area, disease_area, market, region)
    problems = scope.check(dataset)
    if problems:
        raise ParamsError(problems)
    return ReportView(dataset, scope, metrics.resolve_quarter(dataset, quarter))


def _fold(table: Html, rows: int, summary: str, *, most: int = FOLD_ROWS) -> Html:
    """A table of more than `most` rows folded behind its summary line; a short one as is."""
    return folded(table, summary) if rows > most else table


def _asset(frame: pd.DataFrame) -> pd.Series:
    """Product code with its INN where the two differ, e.g. "HLX10 (serplulimab)"."""
    return views.asset_names(frame)


def _dated(frame: pd.DataFrame, column: str) -> pd.Series:
    """A date column as precisely as each date is known, marked "inferred" or "est." where so.

    Uses the frame's date_precision, estimated and inferred columns where it has them.
    """
    columns = {name: frame.get(name) for name in ("date_precision", "estimated", "inferred")}
    present = {name: values for name, values in columns.items() if values is not None}

    def one(index: object) -> str:
        flags = {name: values.at[index] for name, values in present.items()}
        return dated(
            frame.at[index, column],
            flags.get("date_precision", "day"),
            estimated=bool(flags.get("estimated", False)),
            inferred=bool(flags.get("inferred", False)),
        )

    return pd.Series([one(index) for index in frame.index], index=frame.index, dtype=object)


def _detail_with_status(detail: object, status: object, as_of: pd.Timestamp) -> str:
    """An event's detail, then its status and the month it was reported, e.g.
    "BLA; under review as of Dec 2025"; blank parts left out."""
    stated = "" if pd.isna(status) else f"{status} as of {date_text(as_of, 'month')}"
    return "; ".join(part for part in ("" if pd.isna(detail) else str(detail), stated) if part)


def _market_agency(frame: pd.DataFrame) -> pd.Series:
    """Market code with the agency where one is named, e.g. "US · FDA"."""
    market, agency = frame["market"], frame["agency"]
    return market.where(agency.isna(), market + " · " + agency)


@dataclass(frozen=True)
class ReportView(KeyFigures, LeadershipViews):
    """The sections of one report: a data set seen through one scope at one quarter."""

    dataset: Dataset
    scope: Scope
    quarter: Quarter
    shown: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Figures the sections drawn so far put on the page, by name (see `figures`)."""

    def _sales_chart(self, chart: Chart, by: str | None = None) -> Chart:
        """A revenue chart noted with what its figures mean, and as synthetic when they are."""
        return replace(chart, note=self._meaning(by))

    def _sales_table(self, table: Table, by: str | None = None) -> Table:
        """A revenue table followed by what its figures mean."""
        return defined(table, self._meaning(by))

    def _meaning(self, by: str | None) -> str:
        """What the figures of a revenue breakdown mean (`by`; None: the total), in sentences."""
        sentences = [self.scope.sales_basis, DEFINITIONS[by]]
        if self._synthetic:
            sentences.append("Synthetic figures.")
        return " ".join(dict.fromkeys(sentences))

    def about(self) -> Html:
        """What the report covers and how revenue is counted."""
        lines = [
            f"Scope: {self.scope.label}. Quarter: {self.quarter.label}"
            f" (data as of {self.quarter.end.isoformat()}).",
            self.scope.sales_basis,
        ]
        if self._synthetic:
            lines.append("Sales figures in this data set are synthetic, not reported figures.")
        lines.append(
            f"Dates marked “{ESTIMATE_MARK}” are estimates and events marked “{INFERRED_MARK}”"
            " are inferred, not reported; a month or quarter is as precisely as a date is known"
            " (see the definitions at the end)."
        )
        return bullet_list(lines)

    def glossary(self) -> Table:
        """What each term, count and sum on the page means: one sentence each."""
        terms = pd.DataFrame(GLOSSARY.items(), columns=["term", "definition"])
        return column_table(terms, ["term", "definition"])

    def highlights(self) -> Html:
        """Short sentences with the quarter's numbers."""
        return bullet_list(
            narrative.highlights(self.dataset, self.scope, self.quarter), heading="Highlight"
        )

    @staticmethod
    def commentary(path: str | None) -> Html:
        """The analyst's commentary file, marked as theirs; nothing when there is none."""
        return NOTHING if path is None else commentary_html(path)

    def changes(self) -> Table:
        """Counts of news, readouts and phase changes this quarter against the previous one;
        nothing when all are 0."""
        frame = metrics.changes_since_previous_quarter(self.dataset, self.scope, self.quarter)
        if not frame[["this_quarter", "previous_quarter"]].to_numpy().any():
            return NOTHING
        periods = {
            "this_quarter": self.quarter.label,
            "previous_quarter": self.quarter.previous.label,
        }
        by_quarter = frame.set_index("kind")[list(periods)].T.rename(index=periods)
        kinds = list(by_quarter.columns)
        return html_table(
            by_quarter.rename_axis("quarter").reset_index(),
            columns={"quarter": "Quarter"} | {kind: kind.capitalize() for kind in kinds},
            formats=dict.fromkeys(kinds, "int"),
            caption=f"{self.quarter.label} against {self.quarter.previous.label}",
        )

    def phase_moves(self) -> Table:
        """Indications that moved phase, entered or left the pipeline this quarter; nothing when
        none did (the highlights say so)."""
        frame = metrics.phase_moves(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        shown = frame.assign(asset=_asset(frame), since=_dated(frame, "since"))
        return column_table(
            shown,
            ["asset", "indication_name", "scope", "change", "from_phase", "to_phase", "since"],
            empty="No phase changes this quarter.",
        )

    def quarter_events(self) -> Html:
        """Regulatory events and deals of the quarter, a long list folded (the highlights name
        them); nothing when there were none."""
        frame = metrics.events_in_quarter(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        summary = f"Table: {counted(len(frame), 'event', 'events')} in {self.quarter.label}"
        return _fold(self._events_table(frame), len(frame), summary, most=NEWS_FOLD_ROWS)

    def catalysts(self) -> Html:
        """Events expected in the next four quarters, soonest first, a long list folded (the
        highlights name the first); nothing when none is recorded (the key figures say so)."""
        frame = metrics.upcoming_catalysts(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        horizon = self.quarter.shift(metrics.CATALYST_HORIZON)
        period = f"from {self.quarter.shift(1).label} to {horizon.label}"
        table = column_table(
            frame.assign(asset=_asset(frame)),
            ["expected", "event_type", "asset", "market", "indication_name", "detail", "source"],
            caption=f"Expected {period}",
        )
        summary = f"Table: {counted(len(frame), 'event', 'events')} expected {period}"
        return _fold(table, len(frame), summary)

    def revenue_movers(self) -> Table:
        """Product and market pairs with the largest revenue changes against last quarter."""
        if not self._sells:
            return NOTHING
        frame = commercial.revenue_movers(self.dataset, self.scope, self.quarter)
        table = column_table(
            frame.assign(asset=views.market_brand_names(frame, self.dataset)),
            [
                "asset",
                "market",
                "revenue_rmb_m",
                "previous_quarter_rmb_m",
                "change_rmb_m",
                "qoq",
            ],
            caption=f"{self.quarter.label} against {self.quarter.previous.label}, RMB m",
            empty="No revenue this quarter or the previous one.",
        )
        ranking = (
            "Ranked by the change as shown (RMB m, one decimal); ties go to the larger revenue"
            " this quarter, then product and market code."
        )
        brand = views.VIEW_DEFINITIONS["market brand"]
        return defined(table, " ".join([ranking, MATERIALITY, brand, self._meaning("market")]))

    def sales_note(self) -> Html:
        """Notices: sales figures are synthetic, when they are; a slice shows product sales only;
        nothing without sales (the key figures say so)."""
        if not self._sells:
            return NOTHING
        notes = []
        if self._synthetic:
            notes.append(
                '<p class="notice">Sales figures in this section are synthetic, not reported by'
                " the company.</p>"
            )
        if self.scope != Scope():
            notes.append(f'<p class="definition">{escape(NOT_ATTRIBUTABLE)}</p>')
        return Html("".join(notes))

    def revenue_by_type(self) -> Table:
        """Total revenue by type this quarter and year to date, with growth (whole portfolio)."""
        if self.scope != Scope():
            raise ParamsError([f"{self.scope.label}: {NOT_ATTRIBUTABLE}"])
        frame = commercial.revenue_by_type(self.dataset, self.quarter)
        quarter = self.quarter
        shown = frame.assign(
            revenue_type=frame[REVENUE_TYPE].str.capitalize(),
            this_quarter_rmb_m=frame[REVENUE],
        )
        table = column_table(
            shown,
            [
                "revenue_type",
                "this_quarter_rmb_m",
                "qoq",
                "yoy",
                "year_to_date_rmb_m",
                "year_to_date_yoy",
            ],
            caption=f"Revenue by type, {quarter.label} and year to date"
            f" ({quarter.year_to_date_label})",
        )
        sentences = [DEFINITIONS[REVENUE_TYPE], YEAR_TO_DATE]
        if revenue_by_type_rows(self.dataset)["synthetic"].any():
            sentences.append("Synthetic figures.")
        return defined(table, " ".join(sentences))

    def revenue_trend(self) -> Chart | Html:
        """Revenue per quarter over two years, with YoY growth; nothing without sales (the key
        figures say so)."""
        if not self._sells:
            return NOTHING
        frame = commercial.revenue_by_quarter(self.dataset, self.scope, self.quarter)
        title = f"Product sales per quarter, {self.scope.label} (RMB m)"
        return self._sales_chart(charts.revenue_trend(frame, title=title))

    def revenue_table(self) -> Html:
        """Revenue per quarter over two years, with QoQ and YoY growth, folded under the chart;
        none without sales."""
        frame = commercial.revenue_by_quarter(self.dataset, self.scope, self.quarter)
        self.shown[REVENUE_FIGURE] = float(frame[REVENUE].iloc[-1])
        if not self._sells:
            return NOTHING
        table = self._sales_table(column_table(frame, ["quarter", "revenue_rmb_m", "qoq", "yoy"]))
        summary = f"Table: product sales per quarter, {frame['quarter'].iloc[0]} to {self.quarter}"
        return _fold(table, len(frame), summary)

    def revenue_mix(self, by: str) -> Chart | Html:
        """Revenue per quarter stacked by product, market, region or area."""
        if not self._sells:
            return NOTHING
        frame = commercial.revenue_history_by(self.dataset, self.scope, self.quarter, by=by)
        chart = charts.stacked_revenue(
            frame,
            index="quarter",
            columns=by,
            values="revenue_rmb_m",
            title=f"Product sales by {HEADERS[by].lower()}, {self.scope.label} (RMB m)",
        )
        return self._sales_chart(chart, by)

    def revenue_breakdown(self, by: str) -> Html:
        """Revenue this quarter by product, market, region or area, with growth and mix; a long
        table folded; nothing when it has one row (the page's own total, as the key figures
        give it: a one-market page by geography, say)."""
        if not self._sells:
            return NOTHING
        frame = commercial.revenue_by(self.dataset, self.scope, self.quarter, by=by)
        if len(frame) < 2:
            return NOTHING
        if by == "product":
            frame = metrics.with_inn(frame, self.dataset)
            frame = frame.assign(asset=_asset(frame))
        table = column_table(
            frame,
            [
                "asset" if by == "product" else by,
                "revenue_rmb_m",
                "previous_quarter_rmb_m",
                "qoq",
                "year_ago_rmb_m",
                "yoy",
                "mix",
            ],
            caption=f"Product sales by {HEADERS[by].lower()}, {self.quarter.label}",
            empty="No revenue this quarter.",
        )
        summary = (
            f"Table: product sales by {HEADERS[by].lower()}, {self.quarter.label}"
            f" ({counted(len(frame), 'row', 'rows')})"
        )
        return _fold(self._sales_table(table, by), len(frame), summary)

    def top_products(self) -> Chart | Html:
        """The products with the most revenue this quarter."""
        if not self._sells:
            return NOTHING
        frame = commercial.top_products(self.dataset, self.scope, self.quarter)
        chart = charts.horizontal_bars(
            frame.assign(asset=_asset(frame)),
            label="asset",
            value="revenue_rmb_m",
            title=f"Top products by product sales, {self.quarter.label} (RMB m)",
            unit="RMB m",
        )
        return self._sales_chart(chart, "product")

    def area_summary(self) -> Table:
        """Revenue this quarter and approvals to date per therapy area and region."""
        if not self._sells:
            return NOTHING
        frame = commercial.area_summary(self.dataset, self.scope, self.quarter, by="region")
        areas = [area for area in THERAPY_AREAS if area in set(frame["therapy_area"])]
        regions = [region for region in REGIONS if region in set(frame["region"])]

        def grid(values: str) -> pd.DataFrame:
            wide = frame.pivot_table(
                index="therapy_area", columns="region", values=values, aggfunc="sum"
            )
            return (
                wide.reindex(index=areas, columns=regions)
                .fillna(0)
                .rename_axis(index="Therapy area", columns=None)
            )

        table = heat_table(
            grid("revenue_rmb_m"),
            counts=grid("approvals"),
            count_noun=("approval", "approvals"),
            caption=f"Product sales in {self.quarter.label}, RMB m, and approvals to date",
        )
        return self._sales_table(table, "therapy_area")

    def portfolio_counts(self) -> Table:
        """The portfolio counts the company states, each with its definition."""
        frame = metrics.portfolio_counts(self.dataset, self.scope, self.quarter)
        return column_table(
            frame,
            ["count", "value", "definition"],
            caption=f"{self.scope.label}, end of {self.quarter.label}",
        )

    def pipeline_summary(self) -> Table:
        """Programmes by status at quarter end, run in the scope and global, under one sentence."""
        counts = metrics.programme_counts(self.dataset, self.scope, self.quarter)
        labels = {**STATUS_LABELS, lifecycle.LIFE_CYCLE: "of which life-cycle (in development)"}
        order = [lifecycle.IN_DEVELOPMENT, lifecycle.LIFE_CYCLE, lifecycle.APPROVED]
        frame = counts.reindex([*order, lifecycle.DISCONTINUED]).rename(index=labels)
        return column_table(
            frame.rename(columns=self._coverage_names).reset_index(),
            ["status", *self._coverage_names.values()],
            caption=narrative.programmes_sentence(self.dataset, self.scope, self.quarter),
        )

    @staticmethod
    def pipeline_definitions() -> Html:
        """Each pipeline definition in one sentence."""
        return bullet_list(list(lifecycle.DEFINITIONS.values()), heading="Definition")

    def pipeline_chart(self, by: str = "therapy_area") -> Chart | Html:
        """Programmes in development per phase, stacked by area or by local and global."""
        frame = metrics.pipeline_counts_by_phase(self.dataset, self.scope, self.quarter, by=by)
        if by == lifecycle.COVERAGE:
            frame = frame.rename(columns=self._coverage_names).rename_axis(columns="scope")
        total = int(frame.to_numpy().sum())
        self._drew_programmes(total)
        if not total:
            return NOTHING
        noun = "programme" if total == 1 else "programmes"
        return charts.phase_counts(
            frame,
            title=f"{total} {noun} in development by phase and {HEADERS[by].lower()},"
            f" {self.quarter.label}",
        )

    def pipeline_table(self, coverage: str | None = None) -> Html:
        """Programmes in development at quarter end; only local or global ones when asked."""
        frame = metrics.pipeline_snapshot(self.dataset, self.scope, self.quarter)
        if coverage is not None:
            frame = frame[frame[lifecycle.COVERAGE] == coverage]
        shown = frame.assign(
            asset=_asset(frame),
            since=_dated(frame, "since"),
            programme_type=frame[lifecycle.LIFE_CYCLE].map({True: "Life-cycle", False: "New"}),
        )
        place = self.scope.place(self.dataset)
        kind = "global " if coverage == lifecycle.GLOBAL else ""
        where = f"run in {place}" if coverage == lifecycle.LOCAL and place else ""
        count = len(shown)
        self.shown[TABLE_PROGRAMMES] = self.shown.get(TABLE_PROGRAMMES, 0) + count
        noun = f"{kind}programme" if count == 1 else f"{kind}programmes"
        caption = " ".join(f"{count} {noun} in development {where}".split())
        table = column_table(
            shown,
            [
                "asset",
                "target",
                "modality",
                "indication_name",
                "line_of_therapy",
                "programme_type",
                "phase",
                "scope",
                "since",
            ],
            caption=caption,
            empty=f"No {kind}programmes in development {where}".rstrip() + ".",
        )
        return _fold(table, count, f"Table: {caption}")

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

    @property
    def _coverage_names(self) -> dict[str, str]:
        """Headers for local and global programmes, naming the scope's market or region."""
        place = self.scope.place(self.dataset)
        local = f"Run in {place}" if place else HEADERS[lifecycle.LOCAL]
        return {lifecycle.LOCAL: local, lifecycle.GLOBAL: "Global"}

    def approval_matrix(self) -> Chart | Html:
        """Which product is approved in which market at quarter end; nothing when none is or
        for one market alone (the key figures count its products)."""
        frame = metrics.approval_matrix(self.dataset, self.scope, self.quarter)
        if frame.empty or len(frame.columns) < 2:
            return NOTHING
        return charts.presence_matrix(
            frame, title=f"Approved products by market, end of {self.quarter.label}"
        )

    def approvals_by_market(self) -> Table:
        """Approvals and accepted filings to date per market and agency."""
        frame = metrics.approvals_and_filings(self.dataset, self.scope, self.quarter)
        return column_table(frame, ["market", "agency", "approvals", "filings"])

    def filings_under_review(self) -> Html:
        """Filings accepted and not yet decided at quarter end, oldest first; a long list folded
        behind its count."""
        frame = metrics.filings_under_review(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        table = self._events_table(frame)
        summary = f"Table: {counted(len(frame), 'filing', 'filings')} under review at the end of"
        return _fold(table, len(frame), f"{summary} {self.quarter.label}")

    def events_to_date(self, kind: str) -> Table:
        """Approvals, filings, designations or licence deals to date, newest first."""
        frame = metrics.events_to_date(self.dataset, self.scope, self.quarter, kind)
        return self._events_table(frame, f"No {kind} to date.")

    @staticmethod
    def folded(part: Chart | Html, summary: str) -> Html:
        """`part` behind a one-line summary the reader opens (a <details>, no script), as long
        tables are; nothing when the part is empty."""
        if isinstance(part, Html):
            return part if not part.html else folded(part, summary)
        return folded(Html(part.html, part.frame), summary)

    def appendix(self) -> Html:
        """The full record to date, each part folded: approvals and filings by market, approvals,
        filings and designations, licence deals and clinical results.

        Its frame is the main part's, approvals and filings by market; each part's own is that
        section's (`approvals_by_market`, `events_to_date`, `clinical_results`).
        """
        parts = {
            "Approvals and filings by market": self.approvals_by_market(),
            **{
                f"{kind.capitalize()} to date": self.events_to_date(kind)
                for kind in ("approvals", "filings and designations", "licence deals")
            },
            "Clinical results to date": self.clinical_results(),
        }
        sections = "".join(folded(table, title).html for title, table in parts.items())
        main = parts["Approvals and filings by market"].frame
        return Html(f'<div class="appendix">{sections}</div>', main)

    def readouts(self) -> Html:
        """Clinical results reported this quarter, a long list folded (the highlights give
        them); nothing when there were none."""
        frame = metrics.readouts_in_quarter(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        results = counted(len(frame), "result", "results")
        summary = f"Table: {results} reported in {self.quarter.label}"
        return _fold(self._clinical_table(frame), len(frame), summary, most=NEWS_FOLD_ROWS)

    def clinical_results(self) -> Table:
        """Every clinical result relevant to the slice, newest first."""
        frame = metrics.clinical_results_to_date(self.dataset, self.scope, self.quarter)
        return self._clinical_table(frame, "No clinical results in this scope.")

    def _events_table(self, frame: pd.DataFrame, empty: str | None = None) -> Table:
        """Regulatory events with their date, product, market and agency, and source.

        The detail ends with the event's status as of the date it was reported, when that date
        is not after the quarter's end.
        """
        status = known_status(frame, self.quarter)
        details = [
            _detail_with_status(detail, state, as_of)
            for detail, state, as_of in zip(
                frame["detail"], status, frame["status_as_of"], strict=True
            )
        ]
        shown = frame.assign(
            date=_dated(frame, "date"),
            asset=_asset(frame),
            market_agency=_market_agency(frame),
            detail=pd.Series(details, index=frame.index, dtype=object),
        )
        return column_table(shown, EVENT_COLUMNS, empty=empty)

    @staticmethod
    def _clinical_table(frame: pd.DataFrame, empty: str | None = None) -> Table:
        """Clinical results, one line per trial, endpoint and population: arms, result, n."""
        results = result_summaries(frame).merge(
            frame[["trial", "indication_name"]].drop_duplicates("trial"), on="trial", how="left"
        )
        shown = results.assign(
            date=_dated(results, "date"),
            trial=results["trial"] + " (" + results["phase"] + ")",
            result=narrative.result_lines(results),
            run_in=results["market"].replace(GLOBAL_SCOPE, GLOBAL_TRIAL),
        )
        return column_table(
            shown,
            [
                "date",
                "trial",
                "indication_name",
                "population",
                "arms",
                "result",
                "run_in",
                "source",
            ],
            empty=empty,
        )
