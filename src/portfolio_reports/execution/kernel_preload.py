"""The imports a kernel forked from a worker needs, made once by the worker fork server.

Every worker and the kernels it forks (see `forked_kernels`) share them.
"""

import json
import os
import subprocess
import sys
import warnings

# ipykernel sets this before a new kernel imports matplotlib; here matplotlib is imported first.
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

import ipykernel.kernelapp  # noqa: F401

import portfolio_reports.execution.kernel_session  # noqa: F401

_NEW_INTERPRETER_PATH = """
import json, os, sys
path = sys.path[1:] if sys.path and sys.path[0] in ("", os.getcwd()) else sys.path
print(json.dumps(path))
"""


def _new_kernel_path() -> list[str] | None:
    """The module search path of a new kernel, asked of a new interpreter (a few milliseconds);
    None if it cannot be asked, and kernels then start as new processes."""
    try:
        probe = [sys.executable, "-c", _NEW_INTERPRETER_PATH]
        path = json.loads(subprocess.run(probe, capture_output=True, check=True).stdout)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    return [str(entry) for entry in path]


KERNEL_PATH = _new_kernel_path()
"""A new kernel's module path. The build's own path holds entries of its own (its script's
folder, a test runner's); a new kernel's launcher takes out the working folder, as the probe
does."""
KERNEL_WARNING_FILTERS = list(warnings.filters)
"""The warning filters as the kernel's imports left them, before the worker's own imports."""
