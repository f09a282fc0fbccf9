"""Time a quarterly build three ways on the same notebooks, params and data, in one run.

(a) the naive loop: `papermill` CLI then `jupyter nbconvert --to html` CLI, once per params file;
(b) `portfolio-reports build` into an empty reports folder (cold);
(c) `portfolio-reports build` again with nothing changed.

Done on the sample data and on a large data set (10 million monthly sales rows by default).
Prints medians over --runs runs, the ratios b/a and c/a, kernel peak memory and HTML size per
report, and writes everything to a JSON file.

    python benchmarks/bench_build.py [--runs 3] [--rows 10000000] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from portfolio_reports.tools.large_data import write_large_data

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def naive_loop(data: Path, work: Path) -> None:
    """Run papermill then nbconvert, as separate commands, for every params file."""
    for params_file in sorted((PROJECT / "params").glob("*.yaml")):
        spec = yaml.safe_load(params_file.read_text())
        executed = work / f"{params_file.stem}.ipynb"
        arguments = [
            str(BIN / "papermill"),
            str(PROJECT / "notebooks" / spec["notebook"]),
            str(executed),
        ]
        for name, value in {**spec.get("parameters", {}), "data": str(data)}.items():
            arguments += ["-p", name, "None" if value is None else str(value)]
        subprocess.run(
            [*arguments, "--cwd", str(PROJECT / "notebooks")], check=True, capture_output=True
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )


def project_build(data: Path, out: Path) -> None:
    """Run the project's build command."""
    subprocess.run(
        [str(BIN / "portfolio-reports"), "build", "--data", str(data), "--out", str(out)],
        check=True,
        capture_output=True,
        cwd=PROJECT,
    )


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(label: str, data: Path, runs: int, scratch: Path) -> dict:
    """Median seconds of the three ways, their ratios, and per-report memory and size."""
    naive, cold, unchanged = [], [], []
    for run in range(runs):
        work = scratch / f"{label}-naive-{run}"
        work.mkdir()
        naive.append(timed(lambda work=work: naive_loop(data, work)))
        out = scratch / f"{label}-reports-{run}"
        cold.append(timed(lambda out=out: project_build(data, out)))
        manifest_path = next(out.glob("*/manifest.json"))
        manifest = json.loads(manifest_path.read_text())
        unchanged.append(timed(lambda out=out: project_build(data, out)))
        print(
            f"{label} run {run + 1}: naive {naive[-1]:.1f} s, cold {cold[-1]:.1f} s,"
            f" no change {unchanged[-1]:.2f} s",
            flush=True,
        )
    quarter_dir = manifest_path.parent
    peaks = [
        report["kernel_peak_mib"] for report in manifest["reports"] if report["kernel_peak_mib"]
    ]
    sizes = [
        (quarter_dir / f"{report['name']}.html").stat().st_size for report in manifest["reports"]
    ]
    medians = {
        name: statistics.median(values)
        for name, values in (("naive_s", naive), ("cold_s", cold), ("no_change_s", unchanged))
    }
    return {
        "reports": len(manifest["reports"]),
        "runs": {"naive_s": naive, "cold_s": cold, "no_change_s": unchanged},
        "median": medians,
        "ratio_cold_to_naive": medians["cold_s"] / medians["naive_s"],
        "ratio_no_change_to_naive": medians["no_change_s"] / medians["naive_s"],
        "kernel_peak_mib": {"median": statistics.median(peaks), "max": max(peaks)}
        if peaks
        else None,
        "html_kib": {"median": statistics.median(sizes) / 1024, "max": max(sizes) / 1024},
    }


def main() -> None:
    """Run the benchmark and print and save its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000_000, help="0 to skip the large data")
    parser.add_argument(
        "--json", type=Path, default=PROJECT / "benchmarks" / "results" / "build.json"
    )
    arguments = parser.parse_args()
    results = {
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        "runs": arguments.runs,
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        scratch = Path(folder)
        datasets = {"sample": PROJECT / "data" / "sample"}
        if arguments.rows:
            datasets[f"{arguments.rows:,} sales rows"] = write_large_data(
                PROJECT / "data" / "sample", scratch / "large", arguments.rows
            )
        for label, data in datasets.items():
            results[label] = measure(label.split()[0], data, arguments.runs, scratch)
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{os.cpu_count()} cores; medians over {arguments.runs} runs")
    for label, figures in results.items():
        if not isinstance(figures, dict) or "median" not in figures:
            continue
        median = figures["median"]
        print(
            f"{label}: naive {median['naive_s']:.1f} s, cold {median['cold_s']:.1f} s"
            f" (ratio {figures['ratio_cold_to_naive']:.3f}),"
            f" no change {median['no_change_s']:.2f} s"
            f" (ratio {figures['ratio_no_change_to_naive']:.4f}); kernel peak MiB"
            f" {figures['kernel_peak_mib']}; HTML KiB {figures['html_kib']}"
        )
    print(f"written to {arguments.json}")


if __name__ == "__main__":
    main()
