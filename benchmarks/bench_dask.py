"""Time one build of many reports on the local process pool and on a two-worker dask cluster.

Generates N market reports (params cycled over every market of the sample data) into a temporary
params folder, builds them all (nothing skipped) on each executor, and prints the median build
time of each, the median time of one report, and the dask/local ratio.

    python benchmarks/bench_dask.py --reports 200 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import dask
from distributed import LocalCluster

from portfolio_reports.builder.inputs import BuildOptions
from portfolio_reports.builder.run import build
from portfolio_reports.config import DEFAULT_NOTEBOOKS, project_data
from portfolio_reports.data.dataset import load_dataset

WORKERS = 2


def write_params(folder: Path, count: int) -> None:
    """`count` market reports, cycling over the markets of the sample data."""
    markets = sorted(load_dataset(project_data()).markets["market"])
    folder.mkdir(parents=True)
    for number in range(count):
        market = markets[number % len(markets)]
        (folder / f"bench-{number:03d}-{market.lower()}.yaml").write_text(
            f"notebook: market.ipynb\ntitle: Market {market} ({number})\n"
            f'parameters:\n  market: "{market}"\n'
        )


def timed_build(params: Path, out: Path, **executor: str) -> tuple[float, list[float]]:
    """Wall time of one full build, and the duration of each report in it."""
    options = BuildOptions(
        params=params, notebooks=DEFAULT_NOTEBOOKS, out=out, jobs=WORKERS, force=True, **executor
    )
    started = time.perf_counter()
    result = build(options)
    wall = time.perf_counter() - started
    failed = [r.name for r in result.results if not r.ok]
    if failed:
        raise SystemExit(f"{len(failed)} reports failed, e.g. {failed[0]}")
    return wall, [r.duration_s for r in result.results]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as scratch:
        root = Path(scratch)
        write_params(root / "params", arguments.reports)
        walls: dict[str, list[float]] = {"local": [], "dask": []}
        reports: dict[str, list[float]] = {"local": [], "dask": []}
        with (
            dask.config.set({"distributed.scheduler.allowed-failures": 1}),
            LocalCluster(
                n_workers=WORKERS, processes=True, threads_per_worker=1, dashboard_address=None
            ) as cluster,
        ):
            for run in range(arguments.repeat):
                wall, durations = timed_build(root / "params", root / f"local-{run}")
                walls["local"].append(wall)
                reports["local"] += durations
                wall, durations = timed_build(
                    root / "params",
                    root / f"dask-{run}",
                    executor="dask",
                    scheduler=cluster.scheduler_address,
                )
                walls["dask"].append(wall)
                reports["dask"] += durations
                print(f"run {run + 1}: local {walls['local'][-1]:.1f} s, dask {wall:.1f} s")
    medians = {name: statistics.median(times) for name, times in walls.items()}
    print(f"{arguments.reports} reports, {WORKERS} workers, {arguments.repeat} runs each")
    for name in ("local", "dask"):
        print(
            f"  {name:5}  median build {medians[name]:7.1f} s"
            f"  median report {statistics.median(reports[name]):5.2f} s"
        )
    print(f"  dask / local: {medians['dask'] / medians['local']:.2f}")


if __name__ == "__main__":
    main()
