"""Projects built through the real command line, and the means to break their builds."""

from __future__ import annotations

import contextlib
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

from ..conftest import (
    NOTEBOOKS,
    PROJECT,
    cli_command,
    run_cli,
)

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
    assert "execute reply" not in process.stderr  # the client's own log line, said again
    assert line in html.unescape((project.quarter_dir / "index.html").read_text())
    kept = nbformat.read(project.quarter_dir / "notebooks" / f"{name}.failed.ipynb", as_version=4)
    code = [
        c
        for c in kept.cells
        if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])
    ]
    assert code[cell - 1].source in (RAISES, DIES, HANGS), "cell N: the notebook's N-th code cell"
    assert not (project.quarter_dir / f"{name}.html").exists()
    for other, report in manifest.items():
        if other != name:
            assert report["status"] == "ok", report
            assert incomplete(project.quarter_dir / f"{other}.html") is None
