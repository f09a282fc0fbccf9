"""Which chromium the browser tests drive: the variable, Debian's, PATH (no snap), Playwright's."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import browser
from .browser import CHROMIUM_ENV, NO_CHROMIUM, NoChromiumError, find_chromium, is_snap


def executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    """A small executable script at path."""
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture
def bare(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No variable, no Debian chromium and an empty PATH folder; returns that folder."""
    monkeypatch.delenv(CHROMIUM_ENV, raising=False)
    monkeypatch.setattr(browser, "DEBIAN_CHROMIUM", tmp_path / "no-debian-chromium")
    on_path = tmp_path / "bin"
    on_path.mkdir()
    monkeypatch.setenv("PATH", str(on_path))
    return on_path


def test_the_variable_comes_first(monkeypatch, tmp_path):
    chosen = executable(tmp_path / "my-chromium")
    monkeypatch.setenv(CHROMIUM_ENV, str(chosen))
    assert find_chromium(tmp_path / "no-download") == chosen


def test_a_variable_naming_no_executable_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "missing"))
    with pytest.raises(NoChromiumError) as caught:
        find_chromium(tmp_path / "no-download")
    assert str(caught.value) == f"{CHROMIUM_ENV}={tmp_path / 'missing'}: not an executable file"


def test_a_snap_on_path_is_passed_over_for_playwrights_download(bare, tmp_path):
    snap = executable(bare / "chromium", '#!/bin/sh\nexec /snap/bin/chromium "$@"\n')
    download = executable(tmp_path / "playwright-chrome")
    assert is_snap(snap)
    assert find_chromium(download) == download


def test_a_chromium_on_path_comes_before_playwrights_download(bare, tmp_path):
    on_path = executable(bare / "chromium-browser")
    assert not is_snap(on_path)
    assert find_chromium(executable(tmp_path / "playwright-chrome")) == on_path


def test_without_any_the_error_names_the_variable_and_make_browsers(bare, tmp_path):
    with pytest.raises(NoChromiumError) as caught:
        find_chromium(tmp_path / "no-download")
    assert str(caught.value) == NO_CHROMIUM
    assert CHROMIUM_ENV in NO_CHROMIUM and "make browsers" in NO_CHROMIUM
    assert "\n" not in NO_CHROMIUM
