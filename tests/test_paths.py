"""Atomic writes: a file is the old one or the new one, never empty or cut, even on a full disk."""

from __future__ import annotations

from pathlib import Path

from portfolio_reports.errors import WriteError
from portfolio_reports.paths import write_text_atomic

from .small_disk import fill_disk_code


def test_write_text_atomic_replaces_the_file_whole(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_text("old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert [path.name for path in tmp_path.iterdir()] == ["manifest.json"]


def _write_on_a_full_disk(target: Path) -> dict[str, object]:
    """Fill the disk holding target, then write target again: the error, its text, the folder."""
    target.write_text('{"reports": []}\n')
    exec(fill_disk_code(target.parent / "filler"))  # the code the full-disk build test runs
    try:
        write_text_atomic(target, "x" * 100_000)
    except WriteError as error:
        raised = str(error)
    else:
        raised = None
    return {
        "error": raised,
        "text": target.read_text(),
        "files": sorted(path.name for path in target.parent.iterdir()),
    }


def test_a_full_disk_keeps_the_previous_file_and_names_the_target(small_disk):
    target = small_disk.path / "manifest.json"
    assert small_disk.run(_write_on_a_full_disk, target) == {
        "error": f"{target}: cannot write (No space left on device); any previous version is kept",
        "text": '{"reports": []}\n',
        "files": ["filler", "manifest.json"],
    }
