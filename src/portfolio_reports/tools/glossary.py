"""Write the report glossary into a README between its two marker lines.

python -m portfolio_reports.tools.glossary data/sample/README.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from portfolio_reports.analysis.definitions import glossary_markdown
from portfolio_reports.data.dataset import Dataset, load_dataset

START = "<!-- glossary: written by python -m portfolio_reports.tools.glossary -->\n"
END = "<!-- end of glossary -->\n"


def with_glossary(text: str, ds: Dataset) -> str:
    """The README text with the lines between the glossary markers replaced by the data set's
    glossary."""
    if START not in text or END not in text:
        raise ValueError(f"the README has no glossary markers; add the lines {START!r}, {END!r}")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{START}\n{glossary_markdown(ds)}\n{END}{after}"


def main(argv: list[str]) -> None:
    """Rewrite each README named on the command line with the glossary of its folder's data."""
    for name in argv:
        path = Path(name)
        text = with_glossary(path.read_text(encoding="utf-8"), load_dataset(path.parent))
        path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
