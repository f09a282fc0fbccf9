"""Warm Jupyter kernels: one per worker process, imports done once, state reset per report.

`warm_engine` runs papermill on them.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ipykernel.kernelspec import RESOURCES, get_kernel_dict
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import default

from portfolio_reports.errors import InputError
from portfolio_reports.execution.forked_kernels import PROVISIONER_NAME, Forkable

KERNEL_NAME = "python3"
START_TIMEOUT_S = 120
KERNEL_PROCESS_STDERR = subprocess.DEVNULL
"""Where a kernel process's own messages go (a fresh kernel's TCP warning, its event loop's
errors while it is killed): not into the build's output, which names a failed report's cause in
one line. What a cell writes to stderr still reaches its notebook as output."""
_WARM_UP = (
    "import portfolio_reports.execution.kernel_session as _s; _s.remember_clean_state(); del _s"
)
_SESSION = "__import__('portfolio_reports.execution.kernel_session').execution.kernel_session"
_RESET = _SESSION + ".restore_clean_state({cwd!r})"
SOCKETS_PREFIX = "portfolio-reports-kernel-"
"""Start of the name of a kernel's socket folder (sockets and connection file, with its key), in
the temporary folder."""
SOCKET_PATH_MAX = 103
"""Longest path of a Unix socket, in bytes, on every system the build runs on (macOS's limit)."""
LONGEST_SOCKET_NAME = f"/{SOCKETS_PREFIX}12345678/ipc-5"
"""The longest socket path a kernel makes under the temporary folder, past the folder's own."""
OWNER_LOCK = "owner.lock"
"""The file in a socket folder that its owning process holds an flock on while it runs."""
_OPEN_FLAGS = os.O_NOFOLLOW | os.O_CLOEXEC


class ThisPythonKernelSpecs(KernelSpecManager):
    """Kernel specs where KERNEL_NAME always runs this interpreter (sys.executable).

    A user-level or system "python3" kernelspec may point at another Python, without this
    package or with other library versions; reports must run where the build runs. A worker
    forks its warm kernels from itself (see `forked_kernels`).
    """

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        """This interpreter's ipykernel for KERNEL_NAME; other names as installed."""
        if kernel_name == KERNEL_NAME:
            spec = get_kernel_dict()
            provisioner = {"kernel_provisioner": {"provisioner_name": PROVISIONER_NAME}}
            spec["metadata"] = {**spec.get("metadata", {}), **provisioner}
            return KernelSpec(resource_dir=RESOURCES, **spec)
        return super().get_kernel_spec(kernel_name)


def kernel_language(kernel_name: str) -> str:
    """The language a kernel runs, by name (Python for KERNEL_NAME); NoSuchKernel if unknown."""
    return str(ThisPythonKernelSpecs().get_kernel_spec(kernel_name).language)


class ThisPythonKernelManager(AsyncKernelManager):
    """A kernel manager that starts KERNEL_NAME on this interpreter (see ThisPythonKernelSpecs)."""

    @default("kernel_spec_manager")
    def _this_python_specs(self) -> KernelSpecManager:
        return ThisPythonKernelSpecs(data_dir=self.data_dir)


class WarmKernelManager(ThisPythonKernelManager, Forkable):
    """The manager of a warm kernel, which a worker forks from itself (see `forked_kernels`)."""


def check_temporary_folder() -> None:
    """Refuse in one line a temporary folder too long a path for the kernels' sockets."""
    folder = tempfile.gettempdir()
    most = SOCKET_PATH_MAX - len(LONGEST_SOCKET_NAME)
    if len(os.fsencode(folder)) > most:
        raise InputError(
            f"TMPDIR {folder}: {len(folder)} characters, too long a path for the kernels'"
            f" sockets (at most {most}): set TMPDIR to a shorter folder, such as /tmp"
        )


def claim_sockets_folder() -> tuple[Path, int]:
    """A new socket folder and the descriptor holding its owner lock until this process ends.

    The folder takes its name only once locked, so no other process ever sees it unowned.
    """
    claiming = Path(tempfile.mkdtemp(prefix=f".{SOCKETS_PREFIX}"))
    descriptor = os.open(claiming / OWNER_LOCK, os.O_RDWR | os.O_CREAT | _OPEN_FLAGS, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    folder = claiming.with_name(claiming.name.removeprefix("."))
    claiming.rename(folder)
    return folder, descriptor


def remove_orphaned_sockets(parent: Path) -> list[Path]:
    """Remove this user's kernel socket folders whose owner lock no process holds; return them.

    A build killed outright (SIGKILL, power loss) cannot remove its kernels' folders; the system
    releases their locks, and the next kernel started removes them.
    """
    removed = []
    for folder in parent.glob(f"{SOCKETS_PREFIX}*"):
        if folder.is_symlink():  # a folder of ours is never a link: one planted is not followed
            continue
        try:
            descriptor = os.open(folder / OWNER_LOCK, os.O_RDONLY | _OPEN_FLAGS)
        except OSError:  # not a socket folder with an owner, or not this user's to read
            continue
        try:
            if os.fstat(descriptor).st_uid != os.getuid():
                continue
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            shutil.rmtree(folder)
            removed.append(folder)
        except OSError:  # held by a running process, or removed meanwhile
            continue
        finally:
            os.close(descriptor)
    return removed


class WarmKernel:
    """A kernel started once, with the report imports loaded, reused by many reports."""

    def __init__(self) -> None:
        check_temporary_folder()
        remove_orphaned_sockets(Path(tempfile.gettempdir()))
        self._sockets, self._owner_lock = claim_sockets_folder()
        self.manager = WarmKernelManager(  # its sockets and key file in that folder
            kernel_name=KERNEL_NAME,
            transport="ipc",
            ip=str(self._sockets / "ipc"),
            connection_file=str(self._sockets / "connection.json"),
        )
        try:
            # No input history: it is never read, and resetting the execution count per report
            # would make IPython's history database print "Session/line number was not unique".
            run_sync(self.manager.start_kernel)(
                extra_arguments=["--HistoryManager.enabled=False"], stderr=KERNEL_PROCESS_STDERR
            )
            self.client = self.manager.client()
            self.client.start_channels()
            run_sync(self.client.wait_for_ready)(timeout=START_TIMEOUT_S)
            self.run(_WARM_UP)
        except BaseException:  # no kernel process or socket folder outlives a failed start
            self.shutdown()
            raise

    @property
    def pid(self) -> int | None:
        """Process id of the kernel, when it runs on this machine."""
        process = getattr(self.manager.provisioner, "process", None)
        return getattr(process, "pid", None)

    def reset(self, cwd: Path) -> None:
        """Give the next report a clean namespace, options and working directory."""
        self.run(_RESET.format(cwd=str(cwd)))

    def is_alive(self) -> bool:
        """Whether the kernel process still runs."""
        return bool(run_sync(self.manager.is_alive)())

    def shutdown(self) -> None:
        """Stop the kernel and its channels, and remove its socket folder."""
        with contextlib.suppress(AttributeError):  # a start that failed before the client
            self.client.stop_channels()
        if self.manager.has_kernel:
            run_sync(self.manager.shutdown_kernel)(now=True)
        shutil.rmtree(self._sockets, ignore_errors=True)
        os.close(self._owner_lock)

    def run(self, code: str) -> None:
        """Run code in the kernel silently; raise RuntimeError naming the error if it fails."""
        reply = run_sync(self.client.execute_interactive)(
            code, silent=True, store_history=False, timeout=START_TIMEOUT_S
        )
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise RuntimeError(
                f"kernel code failed: {content.get('ename')}: {content.get('evalue')}"
            )


_worker_kernel: WarmKernel | None = None


def worker_kernel() -> WarmKernel:
    """This process's warm kernel, started on first use and stopped when the process exits.

    A dask worker's process ends without a word to its jobs: without the exit hook its kernel
    would outlive it, and its socket folder and key stay until another kernel starts.
    """
    global _worker_kernel
    if _worker_kernel is None:
        _worker_kernel = WarmKernel()
        atexit.unregister(discard_worker_kernel)  # registered once however often restarted
        atexit.register(discard_worker_kernel)
    return _worker_kernel


def current_kernel_pid() -> int | None:
    """Process id of this process's warm kernel, when it has one."""
    return _worker_kernel.pid if _worker_kernel is not None else None


def discard_worker_kernel() -> None:
    """Shut down this process's warm kernel, if any; the next report starts a new one."""
    global _worker_kernel
    kernel, _worker_kernel = _worker_kernel, None
    if kernel is not None:
        kernel.shutdown()


def peak_memory_mib(pid: int | None) -> float | None:
    """Peak resident memory of a process since it started or since `reset_peak_memory`."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, TypeError):
        return None
    kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return round(int(kib) / 1024, 1) if kib else None


def reset_peak_memory(pid: int | None) -> None:
    """Start measuring a process's peak memory afresh (Linux clear_refs)."""
    with contextlib.suppress(OSError, TypeError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")
