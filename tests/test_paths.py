"""Atomic writes: a file is the old one or the new one, never empty or cut, even on a full disk."""

from __future__ import annotations

import pytest

from portfolio_reports.errors import WriteError
from portfolio_reports.paths import write_text_atomic

from .conftest import fill_disk_code


def test_write_text_atomic_replaces_the_file_whole(tmp_path):
    target = tmp_path / "manifest.json"
    target.write_text("old")
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert [path.name for path in tmp_path.iterdir()] == ["manifest.json"]


def test_a_full_disk_keeps_the_previous_file_and_names_the_target(small_disk):
    target = small_disk / "manifest.json"
    target.write_text('{"reports": []}\n')
    exec(fill_disk_code(small_disk / "filler"))  # the code the full-disk build test runs
    with pytest.raises(WriteError) as raised:
        write_text_atomic(target, "x" * 100_000)
    assert str(raised.value) == (
        f"{target}: cannot write (No space left on device); any previous version is kept"
    )
    assert target.read_text() == '{"reports": []}\n'
    assert sorted(path.name for path in small_disk.iterdir()) == ["filler", "manifest.json"]
