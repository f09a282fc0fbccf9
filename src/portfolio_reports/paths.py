"""Where things live: the project's default folders and the layout of a report build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = Path("data/sample")
DEFAULT_PARAMS = Path("params")
DEFAULT_NOTEBOOKS = Path("notebooks")
DEFAULT_REPORTS = Path("reports")


@dataclass(frozen=True)
class OutputLayout:
    """Paths of one quarter's published reports under the reports folder."""

    root: Path
    quarter: str

    @property
    def quarter_dir(self) -> Path:
        """reports/<quarter>/"""
        return self.root / self.quarter

    @property
    def notebooks_dir(self) -> Path:
        """Executed notebooks kept for audit."""
        return self.quarter_dir / "notebooks"

    @property
    def manifest(self) -> Path:
        """The quarter's manifest.json."""
        return self.quarter_dir / "manifest.json"

    @property
    def index(self) -> Path:
        """The quarter's index.html."""
        return self.quarter_dir / "index.html"

    @property
    def top_index(self) -> Path:
        """reports/index.html listing every quarter."""
        return self.root / "index.html"

    @property
    def snapshots_dir(self) -> Path:
        """Parquet snapshots of validated data, one folder per data fingerprint."""
        return self.root / ".snapshots"

    def html(self, name: str) -> Path:
        """A report's HTML file."""
        return self.quarter_dir / f"{name}.html"

    def executed(self, name: str) -> Path:
        """A report's executed notebook."""
        return self.notebooks_dir / f"{name}.ipynb"

    def failed(self, name: str) -> Path:
        """The partially executed notebook of a report whose last run failed."""
        return self.notebooks_dir / f"{name}.failed.ipynb"
