"""The story a page opens with: highlights, commentary and the change counts."""

from __future__ import annotations

from portfolio_reports.analysis import metrics
from portfolio_reports.notebook.frames import frame_columns
from portfolio_reports.notebook.page import NOTHING, PageArea
from portfolio_reports.presentation import narrative
from portfolio_reports.presentation.commentary import commentary_html
from portfolio_reports.presentation.tables import Html, Table, bullet_list, html_table


class StorySections(PageArea):
    """Highlights, commentary and what changed in counts this quarter."""

    @frame_columns("Highlight")
    def highlights(self) -> Html:
        """Short sentences with the quarter's numbers."""
        return bullet_list(
            narrative.highlights(self.dataset, self.scope, self.quarter), heading="Highlight"
        )

    @staticmethod
    @frame_columns()
    def commentary(path: str | None) -> Html:
        """The analyst's commentary file, marked as theirs; nothing when there is none."""
        return NOTHING if path is None else commentary_html(path)

    @frame_columns(
        "Quarter",
        "[Setbacks: when either quarter had any]",
        "Approvals",
        "Filings and designations",
        "Licence deals",
        "Clinical readouts",
        "Phase changes",
    )
    def changes(self) -> Table:
        """Counts of news, readouts and phase changes this quarter against the previous one,
        setbacks first when either quarter had any; nothing when all are 0."""
        frame = metrics.changes_since_previous_quarter(self.dataset, self.scope, self.quarter)
        if not frame[["this_quarter", "previous_quarter"]].to_numpy().any():
            return NOTHING
        periods = {
            "this_quarter": self.quarter.label,
            "previous_quarter": self.quarter.previous.label,
        }
        by_quarter = frame.set_index("kind")[list(periods)].T.rename(index=periods)
        if not by_quarter["setbacks"].any():
            by_quarter = by_quarter.drop(columns="setbacks")
        kinds = list(by_quarter.columns)
        return html_table(
            by_quarter.rename_axis("quarter").reset_index(),
            columns={"quarter": "Quarter"} | {kind: kind.capitalize() for kind in kinds},
            formats=dict.fromkeys(kinds, "int"),
            caption=f"{self.quarter.label} against {self.quarter.previous.label}",
        )
