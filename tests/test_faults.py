"""Faults during a build, through the real command line.

A failing, dying or hanging notebook fails its report and no other; a killed, interrupted,
concurrent or unwritable build never leaves a half-written file nor loses a published report, and
no process outlives it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest

from portfolio_reports.locking import LOCK_NAME
from portfolio_reports.paths import SCRATCH_MARK, scratch_path

from .conftest import (
    NOTEBOOKS,
    PROJECT,
    assert_unchanged,
    cli_command,
    run_cli,
    tree_state,
)
from .small_disk import fill_disk_code

pytestmark = pytest.mark.slow

QUARTER = "2026Q3"
FAULT_AT = 5
"""Where a fault cell goes in the market notebook: after its set-up and first sections."""
RAISES = "raise ValueError('sales extract is empty')"
DIES = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
HANGS = "import time\ntime.sleep(600)"


@dataclass(frozen=True)
class Project:
    """Params, notebooks and reports folders of one test, built with the market notebook."""

    params: Path
    notebooks: Path
    out: Path

    @property
    def quarter_dir(self) -> Path:
        """Where the quarter's reports are published."""
        return self.out / QUARTER

    def report(self, name: str, market: str, notebook: str = "market.ipynb") -> None:
        """Add a params file for one market."""
        (self.params / f"{name}.yaml").write_text(
            f"notebook: {notebook}\ntitle: Report {name}\nparameters:\n  market: {market}\n"
        )

    def notebook(self, name: str, cell: str) -> None:
        """Write a copy of the market notebook with one more code cell early on."""
        book = nbformat.read(NOTEBOOKS / "market.ipynb", as_version=4)
        book.cells.insert(FAULT_AT, nbformat.v4.new_code_cell(cell))
        nbformat.write(book, self.notebooks / name)

    def arguments(self, *options: str) -> list[str]:
        """Arguments of a build of this project."""
        folders = ["--params", str(self.params), "--notebooks", str(self.notebooks)]
        return ["build", *folders, "--out", str(self.out), *options]

    def build(self, *options: str) -> subprocess.CompletedProcess:
        """Build to the end."""
        return run_cli(*self.arguments(*options))

    def manifest(self) -> dict[str, dict]:
        """The published manifest's reports by name."""
        manifest = json.loads((self.quarter_dir / "manifest.json").read_text())
        return {report["name"]: report for report in manifest["reports"]}

    @property
    def started_marker(self) -> Path:
        """The file a notebook written by `sleeping_notebook` creates when its cell starts."""
        return self.out.parent / "notebook-started"

    def sleeping_notebook(self, name: str, seconds: int) -> None:
        """A notebook whose extra cell marks that it started, then sleeps."""
        marker = str(self.started_marker)
        self.notebook(
            name, f"import pathlib, time\npathlib.Path({marker!r}).touch()\ntime.sleep({seconds})"
        )

    def executing(self) -> bool:
        """Whether a notebook written by `sleeping_notebook` has started its cell."""
        return self.started_marker.exists()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    folders = Project(tmp_path / "params", tmp_path / "notebooks", tmp_path / "reports")
    folders.params.mkdir()
    folders.notebooks.mkdir()
    shutil.copy(NOTEBOOKS / "market.ipynb", folders.notebooks)
    return folders


def published(out: Path) -> list[Path]:
    """Every file of the reports folder under its final name (temporary names start with '.')."""
    return [
        path
        for path in out.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(out).parts)
    ]


def incomplete(path: Path) -> str | None:
    """Why a published file is not whole, or None when it is (or is gone)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        return "cut inside a character"
    if path.suffix == ".html" and not text.rstrip().endswith("</html>"):
        return "HTML without its end"
    if path.suffix in (".json", ".ipynb"):
        try:
            json.loads(text)
        except ValueError:
            return "JSON that does not parse"
    return None


class Watcher(threading.Thread):
    """Reads every published file again and again while a build runs; records any not whole."""

    def __init__(self, out: Path) -> None:
        super().__init__(daemon=True)
        self.out = out
        self.problems: set[str] = set()
        self.rounds = 0
        self._done = threading.Event()

    def run(self) -> None:
        """Check until stopped."""
        while not self._done.is_set():
            for path in published(self.out):
                problem = incomplete(path)
                if problem:
                    self.problems.add(f"{path.relative_to(self.out)}: {problem}")
            self.rounds += 1
            time.sleep(0.002)

    def stop(self) -> set[str]:
        """Stop checking; return the problems seen."""
        self._done.set()
        self.join(timeout=10)
        return self.problems


def _default_sigint() -> None:
    """Let the build see Ctrl-C even when the test runner ignores it (e.g. run in background)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class RunningBuild:
    """A build started in a session of its own, so a test can signal it and see its processes."""

    def __init__(self, project: Project, log: Path, *options: str) -> None:
        self.log = log
        with log.open("w") as stderr:
            self.process = subprocess.Popen(
                cli_command(*project.arguments(*options)),
                cwd=PROJECT,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
                preexec_fn=_default_sigint,
            )
        self.seen: set[psutil.Process] = set()

    def family(self) -> set[psutil.Process]:
        """Every process started under the build so far; kernels run in sessions of their own."""
        with contextlib.suppress(psutil.NoSuchProcess):
            self.seen.update(psutil.Process(self.process.pid).children(recursive=True))
        return self.seen

    def kernels(self) -> list[psutil.Process]:
        """The Jupyter kernels of the build."""
        return [process for process in self.family() if _is_kernel(process)]

    def survivors(self) -> list[psutil.Process]:
        """Processes of the build that still run."""
        return [process for process in self.seen if _alive(process)]

    def wait(self, timeout: float) -> int:
        """Wait for the build command to end; return its exit code."""
        return self.process.wait(timeout=timeout)

    def stderr(self) -> str:
        """What the build wrote to the terminal."""
        return self.log.read_text()

    def kill(self) -> None:
        """SIGKILL the build's process group and every process it started."""
        self.family()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        for process in self.survivors():
            process.kill()
        self.process.wait(timeout=30)


def _is_kernel(process: psutil.Process) -> bool:
    try:
        return "ipykernel" in " ".join(process.cmdline())
    except psutil.Error:
        return False


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


@pytest.fixture
def start_build(tmp_path: Path) -> Iterator[Callable[..., RunningBuild]]:
    """Start builds in the background; any still running at the end is killed with its kernels."""
    started: list[RunningBuild] = []

    def start(project: Project, *options: str) -> RunningBuild:
        build = RunningBuild(project, tmp_path / f"build-{len(started)}.log", *options)
        started.append(build)
        return build

    yield start
    for build in started:
        build.kill()


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll until condition() is true; fail naming what did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"after {timeout} s: {what}")
        time.sleep(0.05)


# --- a report fails; the others go on ------------------------------------------------------


def assert_only_this_report_failed(
    project: Project, process: subprocess.CompletedProcess, name: str, error: str, message: str
) -> None:
    """The report failed with its cell, error and message everywhere; the others were built."""
    assert process.returncode == 1, process.stderr
    manifest = project.manifest()
    recorded = manifest[name]["error"]
    assert manifest[name]["status"] == "failed"
    assert (recorded["error"], recorded["message"][: len(message)]) == (error, message)
    cell = recorded["cell"]
    assert isinstance(cell, int), f"no cell number recorded: {recorded}"
    line = f"cell {cell}: {error}: {recorded['message']}"
    assert f"FAILED  {name}: {line}" in process.stderr
    assert line in html.unescape((project.quarter_dir / "index.html").read_text())
    kept = nbformat.read(project.quarter_dir / "notebooks" / f"{name}.failed.ipynb", as_version=4)
    code = [c for c in kept.cells if c.cell_type == "code"]
    assert code[cell - 1].source in (RAISES, DIES, HANGS), "cell N is the N-th code cell run"
    assert not (project.quarter_dir / f"{name}.html").exists()
    for other, report in manifest.items():
        if other != name:
            assert report["status"] == "ok", report
            assert incomplete(project.quarter_dir / f"{other}.html") is None


def test_a_cell_that_raises_fails_its_report_only(project):
    project.notebook("broken.ipynb", RAISES)
    project.report("market-jp", "JP")
    project.report("broken", "US", "broken.ipynb")
    process = project.build("--jobs", "2")
    assert_only_this_report_failed(
        project, process, "broken", "ValueError", "sales extract is empty"
    )


def test_a_kernel_that_dies_fails_its_report_only(project):
    project.notebook("dies.ipynb", DIES)
    project.report("market-jp", "JP")
    project.report("dies", "US", "dies.ipynb")
    process = project.build("--jobs", "2")
    assert_only_this_report_failed(project, process, "dies", "DeadKernelError", "Kernel died")


def test_a_hanging_cell_is_ended_by_the_timeout(project):
    project.notebook("hangs.ipynb", HANGS)
    project.report("market-jp", "JP")
    project.report("hangs", "US", "hangs.ipynb")
    started = time.monotonic()
    process = project.build("--jobs", "2", "--timeout", "10")
    assert time.monotonic() - started < 300
    assert_only_this_report_failed(
        project, process, "hangs", "CellTimeoutError", "A cell timed out"
    )


# --- the build itself is stopped ----------------------------------------------------------


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


def test_the_next_build_removes_scratch_files_a_killed_build_left(project):
    project.report("a", "JP")
    assert project.build("--jobs", "1").returncode == 0
    leftovers = [
        scratch_path(project.quarter_dir / "a.html"),
        scratch_path(project.quarter_dir / "manifest.json"),
        scratch_path(project.quarter_dir / "notebooks" / "a.ipynb"),
    ]
    for path in leftovers:
        path.write_text("half written")
    unrelated = project.quarter_dir / ".notes"
    unrelated.write_text("not the build's")
    rerun = project.build("--jobs", "1")
    assert rerun.returncode == 0, rerun.stderr
    assert [path for path in leftovers if path.exists()] == []
    assert unrelated.read_text() == "not the build's"


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


def without_root_override() -> list[str]:
    """A command prefix under which permission bits bind, even for root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.fail(
            "running as root: the read-only test needs setpriv (util-linux) to drop"
            " CAP_DAC_OVERRIDE",
            pytrace=False,
        )
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_an_unwritable_reports_folder_is_a_clear_error_and_loses_nothing(project):
    project.report("a", "JP")
    assert project.build("--jobs", "1").returncode == 0
    read_only = [project.quarter_dir / "notebooks", project.quarter_dir]
    for folder in read_only:
        folder.chmod(0o555)
    try:
        before = tree_state(project.out)
        process = subprocess.run(
            [*without_root_override(), *cli_command(*project.arguments("--force", "--jobs", "1"))],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert process.returncode == 2, process.stderr
        [line] = process.stderr.strip().splitlines()
        assert (
            line.startswith("error: ") and "cannot write reports there (Permission denied)" in line
        )
        assert_unchanged(project.out, before)
    finally:
        for folder in read_only:
            folder.chmod(0o755)


# --- the build is stopped by a signal, or killed ------------------------------------------

SLEEP_VARIABLE = "PORTFOLIO_REPORTS_TEST_SLEEP_S"
"""Seconds the notebook of `slow_reports` sleeps; unset (no sleep) for the build that follows."""


def slow_reports(project: Project, names: tuple[str, ...]) -> None:
    """Reports whose notebook marks that it started, then sleeps for SLEEP_VARIABLE seconds."""
    marker = str(project.started_marker)
    project.notebook(
        "slow.ipynb",
        f"import os, pathlib, time\npathlib.Path({marker!r}).touch()\n"
        f"time.sleep(float(os.environ.get({SLEEP_VARIABLE!r}, '0')))",
    )
    for name, market in zip(names, ["JP", "US", "CN", "JP"], strict=False):
        project.report(name, market, "slow.ipynb")


def published_state(out: Path) -> dict[Path, bytes]:
    """Every published file with its content."""
    return {path: path.read_bytes() for path in published(out)}


@pytest.mark.parametrize(
    ("signum", "exit_code"),
    [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGKILL, -signal.SIGKILL)],
    ids=["SIGTERM", "SIGHUP", "SIGKILL"],
)
def test_a_signal_to_the_command_ends_every_process_and_nothing_is_published_after_it(
    project, start_build, monkeypatch, signum, exit_code
):
    slow_reports(project, ("a", "b", "c"))  # two run, one waits
    monkeypatch.setenv(SLEEP_VARIABLE, "10")
    build = start_build(project, "--jobs", "2")
    wait_until(lambda: len(build.kernels()) == 2 and project.executing(), 300, "no notebook ran")
    time.sleep(1)
    build.family()
    before = published_state(project.out)
    signalled = time.monotonic()
    os.kill(build.process.pid, signum)  # the command only, as `docker stop` or the OOM killer
    assert build.wait(timeout=60) == exit_code, build.stderr()
    wait_until(lambda: not build.survivors(), 5, f"5 s after the build: {build.survivors()}")
    time.sleep(max(0.0, signalled + 15 - time.monotonic()))  # the notebooks would have ended
    assert published_state(project.out) == before, "a report was published after the signal"
    if signum != signal.SIGKILL:
        stderr = build.stderr()
        assert f"stopped by {signal.Signals(signum).name}: build stopped" in stderr, stderr
        assert "Traceback" not in stderr, stderr
    monkeypatch.delenv(SLEEP_VARIABLE)
    rerun = project.build("--jobs", "2")
    assert rerun.returncode == 0, rerun.stderr
    assert {report["status"] for report in project.manifest().values()} == {"ok"}
    assert not [path for path in project.out.rglob("*") if SCRATCH_MARK in path.name]


def test_a_killed_worker_fails_only_the_report_it_was_running(project, start_build):
    marker = project.started_marker
    project.notebook(
        "victim.ipynb",
        f"import os, pathlib, time\npathlib.Path({str(marker)!r}).write_text(f'{{os.getppid()}} ')"
        "\ntime.sleep(120)",
    )
    project.notebook("steady.ipynb", "import time\ntime.sleep(6)")
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


# --- the disk fills up --------------------------------------------------------------------


def _build_on_a_full_disk(project: Project, filler: Path) -> dict[str, object]:
    """Build while a notebook fills the disk, then again once it has room: what each left."""
    project.notebook("fills.ipynb", fill_disk_code(filler))
    project.report("a", "JP")
    project.report("full", "US", "fills.ipynb")  # runs after a: the disk is full from then on
    build = project.build("--jobs", "1")
    files = [path for path in project.out.rglob("*") if path.is_file() and path.name != LOCK_NAME]
    sizes = {str(path): path.stat().st_size for path in files}
    whole = {path.name: incomplete(path) for path in published(project.out)}
    filler.unlink()
    project.notebook("fills.ipynb", "pass")  # fills the disk no more
    rerun = project.build("--jobs", "1")
    return {
        "build": vars(build),
        "sizes": sizes,
        "published": whole,
        "rerun": vars(rerun),
        "statuses": sorted({report["status"] for report in project.manifest().values()}),
    }


def test_a_full_disk_is_one_line_and_leaves_no_empty_or_cut_file(project, small_disk):
    project = dataclasses.replace(project, out=small_disk.path / "reports")
    seen = small_disk.run(_build_on_a_full_disk, project, small_disk.path / "filler")
    build = seen["build"]
    assert build["returncode"] == 1, build["stderr"]
    assert "Traceback" not in build["stderr"], build["stderr"]
    manifest = project.quarter_dir / "manifest.json"
    assert build["stderr"].strip().splitlines()[-1] == (
        f"error: {manifest}: cannot write (No space left on device); any previous version is kept"
    )
    for path, size in seen["sizes"].items():
        assert SCRATCH_MARK not in Path(path).name, f"scratch file left: {path}"
        assert size > 0, f"empty file left: {path}"
    assert seen["published"] == {"a.html": None, "a.ipynb": None}
    assert seen["rerun"]["returncode"] == 0, seen["rerun"]["stderr"]
    assert seen["statuses"] == ["ok"]
