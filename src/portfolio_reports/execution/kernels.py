"""Warm Jupyter kernels: one per worker process, imports done once, state reset per report.

`warm_engine` runs papermill on them.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path

from ipykernel.kernelspec import RESOURCES, get_kernel_dict
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from traitlets import default

KERNEL_NAME = "python3"
START_TIMEOUT_S = 120
_WARM_UP = (
    "import portfolio_reports.execution.kernel_session as _s; _s.remember_clean_state(); del _s"
)
_SESSION = "__import__('portfolio_reports.execution.kernel_session').execution.kernel_session"
_RESET = _SESSION + ".restore_clean_state({cwd!r})"


class ThisPythonKernelSpecs(KernelSpecManager):
    """Kernel specs where KERNEL_NAME always runs this interpreter (sys.executable).

    A user-level or system "python3" kernelspec may point at another Python, without this
    package or with other library versions; reports must run where the build runs.
    """

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        """This interpreter's ipykernel for KERNEL_NAME; other names as installed."""
        if kernel_name == KERNEL_NAME:
            return KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


def kernel_language(kernel_name: str) -> str:
    """The language a kernel runs, by name (Python for KERNEL_NAME); NoSuchKernel if unknown."""
    return str(ThisPythonKernelSpecs().get_kernel_spec(kernel_name).language)


class ThisPythonKernelManager(AsyncKernelManager):
    """A kernel manager that starts KERNEL_NAME on this interpreter (see ThisPythonKernelSpecs)."""

    @default("kernel_spec_manager")
    def _this_python_specs(self) -> KernelSpecManager:
        return ThisPythonKernelSpecs(data_dir=self.data_dir)


class WarmKernel:
    """A kernel started once, with the report imports loaded, reused by many reports."""

    def __init__(self) -> None:
        self._sockets = Path(tempfile.mkdtemp(prefix="portfolio-reports-kernel-"))
        self.manager = ThisPythonKernelManager(
            kernel_name=KERNEL_NAME, transport="ipc", ip=str(self._sockets / "ipc")
        )
        # No input history: it is never read, and resetting the execution count per report
        # would make IPython's history database print "Session/line number was not unique".
        run_sync(self.manager.start_kernel)(extra_arguments=["--HistoryManager.enabled=False"])
        self.client = self.manager.client()
        self.client.start_channels()
        run_sync(self.client.wait_for_ready)(timeout=START_TIMEOUT_S)
        self.run(_WARM_UP)

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
        """Stop the kernel and its channels."""
        self.client.stop_channels()
        run_sync(self.manager.shutdown_kernel)(now=True)
        shutil.rmtree(self._sockets, ignore_errors=True)

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
    """This process's warm kernel, started on first use."""
    global _worker_kernel
    if _worker_kernel is None:
        _worker_kernel = WarmKernel()
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
