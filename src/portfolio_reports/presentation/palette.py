"""Every chart colour in one place: one colour per product and per area, the same in every report.

Products, therapy areas and disease areas draw from separate palettes, so a colour on a page
never means both a product and an area; a name not listed here takes a colour hashed from its
name (the same in every report too).
"""

from __future__ import annotations

import zlib

from portfolio_reports.data.schema import DISEASE_AREAS, REGIONS, THERAPY_AREAS

SERIES = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#9c755f",
    "#ff9da7",
)
"""Colours for products, regions and any other series; a chart shows at most this many."""
PRODUCT_COLORS = {
    "HLX02": "#4e79a7",
    "HLX10": "#f28e2b",
    "HLX04": "#e15759",
    "HLX01": "#76b7b2",
    "HLX03": "#59a14f",
    "FTN": "#edc948",
    "HLX-NER": "#b07aa1",
    "HLX14": "#ff9da7",
    "HLX11": "#9c755f",
}
"""The marketed products, by product code."""
THERAPY_AREA_COLORS = dict(
    zip(THERAPY_AREAS, ("#1f3b63", "#8e2a6b", "#6b5a1e", "#0f6e5f"), strict=True)
)
"""Deep tones, apart from the product colours."""
DISEASE_AREA_COLORS = dict(
    zip(
        DISEASE_AREAS,
        ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#666666", "#1f78b4"),
        strict=True,
    )
)
REGION_COLORS = dict(zip(REGIONS, SERIES, strict=False))
OTHER = "Other"
OTHER_COLOR = "#bab0ac"
TOTAL_COLOR = "#5a5a5a"
"""Bars that stand for a total rather than one series (a bridge's start and end)."""
FIXED_COLORS = (
    PRODUCT_COLORS
    | THERAPY_AREA_COLORS
    | DISEASE_AREA_COLORS
    | REGION_COLORS
    | {OTHER: OTHER_COLOR}
)


def color_for(name: str) -> str:
    """The colour of a product, area, region or market, the same in every chart and report."""
    return FIXED_COLORS.get(name) or SERIES[zlib.crc32(name.encode()) % len(SERIES)]
