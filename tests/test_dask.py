"""Report jobs on a dask.distributed cluster: results, outputs, and workers that die mid-build."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import dask
import nbformat
import pytest
from distributed import Client, LocalCluster

from portfolio_reports.builder.inputs import BuildOptions
from portfolio_reports.builder.run import BuildResult, build
from portfolio_reports.errors import InputError
from portfolio_reports.execution import dask_executor
from portfolio_reports.execution.dask_executor import run_on_dask
from portfolio_reports.execution.executors import ExecutorSettings
from portfolio_reports.execution.kernels import SOCKETS_PREFIX

from .conftest import NOTEBOOKS, PARAMS, run_cli

pytestmark = pytest.mark.slow

SLEEP_S = 120


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two single-threaded worker processes; a job whose worker dies twice fails."""
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as local,
    ):
        yield local


@pytest.fixture
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster.scheduler_address, set_as_default=False) as watcher:
        yield watcher


@pytest.fixture
def on_dask(cluster: LocalCluster) -> dict[str, str]:
    """Build options that run the jobs on the cluster."""
    return {"executor": "dask", "scheduler": cluster.scheduler_address}


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A params folder with two market reports and a notebooks folder to add to."""
    params, notebooks = tmp_path / "params", tmp_path / "notebooks"
    params.mkdir()
    for name in ("market-jp.yaml", "market-us.yaml"):
        shutil.copy(PARAMS / name, params)
    shutil.copytree(NOTEBOOKS, notebooks)
    return params, notebooks


def add_slow_report(params: Path, notebooks: Path, attempts: Path, *, every_attempt: bool) -> None:
    """A report whose notebook records each attempt (kernel and worker pid), then sleeps."""
    attempts.mkdir()
    sleeps = "True" if every_attempt else 'attempt.name == "attempt-0"'
    cell = (
        "import os, pathlib, time\n"
        f"attempts = pathlib.Path({str(attempts)!r})\n"
        'attempt = attempts / f"attempt-{len(list(attempts.iterdir()))}"\n'
        'attempt.write_text(f"{os.getpid()} {os.getppid()}")\n'
        f"if {sleeps}:\n"
        f"    time.sleep({SLEEP_S})\n"
    )
    notebook = nbformat.read(notebooks / "market.ipynb", as_version=4)
    notebook.cells.insert(3, nbformat.v4.new_code_cell(cell))
    nbformat.write(notebook, notebooks / "slow.ipynb")
    (params / "slow.yaml").write_text(
        "notebook: slow.ipynb\ntitle: Slow\nparameters:\n  market: CN\n"
    )


def kill_worker_at(attempts: Path, attempt: int, client: Client, killed: list[int]) -> None:
    """Wait for an attempt of the slow report, then kill its worker process (and its kernel)."""
    marker = attempts / f"attempt-{attempt}"
    deadline = time.monotonic() + SLEEP_S
    while not marker.exists() or not marker.read_text():
        assert time.monotonic() < deadline, f"{marker.name} never started"
        time.sleep(0.2)
    kernel, worker = (int(pid) for pid in marker.read_text().split())
    worker_pids = set(client.run(os.getpid).values())
    assert worker in worker_pids, (worker, worker_pids)
    os.kill(worker, signal.SIGKILL)
    killed.append(worker)
    with contextlib.suppress(ProcessLookupError):  # the kernel may have left with its worker
        os.kill(kernel, signal.SIGKILL)


def build_while_killing(
    options: BuildOptions, attempts: Path, client: Client, times: int
) -> tuple[BuildResult, list[int]]:
    killed: list[int] = []
    failures: list[BaseException] = []

    def killer() -> None:
        try:
            for attempt in range(times):
                kill_worker_at(attempts, attempt, client, killed)
        except BaseException as error:
            failures.append(error)
            raise

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    result = build(options)
    thread.join(timeout=10)
    assert not failures, failures
    return result, killed


def manifest_statuses(out: Path) -> dict[str, str]:
    manifest = json.loads(next(out.glob("*/manifest.json")).read_text())
    return {report["name"]: report["status"] for report in manifest["reports"]}


def test_a_build_runs_on_the_cluster(on_dask, project, tmp_path):
    params, notebooks = project
    out = tmp_path / "reports"
    process = run_cli(
        "build",
        "--executor",
        "dask",
        "--scheduler",
        on_dask["scheduler"],
        "--params",
        str(params),
        "--notebooks",
        str(notebooks),
        "--out",
        str(out),
    )
    assert process.returncode == 0, process.stderr
    assert manifest_statuses(out) == {"market-jp": "ok", "market-us": "ok"}
    for name in ("market-jp", "market-us"):
        assert (out / "2026Q3" / f"{name}.html").is_file()
        assert (out / "2026Q3" / "notebooks" / f"{name}.ipynb").is_file()


def test_a_killed_worker_reruns_only_its_report(on_dask, project, client, tmp_path):
    params, notebooks = project
    attempts = tmp_path / "attempts"
    add_slow_report(params, notebooks, attempts, every_attempt=False)
    out = tmp_path / "reports"
    options = BuildOptions(params=params, notebooks=notebooks, out=out, **on_dask)
    result, killed = build_while_killing(options, attempts, client, times=1)
    assert len(killed) == 1
    assert sorted(path.name for path in attempts.iterdir()) == ["attempt-0", "attempt-1"]
    assert {r.name: r.status for r in result.results} == {
        "market-jp": "ok",
        "market-us": "ok",
        "slow": "ok",
    }
    assert manifest_statuses(out) == {"market-jp": "ok", "market-us": "ok", "slow": "ok"}
    assert (result.index.parent / "slow.html").is_file()


def test_a_report_whose_worker_dies_twice_fails_alone(on_dask, project, client, tmp_path):
    params, notebooks = project
    attempts = tmp_path / "attempts"
    add_slow_report(params, notebooks, attempts, every_attempt=True)
    out = tmp_path / "reports"
    options = BuildOptions(params=params, notebooks=notebooks, out=out, **on_dask)
    result, killed = build_while_killing(options, attempts, client, times=2)
    assert len(killed) == 2
    by_name = {r.name: r for r in result.results}
    assert {name: r.status for name, r in by_name.items()} == {
        "market-jp": "ok",
        "market-us": "ok",
        "slow": "failed",
    }
    assert by_name["slow"].error.error == "KilledWorker"
    assert manifest_statuses(out) == {"market-jp": "ok", "market-us": "ok", "slow": "failed"}
    assert not (result.index.parent / "slow.html").exists()


def test_no_job_waits_on_a_worker_busy_with_another(on_dask, client):
    """A worker holds one job at a time, so its death counts only against the job it ran."""
    jobs = [SimpleNamespace(name=f"job-{number}", seconds=1.0) for number in range(5)]
    held: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            held.append(max((len(keys) for keys in client.processing().values()), default=0))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        settings = ExecutorSettings(scheduler=on_dask["scheduler"])
        finished = list(
            run_on_dask(
                lambda job: time.sleep(job.seconds) or job.name,
                jobs,
                settings,
                lost=lambda job, error: pytest.fail(f"{job.name} lost: {error}"),
            )
        )
    finally:
        done.set()
        watcher.join()
    assert sorted(finished) == [job.name for job in jobs]
    assert max(held) == 1, f"a worker held {max(held)} jobs at once"


def test_an_unreachable_scheduler_is_one_line_of_input_error(monkeypatch):
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT_S", 2)
    jobs = iter(())
    with pytest.raises(
        InputError, match=r"^cannot reach the dask scheduler at tcp://127\.0\.0\.1:9: "
    ):
        settings = ExecutorSettings(scheduler="tcp://127.0.0.1:9")
        run_on_dask(len, jobs, settings, lost=lambda job, error: None)


def test_a_closed_cluster_leaves_no_kernel_folder_or_key_behind(
    project, tmp_path, monkeypatch, short_temporary_folder
):
    scratch = short_temporary_folder
    monkeypatch.setenv("TMPDIR", str(scratch))  # the workers' temporary folder
    params, notebooks = project
    with LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    ) as local:
        process = run_cli(
            "build",
            *("--executor", "dask", "--scheduler", local.scheduler_address),
            *("--params", str(params), "--notebooks", str(notebooks)),
            *("--out", str(tmp_path / "reports")),
        )
        assert process.returncode == 0, process.stderr
        during = list(scratch.glob(f"{SOCKETS_PREFIX}*/connection.json"))
        assert len(during) == 2, "each worker keeps its warm kernel between builds"
    assert list(scratch.iterdir()) == [], "a worker's kernel, folder and key end with it"
