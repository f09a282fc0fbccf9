"""Pipeline sections: programmes by phase and status, phase moves, bars and catalysts."""

from __future__ import annotations

from portfolio_reports.analysis import metrics, views
from portfolio_reports.analysis import pipeline as lifecycle
from portfolio_reports.notebook.frames import frame_columns
from portfolio_reports.notebook.page import NOTHING, PageArea, dated_column
from portfolio_reports.presentation import charts, narrative
from portfolio_reports.presentation import views as drawn
from portfolio_reports.presentation.charts import Chart
from portfolio_reports.presentation.columns import HEADERS, column_table
from portfolio_reports.presentation.figures import TABLE_PROGRAMMES
from portfolio_reports.presentation.tables import Html, Table
from portfolio_reports.text import counted

STATUS_LABELS = {status: status.capitalize() for status in lifecycle.STATUSES}


class PipelineSections(PageArea):
    """Programmes in development of the scope, how they moved, and what is expected next."""

    @frame_columns("Status", "{local}", "Global")
    def pipeline_summary(self) -> Table:
        """Programmes by status at quarter end, run in the scope and global, under one sentence."""
        counts = metrics.programme_counts(self.dataset, self.scope, self.quarter)
        labels = {**STATUS_LABELS, lifecycle.LIFE_CYCLE: "of which life-cycle (in development)"}
        order = [lifecycle.IN_DEVELOPMENT, lifecycle.LIFE_CYCLE, lifecycle.APPROVED]
        ended = [lifecycle.WITHDRAWN, lifecycle.DISCONTINUED]
        frame = counts.reindex([*order, *ended]).rename(index=labels)
        return column_table(
            frame.rename(columns=self.page.coverage_names).reset_index(),
            ["status", *self.page.coverage_names.values()],
            caption=narrative.programmes_sentence(self.dataset, self.scope, self.quarter),
        )

    @frame_columns("Phase", "<one per value of `by`>")
    def pipeline_chart(self, by: str = "therapy_area") -> Chart | Html:
        """Programmes in development per phase, stacked by area or by local and global."""
        frame = metrics.pipeline_counts_by_phase(self.dataset, self.scope, self.quarter, by=by)
        if by == lifecycle.COVERAGE:
            frame = frame.rename(columns=self.page.coverage_names).rename_axis(columns="scope")
        total = int(frame.to_numpy().sum())
        self.page.drew_programmes(total)
        if not total:
            return NOTHING
        noun = "programme" if total == 1 else "programmes"
        return charts.phase_counts(
            frame,
            title=f"{total} {noun} in development by phase and {HEADERS[by].lower()},"
            f" {self.quarter.label}",
        )

    @frame_columns(
        "Product",
        "Target",
        "Modality",
        "Indication",
        "Line",
        "Programme",
        "Phase",
        "Scope",
        "Since",
    )
    def pipeline_table(self, coverage: str | None = None) -> Html:
        """Programmes in development at quarter end; only local or global ones when asked."""
        frame = metrics.pipeline_snapshot(self.dataset, self.scope, self.quarter)
        if coverage is not None:
            frame = frame[frame[lifecycle.COVERAGE] == coverage]
        shown = frame.assign(
            asset=self.page.products(frame),
            since=dated_column(frame, "since"),
            programme_type=frame[lifecycle.LIFE_CYCLE].map({True: "Life-cycle", False: "New"}),
            scope=self.page.market_names(frame["scope"]),
        )
        place = self.scope.place(self.dataset)
        kind = "global " if coverage == lifecycle.GLOBAL else ""
        where = f"run in {place}" if coverage == lifecycle.LOCAL and place else ""
        count = len(shown)
        self.page.shown[TABLE_PROGRAMMES] = self.page.shown.get(TABLE_PROGRAMMES, 0) + count
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
        return self.page.fold(table, count, f"Table: {caption}")

    @frame_columns("Product", "Indication", "Scope", "Change", "From", "To", "Since")
    def phase_moves(self) -> Table:
        """Indications that moved phase, entered or left the pipeline this quarter; nothing when
        none did (the highlights say so)."""
        frame = metrics.phase_moves(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        shown = frame.assign(
            asset=self.page.products(frame),
            since=dated_column(frame, "since"),
            scope=self.page.market_names(frame["scope"]),
        )
        return column_table(
            shown,
            ["asset", "indication_name", "scope", "change", "from_phase", "to_phase", "since"],
            caption=f"Phase changes in {self.quarter.label}",
            empty="No phase changes this quarter.",
        )

    @frame_columns("Expected", "Event", "Product", "Market", "Indication", "Detail", "Source")
    def catalysts(self) -> Html:
        """Events expected in the next four quarters, soonest first, a long list folded (the
        highlights name the first); nothing when none is recorded (the key figures say so)."""
        frame = metrics.upcoming_catalysts(self.dataset, self.scope, self.quarter)
        if frame.empty:
            return NOTHING
        horizon = self.quarter.shift(metrics.CATALYST_HORIZON)
        period = f"from {self.quarter.shift(1).label} to {horizon.label}"
        table = column_table(
            frame.assign(
                asset=self.page.products(frame), market=self.page.market_names(frame["market"])
            ),
            ["expected", "event_type", "asset", "market", "indication_name", "detail", "source"],
            caption=f"Expected {period}",
        )
        summary = f"Table: {counted(len(frame), 'event', 'events')} expected {period}"
        return self.page.fold(table, len(frame), summary)

    @frame_columns(
        "Therapy area",
        "Product",
        "INN",
        "Indication",
        "Scope",
        "Phase",
        "Modality",
        "Partner",
        "Next milestone",
    )
    def programme_bars(self) -> Html:
        """Each programme in development as a bar across the phase columns, by therapy area."""
        frame = views.pipeline_bars(*self.page.slice)
        self.page.drew_programmes(len(frame))
        return drawn.pipeline_bars(
            frame.assign(scope=self.page.market_names(frame["scope"])),
            title=f"Programmes in development by phase, {self.page.label},"
            f" end of {self.quarter.label}",
            note=views.VIEW_DEFINITIONS["pipeline"],
        )

    @frame_columns(
        "Therapy area",
        "Product",
        "Name",
        "Phase",
        "Programmes",
        "Indication",
        "Scope",
        "Modality",
        "Partner",
        "Next milestone",
    )
    def asset_bars(self) -> Html:
        """Each molecule in development once, as a bar to its most advanced phase, by therapy
        area, with its next milestone."""
        frame = views.asset_bars(*self.page.slice)
        return drawn.asset_bars(
            frame,
            title=f"{counted(len(frame), 'molecule', 'molecules')} in development by phase,"
            f" {self.scope.label}, end of {self.quarter.label}",
            note=views.VIEW_DEFINITIONS["assets"],
        )

    @frame_columns("Expected", "Event", "Product", "Indication", "Market", "Detail")
    def catalyst_timeline(self) -> Html:
        """Events expected in the next four quarters, as a timeline; nothing when none is (the
        key figures say so)."""
        frame = views.catalyst_rows(*self.page.slice)
        if frame.empty:
            return NOTHING
        quarters = [
            str(self.quarter.shift(step)) for step in range(1, metrics.CATALYST_HORIZON + 1)
        ]
        return drawn.catalyst_timeline(
            frame.assign(market=self.page.market_names(frame["market"])),
            quarters,
            title=f"Expected events, {self.quarter.shift(1).label} to"
            f" {self.quarter.shift(metrics.CATALYST_HORIZON).label}",
        )
