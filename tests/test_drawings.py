"""Chart drawings kept by a key of what was drawn: found again only for the same chart, read back
only as written, pruned to this version and a size."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

from portfolio_reports.builder.fingerprints import (
    drawings_folder,
    drawings_version,
    prune_drawings,
)
from portfolio_reports.errors import InputError
from portfolio_reports.paths import CHARTS_FOLDER, SHARED_CHARTS_ENV, SNAPSHOTS_FOLDER
from portfolio_reports.presentation import charts, drawings, palette

from .test_charts import MONEY, mix, trend


@pytest.fixture
def kept(tmp_path: Path):
    """Drawings kept in a folder of their own for the test; none kept after it."""
    folder = tmp_path / "drawings"
    drawings.keep_in(folder)
    yield folder
    drawings.keep_in(None)


def trend_chart(title: str = "Trend") -> charts.Chart:
    return charts.revenue_trend(trend(), title=title, money_unit=MONEY)


def mix_chart() -> charts.Chart:
    return charts.stacked_revenue(
        mix(),
        index="quarter",
        columns="therapy_area",
        values="revenue_m",
        title="Mix",
        money_unit=MONEY,
    )


def test_without_a_folder_no_chart_has_a_key_and_each_is_drawn():
    chart = trend_chart()
    assert chart.key is None
    assert chart.html and "png" in chart.__dict__


def test_the_same_chart_is_found_again_and_not_drawn(kept):
    first = mix_chart()
    page = first.html
    again = mix_chart()
    assert again.key == first.key and again.key is not None
    assert again.html == page
    never = {"figure", "png", "narrow_png"} & again.__dict__.keys()
    assert not never, f"{never} computed for a kept chart"  # its figure never even built
    assert [path.name for path in kept.iterdir()] == [first.key]


def test_a_change_in_data_title_colours_or_settings_is_another_chart(kept):
    keys = {trend_chart().key}
    changed = trend()
    changed.loc[7, "revenue_m"] += 0.1
    keys.add(charts.revenue_trend(changed, title="Trend", money_unit=MONEY).key)
    keys.add(trend_chart("Trend, restated").key)
    keys.add(mix_chart().key)
    palette.choose({"Oncology": "#000000"})
    try:
        keys.add(mix_chart().key)
    finally:
        palette.choose({})
    with matplotlib.rc_context({"lines.linewidth": 3}):
        keys.add(trend_chart().key)
    assert len(keys) == 6 and None not in keys


def test_a_chart_whose_arguments_cannot_be_hashed_is_drawn(kept):
    frame = trend()
    frame.attrs["reader"] = lambda: None  # no pickle for a lambda
    chart = charts.revenue_trend(frame, title="Trend", money_unit=MONEY)
    assert chart.key is None
    assert chart.html and not kept.exists()


def test_only_a_drawing_as_written_is_read_back(kept, tmp_path):
    key = mix_chart().key
    drawn = mix_chart().drawing  # nothing kept under the key yet: drawn, then kept
    assert drawings.find(key) == drawn
    entry = kept / key
    written = entry.read_bytes()
    for damaged in (written[:-1], written.replace(b'"png"', b'"gif"'), b"not a drawing"):
        entry.write_bytes(damaged)
        assert drawings.find(key) is None
    secret = tmp_path / "secret"
    secret.write_bytes(written)  # even a valid drawing is not read through a link
    entry.unlink()
    entry.symlink_to(secret)
    assert drawings.find(key) is None


def test_a_drawing_that_cannot_be_kept_is_still_shown(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder would be")
    drawings.keep_in(blocked / "drawings")
    try:
        chart = mix_chart()
        assert chart.key is not None and chart.html.startswith("<figure")
    finally:
        drawings.keep_in(None)
    assert [path.name for path in tmp_path.iterdir()] == ["file"]


def test_a_report_keeps_drawings_only_when_it_reads_a_build_snapshot(tmp_path, monkeypatch):
    monkeypatch.delenv(SHARED_CHARTS_ENV)
    snapshot = tmp_path / "reports" / SNAPSHOTS_FOLDER / "0123456789abcdef"
    expected = tmp_path / "reports" / CHARTS_FOLDER / drawings_version()
    assert drawings_folder(snapshot) == expected
    assert drawings_folder(str(snapshot)) == expected
    assert drawings_folder(tmp_path / "data") is None
    assert drawings_folder("sqlite:///portfolio.db") is None
    assert drawings_folder(None) is None


def test_pruning_keeps_this_version_and_its_most_recently_used_drawings(tmp_path):
    root = tmp_path / CHARTS_FOLDER
    old, current = root / "0000000000000000", root / drawings_version()
    old.mkdir(parents=True)
    (old / "a").write_bytes(b"x" * 10)
    current.mkdir()
    for age, name in enumerate(("newest", "middle", "oldest")):
        path = current / name
        path.write_bytes(b"x" * 100)
        os.utime(path, ns=(10**18 - age * 10**9, 10**18 - age * 10**9))
    prune_drawings(root, kept_bytes=250)
    assert sorted(path.name for path in root.iterdir()) == [current.name]
    assert sorted(path.name for path in current.iterdir()) == ["middle", "newest"]


def test_the_environment_names_one_drawings_folder_for_every_reports_folder(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    monkeypatch.setenv(SHARED_CHARTS_ENV, str(shared))
    snapshots = [tmp_path / name / SNAPSHOTS_FOLDER / "0123456789abcdef" for name in "ab"]
    assert [drawings_folder(path) for path in snapshots] == [shared / drawings_version()] * 2
    assert drawings_folder(tmp_path / "data") is None
    monkeypatch.setenv(SHARED_CHARTS_ENV, "")
    assert drawings_folder(snapshots[0]) == tmp_path / "a" / CHARTS_FOLDER / drawings_version()
    monkeypatch.setenv(SHARED_CHARTS_ENV, "drawings")
    with pytest.raises(InputError, match=f"^{SHARED_CHARTS_ENV} must be an absolute path"):
        drawings_folder(snapshots[0])


def test_pruning_a_shared_folder_keeps_the_most_recently_used_drawings_of_every_version(tmp_path):
    root = tmp_path / "shared"
    other, current = root / "0000000000000000", root / drawings_version()
    for age, path in enumerate((other / "newest", current / "middle", other / "oldest")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 100)
        os.utime(path, ns=(10**18 - age * 10**9, 10**18 - age * 10**9))
    prune_drawings(root, shared=True, kept_bytes=250)
    assert sorted(str(path.relative_to(root)) for path in root.glob("*/*")) == [
        f"{other.name}/newest",
        f"{current.name}/middle",
    ]


def test_a_chart_shown_after_other_colours_are_chosen_is_drawn_in_its_own():
    """A chart's figure is built when drawn, in the colours chosen when the chart was made."""
    palette.choose({"Oncology": "#000000"})
    try:
        drawn_at_once = mix_chart().png
        later = mix_chart()
    finally:
        palette.choose({})
    assert later.png == drawn_at_once
    assert mix_chart().png != drawn_at_once  # the default colours draw another image
