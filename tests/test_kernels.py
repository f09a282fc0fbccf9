"""Warm kernels: reused across reports, yet each report starts from a clean state."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import psutil
import pytest
from jupyter_core.utils import run_sync

from portfolio_reports.execution import kernels
from portfolio_reports.execution.kernels import (
    SOCKETS_PREFIX,
    WarmKernel,
    remove_orphaned_sockets,
)

from .conftest import NOTEBOOKS, PARAMS, invoke_cli

pytestmark = pytest.mark.slow

BUILD_TIME = re.compile(r"<p class=\"built\">.*?</p>")


def notebook(*sources: str) -> nbformat.NotebookNode:
    """A report notebook declaring the build parameters, then the given code cells."""
    cells = [
        nbformat.v4.new_code_cell(
            'quarter = None\ndata = "../data/sample"\nmarker = ""',
            metadata={"tags": ["parameters"]},
        ),
        *(nbformat.v4.new_code_cell(source) for source in sources),
    ]
    book = nbformat.v4.new_notebook(cells=cells)
    book.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return book


POLLUTE = """
import logging
import os
import random
import warnings
import numpy as np
import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
leftover = 42
matplotlib.rcParams["axes.titlesize"] = 31
pd.set_option("display.max_rows", 3)
pd.set_option("mode.string_storage", "pyarrow")
os.environ["LEFTOVER"] = "yes"
plt.figure()
warnings.simplefilter("error")
random.seed(1)
np.random.seed(1)
logging.basicConfig(level=logging.DEBUG)
logging.getLogger("portfolio_reports").setLevel(logging.CRITICAL)
open(marker, "w").write(str(os.getpid()))
"""
CHECK = """
import logging
import os
import random
import warnings
import numpy as np
import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from portfolio_reports.execution.kernel_session import _clean as clean
assert "leftover" not in globals(), "a variable survived"
assert matplotlib.rcParams["axes.titlesize"] != 31, "rcParams survived"
assert pd.get_option("display.max_rows") == 60, "a pandas option survived"
assert "LEFTOVER" not in os.environ, "an environment variable survived"
assert plt.get_fignums() == [], "a figure survived"
if clean:  # a warm kernel; a fresh one has recorded nothing and starts clean
    assert warnings.filters == clean["warnings"], "a warning filter survived"
    assert pd.get_option("mode.string_storage") == "python", "the kernel's text storage was lost"
    assert random.getstate() == clean["random"], "a report's random state survived"
    assert (np.random.get_state()[1] == clean["numpy_random"][1]).all(), "NumPy's state survived"
assert not logging.getLogger().handlers, "a root logging handler survived"
assert logging.getLogger().level == logging.WARNING, "the root logging level survived"
assert logging.getLogger("portfolio_reports").level == logging.NOTSET, "a logger level survived"
open(marker, "w").write(str(os.getpid()))
"""


@pytest.fixture
def project(tmp_path):
    """A params and notebooks folder with a polluting report followed by a checking one."""
    notebooks, params = tmp_path / "notebooks", tmp_path / "params"
    notebooks.mkdir()
    params.mkdir()
    nbformat.write(notebook(POLLUTE), notebooks / "pollute.ipynb")
    nbformat.write(notebook(CHECK), notebooks / "check.ipynb")
    for name, book in (("a-pollute", "pollute"), ("b-check", "check")):
        marker = tmp_path / f"{name}.pid"
        (params / f"{name}.yaml").write_text(
            f"notebook: {book}.ipynb\ntitle: {name}\nparameters:\n  marker: {marker}\n"
        )
    return tmp_path


def build(project, *options):
    return invoke_cli(
        "build",
        "--params",
        str(project / "params"),
        "--notebooks",
        str(project / "notebooks"),
        "--out",
        str(project / "reports"),
        *options,
    )


def test_a_warm_kernel_serves_both_reports_and_forgets_the_first(project):
    process = build(project, "--jobs", "1")
    assert process.returncode == 0, process.stderr
    first, second = ((project / f"{name}.pid").read_text() for name in ("a-pollute", "b-check"))
    assert first == second, "both reports should run on the same warm kernel"


def test_the_check_notebook_does_fail_on_a_polluted_kernel(project):
    combined = notebook(POLLUTE, CHECK)
    nbformat.write(combined, project / "notebooks" / "check.ipynb")
    process = build(project, "--jobs", "1")
    assert process.returncode == 1
    assert "AssertionError: a variable survived" in process.stderr


def test_fresh_kernels_use_one_kernel_per_report(project):
    process = build(project, "--jobs", "1", "--fresh-kernels")
    assert process.returncode == 0, process.stderr
    first, second = ((project / f"{name}.pid").read_text() for name in ("a-pollute", "b-check"))
    assert first != second


def test_a_dead_kernel_fails_only_its_report_and_is_replaced(project):
    nbformat.write(
        notebook("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        project / "notebooks" / "pollute.ipynb",
    )
    process = build(project, "--jobs", "1")
    assert process.returncode == 1
    manifest = json.loads((project / "reports" / "2026Q3" / "manifest.json").read_text())
    status = {report["name"]: report["status"] for report in manifest["reports"]}
    assert status == {"a-pollute": "failed", "b-check": "ok"}


def test_jobs_and_kernel_modes_give_identical_reports(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    for name in ("portfolio-overview", "disease-area-lung-cancer", "market-jp"):
        shutil.copy(PARAMS / f"{name}.yaml", params)
    pages = {}
    for mode in (["--jobs", "1"], ["--jobs", "2"], ["--jobs", "2", "--fresh-kernels"]):
        out = tmp_path / "-".join(mode)
        process = invoke_cli(
            "build",
            "--params",
            str(params),
            "--notebooks",
            str(NOTEBOOKS),
            "--out",
            str(out),
            *mode,
        )
        assert process.returncode == 0, process.stderr
        pages[tuple(mode)] = {
            path.name: BUILD_TIME.sub("Built", path.read_text())
            for path in sorted((out / "2026Q3").glob("*.html"))
            if path.name not in ("index.html", "glossary.html")
        }
    reference, *others = pages.values()
    assert len(reference) == 3
    for other in others:
        assert other == reference


PROCESS_FACTS = """
import json, os, signal, sys
def links(pid, lowest):
    found = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            found.add(os.readlink(f"/proc/{pid}/fd/{fd}") if int(fd) >= lowest else "")
        except OSError:  # closed meanwhile
            pass
    return {link for link in found if link.startswith(("pipe:", "socket:"))}
facts = {
    "preloaded": "portfolio_reports.execution.kernel_preload" in sys.modules,
    "command": open("/proc/self/cmdline").read().replace(chr(0), " "),
    "argv0": os.path.basename(sys.argv[0]),
    "session_leader": os.getsid(0) == os.getpid(),
    "sigterm_default": signal.getsignal(signal.SIGTERM) == signal.SIG_DFL,
    "parent_named": os.environ.get("JPY_PARENT_PID") == str(os.getppid()),
    "shared_with_parent": sorted(links(os.getpid(), 3) & links(os.getppid(), 0)),
    "path": sys.path,
}
open(marker, "w").write(json.dumps(facts))
"""


def test_a_workers_warm_kernels_are_forked_from_it_and_start_as_a_new_kernel_would(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "params").mkdir()
    nbformat.write(notebook(PROCESS_FACTS), tmp_path / "notebooks" / "facts.ipynb")
    for name in ("a", "b"):  # two reports, so that two workers run them
        marker = tmp_path / f"{name}.json"
        (tmp_path / "params" / f"{name}.yaml").write_text(
            f"notebook: facts.ipynb\ntitle: {name}\nparameters:\n  marker: {marker}\n"
        )
    paths = []
    for options, names, forked in (
        (["--jobs", "1"], "ab", False),  # kernels started as new processes by the build process
        (["--jobs", "2"], "ab", True),
        (["--jobs", "2", "a"], "a", True),  # a single report goes to a worker all the same
        (["--jobs", "2", "--fresh-kernels"], "ab", False),  # new processes, as papermill starts
    ):
        for name in "ab":
            (tmp_path / f"{name}.json").unlink(missing_ok=True)
        process = build(tmp_path, *options, "--force")
        assert process.returncode == 0, process.stderr
        assert {path.stem for path in tmp_path.glob("*.json")} == set(names)
        for name in names:
            facts = json.loads((tmp_path / f"{name}.json").read_text())
            assert facts.pop("preloaded") is forked, "a worker's warm kernel holds its imports"
            assert " -m ipykernel_launcher -f " in facts.pop("command")
            paths.append(facts.pop("path"))
            assert facts == {
                "argv0": "ipykernel_launcher.py",
                "session_leader": True,
                "sigterm_default": True,  # not the worker's handler
                "parent_named": True,  # JPY_PARENT_PID, as jupyter_client's launcher sets it
                "shared_with_parent": [],  # no pipe or socket of the worker kept open
            }, options
    assert all(path == paths[0] for path in paths), "a forked kernel's module path differs"


def test_warm_kernels_keep_no_input_history():
    """Execution counts restart per report, so a history database would see duplicate lines."""
    kernel = WarmKernel()
    try:
        reply = run_sync(kernel.client.execute_interactive)(
            "assert not get_ipython().history_manager.enabled, 'history is on'", timeout=60
        )
    finally:
        kernel.shutdown()
    assert reply["content"]["status"] == "ok", reply["content"]


def test_warm_kernels_freeze_the_imports_yet_collect_each_reports_garbage(tmp_path):
    """The imports' objects are out of the collector's reach; a report's cycles are not."""
    kernel = WarmKernel()
    try:
        kernel.run(
            "import gc, weakref\n"
            "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()\n"
            "class Node: pass\n"
            "node = Node(); node.itself = node\n"
            "import builtins; builtins._report_node = weakref.ref(node)"
        )
        kernel.reset(tmp_path)
        kernel.run("import builtins; assert builtins._report_node() is None, 'a cycle survived'")
    finally:
        kernel.shutdown()


CLAIM_UNTIL_INPUT_ENDS = (
    "import sys\n"
    "from portfolio_reports.execution.kernels import claim_sockets_folder\n"
    "print(claim_sockets_folder()[0], flush=True)\n"
    "sys.stdin.read()"
)
"""A process that claims a socket folder, prints it, and ends (without removing it) on EOF."""


def test_only_socket_folders_whose_owner_has_ended_are_removed(tmp_path):
    claim = [sys.executable, "-c", CLAIM_UNTIL_INPUT_ENDS]
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    ended = subprocess.run(claim, env=env, input="", capture_output=True, text=True, check=True)
    orphan = Path(ended.stdout.strip())
    running = subprocess.Popen(claim, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    held = Path(running.stdout.readline().decode().strip())
    without_owner = tmp_path / f"{SOCKETS_PREFIX}made-by-something-else"
    without_owner.mkdir()
    try:
        assert orphan.is_dir() and held.is_dir()
        assert remove_orphaned_sockets(tmp_path) == [orphan]
        assert held.is_dir() and without_owner.is_dir()
    finally:
        running.communicate(b"")
    assert remove_orphaned_sockets(tmp_path) == [held]
    assert [path.name for path in tmp_path.iterdir()] == [without_owner.name]


def test_a_link_named_like_a_socket_folder_is_never_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "owner.lock").write_text("")  # unlocked, as an orphan's would be
    (target / "precious.txt").write_text("keep me")
    sockets = tmp_path / "sockets"
    sockets.mkdir()
    (sockets / f"{SOCKETS_PREFIX}planted").symlink_to(target)
    assert remove_orphaned_sockets(sockets) == []
    assert (target / "precious.txt").read_text() == "keep me"


def test_a_kernel_keeps_its_sockets_and_key_in_its_own_folder_and_removes_it(
    monkeypatch, short_temporary_folder
):
    tmp_path = short_temporary_folder
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    kernel = WarmKernel()
    try:
        (folder,) = tmp_path.iterdir()
        assert folder.name.startswith(SOCKETS_PREFIX)
        assert kernel.manager.connection_file == str(folder / "connection.json")
        assert (folder / "connection.json").is_file()
        assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    finally:
        kernel.shutdown()
    assert list(tmp_path.iterdir()) == []


def test_a_kernel_that_fails_to_start_is_stopped_and_leaves_no_socket_folder(
    monkeypatch, short_temporary_folder
):
    tmp_path = short_temporary_folder
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(kernels, "_WARM_UP", "raise ValueError('cannot warm up')")
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    with pytest.raises(RuntimeError, match="kernel code failed: ValueError: cannot warm up"):
        WarmKernel()
    started = [
        child
        for child in psutil.Process().children(recursive=True)
        if child.pid not in before and child.status() != psutil.STATUS_ZOMBIE
    ]
    assert started == [], "the kernel still runs"
    assert list(tmp_path.iterdir()) == []
