"""Kernels forked from a build's worker, which holds the report stack, instead of started afresh.

A kernel started as a new Python process imports IPython, pandas, matplotlib, pandera and this
package before its first report: about 1.1 s of CPU. A pool worker is forked from a server that
imported all of that once (`KERNEL_PRELOAD`), so a warm kernel forked from the worker is ready in
about 0.1 s. It is still its own process: a child of the worker, leading a session of its own,
with the environment, folder and arguments the kernel manager gave, as a new one would be.
Anywhere else (the build process itself, fresh kernels, a cluster's workers) kernels start as new
processes.
"""

from __future__ import annotations

import asyncio
import gc
import os
import pathlib
import shlex
import signal
import subprocess
import sys
import tempfile
import warnings
from importlib.util import find_spec
from typing import Any, cast

import setproctitle
from ipykernel.kernelspec import make_ipkernel_cmd
from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

PROVISIONER_NAME = "portfolio-reports-forking"
"""This provisioner's entry point name (see pyproject.toml), named in the kernel spec."""
KERNEL_PRELOAD = "portfolio_reports.execution.kernel_preload"
"""The module the worker fork server imports so that workers can fork kernels."""
_LAUNCHER = make_ipkernel_cmd()[:3]
"""How the kernel spec starts a kernel: this Python, `-m`, ipykernel's launcher module."""
_forking = False


def fork_kernels_here() -> None:
    """Fork this process's kernels from it from now on, if it holds KERNEL_PRELOAD's imports."""
    global _forking
    preload = sys.modules.get(KERNEL_PRELOAD)
    _forking = getattr(preload, "KERNEL_PATH", None) is not None


class Forkable:
    """Marks a kernel manager whose kernels may be forked: a warm kernel's, on its own sockets.

    A fresh kernel per report (`--fresh-kernels`) starts as a new process, as papermill starts
    one; its TCP ports are picked by its worker while other workers pick theirs.
    """


class ForkingProvisioner(LocalProvisioner):  # type: ignore[misc]
    """Jupyter's local provisioner, forking the kernel where `fork_kernels_here` was called."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        """Fork the kernel when this process may, its manager is Forkable and `cmd` runs this
        Python's ipykernel; else start it as a new process."""
        forkable = _forking and isinstance(self.parent, Forkable)
        if not forkable or cmd[: len(_LAUNCHER)] != _LAUNCHER:
            return await super().launch_kernel(cmd, **kwargs)
        kernel = ForkedKernel(
            cmd[len(_LAUNCHER) :], kwargs.get("env"), kwargs.get("cwd"), kwargs.get("stderr")
        )
        self.process = kernel  # type: ignore[assignment]  # the part of Popen used here
        self.pid = self.pgid = kernel.pid  # it leads a process group of its own
        self.cwd = kwargs.get("cwd", pathlib.Path.cwd())
        return self.connection_info


class ForkedKernel:
    """A kernel forked from this process, with the part of `subprocess.Popen` a provisioner uses."""

    stdin = stdout = stderr = None

    def __init__(
        self, arguments: list[str], env: dict[str, str] | None, cwd: str | None, stderr: Any
    ) -> None:
        self.returncode: int | None = None
        sys.stdout.flush()  # nothing buffered here is written twice
        sys.stderr.flush()
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
        try:
            self.pid = os.fork()
            if self.pid == 0:
                try:
                    _become_kernel(arguments, env, cwd, stderr, mask)
                finally:
                    os._exit(1)
        finally:  # here, in the worker, whether or not the fork failed
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def poll(self) -> int | None:
        """The exit code once the kernel has ended, else None."""
        if self.returncode is None:
            self._reap(os.WNOHANG)
        return self.returncode

    def wait(self) -> int:
        """Wait for the kernel to end; its exit code."""
        while self.returncode is None:
            self._reap(0)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Send the kernel a signal, unless it has ended."""
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        """SIGTERM the kernel."""
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL the kernel."""
        self.send_signal(signal.SIGKILL)

    def _reap(self, options: int) -> None:
        """Collect the kernel's exit status, if it has ended (`waitpid` with `options`)."""
        try:
            pid, status = os.waitpid(self.pid, options)
        except ChildProcessError:  # collected elsewhere: its code is lost, as Popen has it
            self.returncode = 0
            return
        if pid == self.pid:
            self.returncode = os.waitstatus_to_exitcode(status)


def _become_kernel(
    arguments: list[str], env: dict[str, str] | None, cwd: str | None, stderr: Any, mask: Any
) -> None:
    """In the forked child: take on what a new kernel process would have, then run the kernel.

    Signals this process handles go back to their defaults (as `exec` would have them), no file
    descriptor of the worker stays open, and the worker's objects are frozen out of the garbage
    collector's reach, so that none is ever finalised here.
    """
    gc.freeze()
    os.setsid()
    for signum in signal.valid_signals():
        handler = signal.getsignal(signum)
        if callable(handler) and handler is not signal.default_int_handler:
            signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    if stderr == subprocess.DEVNULL:
        os.dup2(null, 2)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    # As `ps` shows a kernel; before the environment changes, whose space the title may take.
    setproctitle.setproctitle(shlex.join([*_LAUNCHER, *arguments]))
    if cwd is not None:
        os.chdir(cwd)
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    os.environ["JPY_PARENT_PID"] = str(os.getppid())  # as jupyter_client's launcher sets it
    tempfile.tempdir = None  # found again from this environment's TMPDIR, as a new process would
    preload = sys.modules[KERNEL_PRELOAD]
    sys.path[:] = preload.KERNEL_PATH
    cast(list[Any], warnings.filters)[:] = preload.KERNEL_WARNING_FILTERS
    sys.argv = [_launcher_file(), *arguments]
    asyncio._set_running_loop(None)  # the worker's loop, which is starting this kernel
    asyncio.set_event_loop(asyncio.new_event_loop())
    from ipykernel.kernelapp import IPKernelApp  # imported by KERNEL_PRELOAD, here only by name

    IPKernelApp.launch_instance(argv=[*arguments, f"--IPKernelApp.parent_handle={os.getppid()}"])
    os._exit(0)


def _launcher_file() -> str:
    """The file of ipykernel's launcher, a new kernel's `sys.argv[0]`."""
    spec = find_spec(_LAUNCHER[-1])
    return str(spec.origin) if spec is not None else _LAUNCHER[-1]
