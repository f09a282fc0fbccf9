"""Time printing the sample's reports and board pack to PDF: CPU seconds per printed page.

Builds the sample's HTML once into a temporary reports folder (not timed), then, each round,
copies it without its PDFs and board pack and runs `portfolio-reports build --format html,pdf`
there: every page is current, so the build only prints. Figures, medians over the rounds: wall
seconds, CPU seconds of the whole process tree (Chromium's included: the benchmark is a child
subreaper, see bench_build.py), the pages of the reports' PDFs and of the pack, and CPU seconds
per printed page. The code timed is the one Python imports: set PYTHONPATH to another checkout's
`src` to time that one.

    python benchmarks/bench_pdf.py --rounds 3
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_build import PR_SET_CHILD_SUBREAPER, PROJECT, run_tree
from pypdf import PdfReader

QUARTER = "2026Q3"
"""The sample's latest quarter, which a build without --quarter builds."""


def unprinted_copy(built: Path, target: Path) -> None:
    """Copy a reports folder without its PDFs and without the board pack in its manifest."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(built, target, ignore=shutil.ignore_patterns("*.pdf"))
    manifest = target / QUARTER / "manifest.json"
    record = json.loads(manifest.read_text(encoding="utf-8"))
    record.pop("board_pack", None)
    manifest.write_text(json.dumps(record), encoding="utf-8")


def printed_pages(folder: Path) -> tuple[int, int]:
    """The pages of a quarter folder's report PDFs and of its board pack."""
    pack = folder / "board-pack.pdf"
    reports = sum(len(PdfReader(pdf).pages) for pdf in folder.glob("*.pdf") if pdf != pack)
    return reports, len(PdfReader(pack).pages)


def main() -> None:
    """Build the HTML once, time the printing for each round, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("cannot become a child subreaper: CPU seconds would miss Chromium's")
    command = [sys.executable, "-m", "portfolio_reports", "build", "--jobs", "2", "--out"]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as folder:
        built, printing = Path(folder) / "html", Path(folder) / "pdf"
        subprocess.run(
            [*command, str(built)], env=env, cwd=PROJECT, check=True, capture_output=True
        )
        samples = []
        for _ in range(arguments.rounds):
            unprinted_copy(built, printing)
            sample = run_tree([*command, str(printing), "--format", "html,pdf"], env, PROJECT)
            samples.append((sample.wall_s, sample.cpu_s, *printed_pages(printing / QUARTER)))
    wall, cpu, reports, pack = (statistics.median(column) for column in zip(*samples, strict=True))
    print(
        f"wall {wall:.1f} s, CPU {cpu:.2f} s for {reports:.0f} report pages and a pack of"
        f" {pack:.0f}: {cpu / (reports + pack):.3f} CPU s a printed page"
        f" (medians of {arguments.rounds} rounds)"
    )


if __name__ == "__main__":
    main()
