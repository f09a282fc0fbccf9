"""A killed, interrupted or concurrent build never leaves a half-written file nor loses a
published report, and no process outlives it."""

from __future__ import annotations

import os
import signal
import time

import pytest

from .conftest import (
    Watcher,
    incomplete,
    published,
    wait_until,
)

pytestmark = pytest.mark.slow


def test_a_killed_build_leaves_every_report_whole_and_the_next_one_recovers(project, start_build):
    project.report("a", "JP")
    project.report("b", "US")
    assert project.build("--jobs", "1").returncode == 0
    last_good = {path: path.read_bytes() for path in published(project.out)}
    page_a, page_b = project.quarter_dir / "a.html", project.quarter_dir / "b.html"
    project.notebook("market.ipynb", "import time\ntime.sleep(2)")  # a change: both rebuild
    watcher = Watcher(project.out)
    watcher.start()
    build = start_build(project, "--jobs", "1")
    first_page = page_a.stat().st_ino
    wait_until(lambda: page_a.stat().st_ino != first_page, 300, "report a was not republished")
    build.kill()
    assert incomplete(page_a) is None
    for path in (page_b, project.quarter_dir / "manifest.json", project.quarter_dir / "index.html"):
        assert path.read_bytes() == last_good[path], f"{path.name} is not the last good one"
    rerun = project.build("--jobs", "1")
    problems = watcher.stop()
    assert watcher.rounds > 10
    assert not problems, f"a file under its final name was seen half-written: {problems}"
    assert rerun.returncode == 0, rerun.stderr
    assert {name: report["status"] for name, report in project.manifest().items()} == {
        "a": "ok",
        "b": "ok",
    }
    assert all(incomplete(path) is None for path in published(project.out))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_the_build_its_workers_and_kernels(project, start_build, jobs):
    project.sleeping_notebook("slow.ipynb", 120)
    project.report("a", "JP", "slow.ipynb")
    project.report("b", "US", "slow.ipynb")
    build = start_build(project, "--jobs", jobs)
    wait_until(lambda: build.kernels() and project.executing(), 300, "no notebook started")
    time.sleep(1)
    os.killpg(build.process.pid, signal.SIGINT)
    assert build.wait(timeout=60) == 130, build.stderr()
    wait_until(lambda: not build.survivors(), 30, f"still running: {build.survivors()}")
    stderr = build.stderr()
    assert "interrupted" in stderr
    assert "Traceback" not in stderr, stderr
    assert all(incomplete(path) is None for path in published(project.out))


def test_a_second_build_of_the_quarter_is_refused_while_one_runs(project, start_build):
    project.sleeping_notebook("slow.ipynb", 8)
    project.report("a", "JP", "slow.ipynb")
    first = start_build(project, "--jobs", "1")
    wait_until(project.executing, 300, "the first build did not start its notebook")
    second = project.build("--jobs", "1")
    assert second.returncode == 2, second.stderr
    [line] = second.stderr.strip().splitlines()
    assert line.startswith(f"error: {project.quarter_dir}: the build with process id")
    assert line.endswith(
        "is writing this quarter's reports; wait for it to end or build into another --out"
    )
    assert first.wait(timeout=300) == 0, first.stderr()
    assert project.manifest()["a"]["status"] == "ok"
    assert all(incomplete(path) is None for path in published(project.out))


def test_a_killed_worker_fails_only_the_report_it_was_running(project, start_build):
    marker = project.started_marker
    project.notebook(
        "victim.ipynb",
        f"import os, pathlib, time\npathlib.Path({str(marker)!r}).write_text(f'{{os.getppid()}} ')"
        "\ntime.sleep(120)",
    )
    project.notebook("steady.ipynb", "import time\ntime.sleep(3)")
    project.report("a", "JP", "victim.ipynb")
    for name, market in (("b", "US"), ("c", "CN"), ("d", "JP")):
        project.report(name, market, "steady.ipynb")
    build = start_build(project, "--jobs", "2")
    wait_until(lambda: marker.exists() and marker.read_text().endswith(" "), 300, "a never ran")
    build.family()
    os.kill(int(marker.read_text()), signal.SIGKILL)  # a's worker: the kernel's parent
    assert build.wait(timeout=300) == 1, build.stderr()
    manifest = project.manifest()
    assert {name: report["status"] for name, report in manifest.items()} == {
        "a": "failed",
        "b": "ok",
        "c": "ok",
        "d": "ok",
    }
    error = manifest["a"]["error"]
    message = "the worker process running this report died (killed by SIGKILL)"
    assert (error["error"], error["message"]) == ("WorkerLost", message)
    assert f"FAILED  a: WorkerLost: {message}" in build.stderr()
    wait_until(lambda: not build.survivors(), 5, f"5 s after the build: {build.survivors()}")
