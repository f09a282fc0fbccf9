"""What report notebooks call: one slice and quarter, each section a chart or a table."""

from __future__ import annotations

from dataclasses import dataclass

from portfolio_reports import charts, metrics, narrative
from portfolio_reports.charts import Chart
from portfolio_reports.dataset import Dataset, load_dataset
from portfolio_reports.errors import ParamsError
from portfolio_reports.quarters import Quarter
from portfolio_reports.slices import Scope
from portfolio_reports.tables import Html, Table, bullet_list, html_table

HEADERS = {
    "quarter": "Quarter",
    "product": "Product",
    "inn": "INN",
    "trade_name": "Brand",
    "target": "Target",
    "modality": "Modality",
    "indication_name": "Indication",
    "line_of_therapy": "Line",
    "therapy_area": "Therapy area",
    "disease_area": "Disease area",
    "scope": "Scope",
    "phase": "Phase",
    "since": "Since",
    "from_phase": "From",
    "to_phase": "To",
    "change": "Change",
    "date": "Date",
    "event_type": "Event",
    "market": "Market",
    "region": "Region",
    "agency": "Agency",
    "detail": "Detail",
    "estimated": "Estimate",
    "source": "Source",
    "trial": "Trial",
    "endpoint": "Endpoint",
    "population": "Population",
    "arm": "Arm",
    "value": "Value",
    "unit": "Unit",
    "hazard_ratio": "HR",
    "note": "Note",
    "revenue_rmb_m": "Revenue (RMB m)",
    "previous_quarter_rmb_m": "Previous quarter (RMB m)",
    "year_ago_rmb_m": "Year ago (RMB m)",
    "change_rmb_m": "Change (RMB m)",
    "qoq": "QoQ",
    "yoy": "YoY",
    "mix": "Mix",
    "approvals": "Approvals",
    "filings": "Filings accepted",
    "direction": "Direction",
    "kind": "Kind",
    "this_quarter": "This quarter",
    "previous_quarter": "Previous quarter",
}
FORMATS = {
    "since": "date",
    "date": "date",
    "source": "url",
    "estimated": "bool",
    "value": "money",
    "hazard_ratio": "text",
    "revenue_rmb_m": "money",
    "previous_quarter_rmb_m": "money",
    "year_ago_rmb_m": "money",
    "change_rmb_m": "money",
    "qoq": "signed_percent",
    "yoy": "signed_percent",
    "mix": "percent",
    "approvals": "int",
    "filings": "int",
    "this_quarter": "int",
    "previous_quarter": "int",
}


def open_report(
    data: str,
    quarter: str | None = None,
    *,
    therapy_area: str | None = None,
    disease_area: str | None = None,
    market: str | None = None,
    region: str | None = None,
) -> ReportView:
    """Load the data and bind one slice and quarter (default: the latest in the data)."""
    dataset = load_dataset(data)
    scope = Scope(therapy_area, disease_area, market, region)
    problems = scope.check(dataset)
    if problems:
        raise ParamsError(problems)
    chosen = Quarter.parse(quarter) if quarter else metrics.latest_quarter(dataset)
    return ReportView(dataset, scope, chosen)


def _table(frame, columns: list[str], *, caption: str | None = None, empty: str | None = None):
    present = [column for column in columns if column in frame.columns]
    return html_table(
        frame,
        columns={column: HEADERS.get(column, column) for column in present},
        formats={column: FORMATS[column] for column in present if column in FORMATS},
        caption=caption,
        **({"empty": empty} if empty else {}),
    )


@dataclass(frozen=True)
class ReportView:
    """The sections of one report: a data set seen through one scope at one quarter."""

    dataset: Dataset
    scope: Scope
    quarter: Quarter

    def about(self) -> Html:
        """What the report covers and how revenue is counted."""
        synthetic = self.dataset.sales["synthetic"].any()
        lines = [
            f"Scope: {self.scope.label}. Quarter: {self.quarter.label}"
            f" (data as of {self.quarter.end.isoformat()}).",
            self.scope.sales_basis,
        ]
        if synthetic:
            lines.append("Sales figures in this data set are synthetic, not reported figures.")
        return bullet_list(lines)

    def highlights(self) -> Html:
        """Short sentences with the quarter's numbers."""
        return bullet_list(narrative.highlights(self.dataset, self.scope, self.quarter))

    def changes(self) -> Table:
        """Counts of news, readouts and phase changes this quarter against the previous one."""
        frame = metrics.changes_since_previous_quarter(self.dataset, self.scope, self.quarter)
        return _table(
            frame,
            ["kind", "this_quarter", "previous_quarter"],
            caption="Changes this quarter and the quarter before",
        )

    def phase_moves(self) -> Table:
        """Indications that moved phase, entered or left the pipeline this quarter."""
        frame = metrics.phase_moves(self.dataset, self.scope, self.quarter)
        return _table(
            frame,
            ["product", "inn", "indication_name", "scope", "from_phase", "to_phase", "since"],
            empty="No phase changes this quarter.",
        )

    def quarter_events(self) -> Table:
        """Regulatory events and deals of the quarter."""
        frame = metrics.events_in_quarter(self.dataset, self.scope, self.quarter)
        return _table(
            frame,
            ["date", "event_type", "product", "inn", "market", "agency", "detail", "source"],
            empty="No regulatory events this quarter.",
        )

    def revenue_movers(self) -> Table:
        """Product and market pairs with the largest revenue changes against last quarter."""
        frame = metrics.revenue_movers(self.dataset, self.scope, self.quarter)
        return _table(
            frame,
            [
                "direction",
                "product",
                "inn",
                "market",
                "revenue_rmb_m",
                "previous_quarter_rmb_m",
                "change_rmb_m",
                "qoq",
            ],
            empty="No revenue this quarter or the previous one.",
        )

    def revenue_trend(self) -> Chart:
        """Revenue per quarter over two years, with YoY growth."""
        frame = metrics.revenue_by_quarter(self.dataset, self.scope, self.quarter)
        return charts.revenue_trend(frame, title=f"Revenue per quarter, {self.scope.label}")

    def revenue_table(self) -> Table:
        """Revenue per quarter over two years, with QoQ and YoY growth."""
        frame = metrics.revenue_by_quarter(self.dataset, self.scope, self.quarter)
        return _table(frame, ["quarter", "revenue_rmb_m", "qoq", "yoy"])

    def revenue_mix(self, by: str) -> Chart:
        """Revenue per quarter stacked by product, market, region or area."""
        frame = metrics.revenue_history_by(self.dataset, self.scope, self.quarter, by=by)
        return charts.stacked_revenue(
            frame,
            index="quarter",
            columns=by,
            values="revenue_rmb_m",
            title=f"Revenue by {HEADERS[by].lower()}, {self.scope.label}",
        )

    def revenue_breakdown(self, by: str) -> Table:
        """Revenue this quarter by product, market, region or area, with growth and mix."""
        frame = metrics.revenue_by(self.dataset, self.scope, self.quarter, by=by)
        return _table(
            frame,
            [by, "revenue_rmb_m", "previous_quarter_rmb_m", "qoq", "year_ago_rmb_m", "yoy", "mix"],
            empty="No revenue this quarter.",
        )

    def top_products(self) -> Chart:
        """The products with the most revenue this quarter."""
        frame = metrics.top_products(self.dataset, self.scope, self.quarter)
        return charts.horizontal_bars(
            frame,
            label="product",
            value="revenue_rmb_m",
            title=f"Top products, {self.quarter.label}",
            unit="RMB m",
        )

    def pipeline_chart(self, by: str = "therapy_area") -> Chart:
        """Development indications per phase, stacked by therapy or disease area."""
        frame = metrics.pipeline_counts_by_phase(self.dataset, self.scope, self.quarter, by=by)
        return charts.phase_counts(
            frame, title=f"Pipeline by phase and {HEADERS[by].lower()}, {self.quarter.label}"
        )

    def pipeline_table(self) -> Table:
        """Every development indication with its phase at quarter end."""
        frame = metrics.pipeline_snapshot(self.dataset, self.scope, self.quarter)
        return _table(
            frame,
            [
                "product",
                "inn",
                "target",
                "modality",
                "indication_name",
                "line_of_therapy",
                "scope",
                "phase",
                "since",
                "estimated",
            ],
            empty="No development programmes in this scope.",
        )

    def approval_matrix(self) -> Chart:
        """Which product is approved in which market at quarter end."""
        frame = metrics.approval_matrix(self.dataset, self.scope, self.quarter)
        return charts.presence_matrix(frame, title=f"Approvals by market, {self.quarter.label}")

    def approvals_by_market(self) -> Table:
        """Approvals and accepted filings to date per market and agency."""
        frame = metrics.approvals_and_filings(self.dataset, self.scope, self.quarter)
        return _table(frame, ["market", "agency", "approvals", "filings"])

    def events_to_date(self, kind: str) -> Table:
        """Approvals, filings, designations or licence deals to date, newest first."""
        frame = metrics.events_to_date(self.dataset, self.scope, self.quarter, kind)
        return _table(
            frame,
            [
                "date",
                "event_type",
                "product",
                "trade_name",
                "inn",
                "market",
                "agency",
                "indication_name",
                "detail",
                "estimated",
                "source",
            ],
            empty=f"No {kind} to date.",
        )

    def readouts(self) -> Table:
        """Clinical results reported this quarter."""
        frame = metrics.readouts_in_quarter(self.dataset, self.scope, self.quarter)
        return self._clinical_table(frame, "No clinical readouts this quarter.")

    def clinical_results(self) -> Table:
        """Every clinical result relevant to the slice, newest first."""
        frame = metrics.clinical_results_to_date(self.dataset, self.scope, self.quarter)
        return self._clinical_table(frame, "No clinical results in this scope.")

    @staticmethod
    def _clinical_table(frame, empty: str) -> Table:
        return _table(
            frame,
            [
                "date",
                "trial",
                "inn",
                "indication_name",
                "phase",
                "endpoint",
                "population",
                "arm",
                "value",
                "unit",
                "hazard_ratio",
                "note",
                "source",
            ],
            empty=empty,
        )
