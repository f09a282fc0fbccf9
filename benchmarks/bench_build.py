"""Time a quarterly build against the naive loop and a process pool, in one interleaved run.

Every peer builds the same reports (notebooks, params and data), each as its own process tree:

  naive       `papermill` then `jupyter nbconvert --to html --no-input`, two commands a report;
  pool        papermill's API and nbconvert's HTMLExporter on a pool of --jobs processes;
  empty       `portfolio-reports build` into an empty reports folder (validates, snapshots);
  force       `portfolio-reports build --force` into that folder (every report runs again and
              reads the chart drawings the first build kept; only when --peers names it);
  no change   `portfolio-reports build` once more, with nothing to do (three times a round).

The naive loop and the pool run with jsonschema's optional IRI checker blocked, as the build blocks
it: JupyterLab (a dev dependency) installs it, and importing it costs 1-2 CPU seconds in every
process that loads nbformat. The project's modules are compiled to bytecode before the first round,
as installing a package does: where Python is told to write none (PYTHONDONTWRITEBYTECODE), every
kernel of the naive loop and the pool would otherwise compile them afresh, about 0.3 CPU s each,
which a user's machine pays once. The rounds run the peers in a rotating order; the figures are
medians over rounds: wall seconds, CPU seconds (user + system of the whole process tree: the
benchmark adopts orphaned descendants as a child subreaper and reaps them), peak memory of the tree
(the sum of every process's proportional set size, sampled every 0.1 s), and the ratios to the
naive loop and to the pool; then each peer's CPU over theirs within each round, the median over
rounds, which a machine whose speed drifts between rounds moves less.

    python benchmarks/bench_build.py                 # the sample's reports, 2 rounds (< 5 min)
    python benchmarks/bench_build.py --reports 56    # 56 reports of the sample data
    python benchmarks/bench_build.py --rows 10000000 --peers empty   # 10 M sales rows
"""

from __future__ import annotations

import argparse
import compileall
import ctypes
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NOTEBOOKS = PROJECT / "notebooks"
SAMPLE = PROJECT / "data" / "sample"
PEERS = ("naive", "pool", "empty", "force", "no change")
DEFAULT_PEERS = ("naive", "pool", "empty", "no change")
"""The peers run unless --peers names others: force, about two thirds of empty's CPU, is left out
to keep the default run within five minutes."""
NO_CHANGE_REPEATS = 3
PR_SET_CHILD_SUBREAPER = 36
BLOCK_IRI = "raise ImportError('left out, as portfolio_reports leaves it out')\n"
"""A stand-in for rfc3987_syntax: jsonschema imports it inside `suppress(ImportError)`."""


@dataclass
class Sample:
    """One timed run of one peer."""

    wall_s: float
    cpu_s: float
    peak_mib: float


def tree_pss_mib(root: int) -> float:
    """The summed proportional set size of every descendant of `root`, in MiB."""
    import psutil

    total_kib = 0
    for process in psutil.Process(root).children(recursive=True):
        try:
            with open(f"/proc/{process.pid}/smaps_rollup") as rollup:
                total_kib += next(int(line.split()[1]) for line in rollup if line[:4] == "Pss:")
        except (OSError, StopIteration):
            continue
    return total_kib / 1024


def run_tree(command: list[str], env: dict[str, str], cwd: Path) -> Sample:
    """Run a command to its end; its wall and CPU seconds and the tree's peak memory."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak = 0.0
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(process.stderr.read()))  # type: ignore[union-attr]
    reader.start()
    while process.poll() is None:
        peak = max(peak, tree_pss_mib(os.getpid()))
        time.sleep(0.1)
    wall = time.perf_counter() - started
    reader.join()
    while True:  # orphans the subreaper adopted: a fork server, a kernel's own children
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} ... exited {process.returncode}:\n{errors[0]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Sample(wall, cpu, peak)


def report_specs(params: Path) -> list[tuple[str, dict]]:
    """(name, params file contents) for every params file of a folder."""
    return [(path.stem, yaml.safe_load(path.read_text())) for path in sorted(params.glob("*.yaml"))]


def naive_loop(params: Path, data: Path, work: Path) -> None:
    """Run the papermill command, then the nbconvert command, for every params file."""
    for name, spec in report_specs(params):
        executed = work / f"{name}.ipynb"
        arguments = [str(BIN / "papermill"), str(NOTEBOOKS / spec["notebook"]), str(executed)]
        for key, value in {**(spec.get("parameters") or {}), "data": str(data)}.items():
            arguments += ["-p", key, "None" if value is None else str(value)]
        subprocess.run([*arguments, "--cwd", str(NOTEBOOKS)], check=True, capture_output=True)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )


def pool_report(notebook: Path, parameters: dict, executed: Path) -> None:
    """Execute one notebook with papermill's API and export it with nbconvert's HTMLExporter."""
    import papermill
    from nbconvert import HTMLExporter

    papermill.execute_notebook(
        str(notebook), str(executed), parameters=parameters, cwd=str(NOTEBOOKS), progress_bar=False
    )
    body, _ = HTMLExporter(exclude_input=True).from_filename(str(executed))
    executed.with_suffix(".html").write_text(body)


def pool_loop(params: Path, data: Path, work: Path, jobs: int) -> None:
    """Every params file as one papermill + HTMLExporter job on a pool of `jobs` processes."""
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(
                pool_report,
                NOTEBOOKS / spec["notebook"],
                {**(spec.get("parameters") or {}), "data": str(data)},
                work / f"{name}.ipynb",
            )
            for name, spec in report_specs(params)
        ]
        for future in futures:
            future.result()


def write_params(folder: Path, count: int) -> Path:
    """`count` reports of the sample data: the overview, every area, region, then markets."""
    import pandas as pd

    markets = pd.read_csv(SAMPLE / "markets.csv")
    indications = pd.read_csv(SAMPLE / "indications.csv")
    sold = set(pd.read_csv(SAMPLE / "sales.csv")["market"])
    scopes: list[tuple[str, str, dict]] = [("portfolio-overview", "portfolio_overview.ipynb", {})]
    for area in sorted(set(indications["therapy_area"])):
        scopes.append((f"ta-{area}", "therapy_area.ipynb", {"therapy_area": area}))
    for area in sorted(set(indications["disease_area"])):
        scopes.append((f"da-{area}", "therapy_area.ipynb", {"disease_area": area}))
    for region in sorted(set(markets["region"])):
        scopes.append((f"region-{region}", "market.ipynb", {"region": region}))
    by_sales = sorted(markets["market"], key=lambda market: (market not in sold, market))
    scopes += [(f"market-{market}", "market.ipynb", {"market": market}) for market in by_sales]
    if count > len(scopes):
        raise SystemExit(f"--reports: at most {len(scopes)} scopes in the sample data")
    folder.mkdir(parents=True)
    for name, notebook, parameters in scopes[:count]:
        slug = "".join(c if c.isalnum() else "-" for c in name.lower())
        spec = {"notebook": notebook, "title": name, "parameters": parameters}
        (folder / f"{slug}.yaml").write_text(yaml.safe_dump(spec))
    return folder


class Bench:
    """The peers' commands on one params folder and data set, and their samples."""

    def __init__(self, params: Path, data: Path, scratch: Path, jobs: int) -> None:
        self.params, self.data, self.scratch, self.jobs = params, data, scratch, jobs
        blocker = scratch / "block-iri"
        blocker.mkdir(exist_ok=True)
        (blocker / "rfc3987_syntax.py").write_text(BLOCK_IRI)
        path = os.pathsep.join(filter(None, [str(blocker), os.environ.get("PYTHONPATH")]))
        self.blocked_env = {**os.environ, "PYTHONPATH": path}
        self.samples: dict[str, list[Sample]] = {peer: [] for peer in PEERS}
        self.by_round: list[dict[str, list[Sample]]] = []
        self.reports = len(report_specs(params))

    def _work(self, label: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=f"{label}-", dir=self.scratch))

    def _script(self, *arguments: str) -> list[str]:
        return [sys.executable, __file__, *arguments]

    def _build(self, out: Path, *extra: str) -> Sample:
        command = [str(BIN / "portfolio-reports"), "build", "--data", str(self.data)]
        command += ["--params", str(self.params), "--out", str(out), "--jobs", str(self.jobs)]
        return run_tree([*command, *extra], dict(os.environ), PROJECT)

    def naive(self) -> None:
        """Time the naive loop once."""
        work = self._work("naive")
        command = self._script("--run-naive", str(self.params), str(self.data), str(work))
        self.samples["naive"].append(run_tree(command, self.blocked_env, PROJECT))
        shutil.rmtree(work)

    def pool(self) -> None:
        """Time the process pool once."""
        work = self._work("pool")
        command = self._script(
            "--run-pool", str(self.params), str(self.data), str(work), "--jobs", str(self.jobs)
        )
        self.samples["pool"].append(run_tree(command, self.blocked_env, PROJECT))
        shutil.rmtree(work)

    def builds(self, peers: set[str]) -> None:
        """Time the build into an empty folder, then --force, then with nothing changed."""
        out = self._work("reports")
        self.samples["empty"].append(self._build(out))
        if "force" in peers:
            self.samples["force"].append(self._build(out, "--force"))
        if "no change" in peers:
            for _ in range(NO_CHANGE_REPEATS):
                self.samples["no change"].append(self._build(out))
        shutil.rmtree(out)

    def rounds(self, count: int, peers: set[str]) -> None:
        """Run every chosen peer once a round, in an order that rotates from round to round."""
        steps: list[tuple[str, Callable[[], None]]] = [
            ("naive", self.naive),
            ("pool", self.pool),
            ("builds", lambda: self.builds(peers)),
        ]
        steps = [(name, step) for name, step in steps if name in peers or name == "builds"]
        for number in range(count):
            order = steps[number % len(steps) :] + steps[: number % len(steps)]
            before = {peer: len(samples) for peer, samples in self.samples.items()}
            for _name, step in order:
                step()
            self.by_round.append({p: s[before[p] :] for p, s in self.samples.items()})
            done = {p: s[-1] for p, s in self.samples.items() if s}
            print(
                f"round {number + 1}: "
                + ", ".join(f"{p} {s.wall_s:.1f} s / {s.cpu_s:.1f} CPU s" for p, s in done.items()),
                flush=True,
            )

    def summary(self) -> dict:
        """Medians of every peer, and their ratios to the naive loop and to the pool."""
        medians = {
            peer: {
                field: statistics.median(getattr(s, field) for s in samples)
                for field in ("wall_s", "cpu_s", "peak_mib")
            }
            for peer, samples in self.samples.items()
            if samples
        }
        for figures in medians.values():
            for base in ("naive", "pool"):
                if base in medians:
                    figures[f"wall_to_{base}"] = figures["wall_s"] / medians[base]["wall_s"]
                    figures[f"cpu_to_{base}"] = figures["cpu_s"] / medians[base]["cpu_s"]
            figures["cpu_s_per_report"] = figures["cpu_s"] / self.reports
        return medians

    def within_rounds(self) -> dict[str, dict[str, float]]:
        """Each peer's CPU over the naive loop's and the pool's in the same round, the median
        over rounds: runs minutes apart share more of the machine's speed of the moment than
        the medians of separate peers do."""
        ratios: dict[str, dict[str, float]] = {}
        for peer in PEERS:
            for base in ("naive", "pool"):
                paired = [
                    statistics.median(s.cpu_s for s in runs[peer])
                    / statistics.median(s.cpu_s for s in runs[base])
                    for runs in self.by_round
                    if runs[peer] and runs[base] and peer != base
                ]
                if paired:
                    ratios.setdefault(peer, {})[f"cpu_to_{base}"] = statistics.median(paired)
        return ratios


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


RATIOS = ("wall_to_naive", "cpu_to_naive", "wall_to_pool", "cpu_to_pool")


def print_table(medians: dict, reports: int) -> None:
    """One line per peer: medians and ratios."""
    print(f"\n{reports} reports; medians over rounds")
    columns = (
        "wall s",
        "CPU s",
        "peak MiB",
        "CPU s/rep",
        *(r.replace("_to_", "/") for r in RATIOS),
    )
    print(f"{'peer':<10}" + "".join(f"{column:>11}" for column in columns))
    for peer, figures in medians.items():
        values = [figures["wall_s"], figures["cpu_s"], figures["peak_mib"]]
        values += [figures["cpu_s_per_report"], *(figures.get(r, float("nan")) for r in RATIOS)]
        print(f"{peer:<10}" + "".join(f"{value:>11.3f}" for value in values))


def main() -> None:
    """Run the benchmark (or one peer's loop, when called by it) and print and save figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=2, help="processes of the pool and the build")
    parser.add_argument("--reports", type=int, default=0, help="N reports of the sample data")
    parser.add_argument("--rows", type=int, default=0, help="monthly sales rows of a large set")
    parser.add_argument(
        "--peers", default=",".join(DEFAULT_PEERS), help=f"a comma-separated subset of {PEERS}"
    )
    parser.add_argument("--json", type=Path, default=PROJECT / "benchmarks/results/build.json")
    parser.add_argument("--run-naive", nargs=3, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--run-pool", nargs=3, type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.run_naive:
        naive_loop(*arguments.run_naive)
        return
    if arguments.run_pool:
        pool_loop(*arguments.run_pool, arguments.jobs)
        return
    peers = set(arguments.peers.split(","))
    if not peers <= set(PEERS):
        raise SystemExit(f"--peers: choose among {', '.join(PEERS)}")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("cannot become a child subreaper: CPU seconds would miss orphans")
    compileall.compile_dir(PROJECT / "src", quiet=1)
    started, load_before = datetime.now(UTC), load_average()
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        scratch = Path(folder)
        params = PROJECT / "params"
        if arguments.reports:
            params = write_params(scratch / "params", arguments.reports)
        data = SAMPLE
        if arguments.rows:
            from portfolio_reports.data.limits import ROWS_LIMIT_ENV
            from portfolio_reports.tools.large_data import write_large_data

            data = write_large_data(SAMPLE, scratch / "large", arguments.rows)
            os.environ[ROWS_LIMIT_ENV] = str(arguments.rows)  # the default limit is 1,000,000
        bench = Bench(params, data, scratch, arguments.jobs)
        bench.rounds(arguments.rounds, peers)
        medians, within = bench.summary(), bench.within_rounds()
    results = {
        "date": started.isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "cpu": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "load_before": load_before,
            "load_after": load_average(),
        },
        "reports": bench.reports,
        "rows": arguments.rows or "sample",
        "rounds": arguments.rounds,
        "jobs": arguments.jobs,
        "samples": {peer: [asdict(s) for s in samples] for peer, samples in bench.samples.items()},
        "median": medians,
        "within_rounds": within,
    }
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps(results, indent=2) + "\n")
    print_table(medians, bench.reports)
    for peer, ratios in within.items():
        shares = ", ".join(
            f"{value:.3f} of {base.removeprefix('cpu_to_')}" for base, value in ratios.items()
        )
        print(f"{peer:<10}CPU within a round, median over rounds: {shares}")
    print(f"{os.cpu_count()} cores; load before {load_before}, after {load_average()}")
    print(f"written to {arguments.json}")


if __name__ == "__main__":
    main()
