"""A real disk to fill up: a 64 MiB tmpfs that a child process mounts in a namespace of its own.

Mounting needs CAP_SYS_ADMIN. Root has it; any other user gains it inside a user namespace of its
own (`unshare --user --map-root-user`), where it may mount a tmpfs that only that process and its
children see. So a scenario that needs the disk runs, for every user, in such a child process
(`python -m tests.small_disk`): it mounts the tmpfs, runs the scenario, and prints what the
scenario returns as JSON for the test to check. The mount goes with the child.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

SIZE = "64m"
NO_MOUNT = 3
"""The child's exit status when the kernel refuses to mount the tmpfs."""


def fill_disk_code(filler: Path) -> str:
    """Python code that fills the filesystem holding `filler` until it has no byte left."""
    return (
        "import contextlib, pathlib\n"
        f"with contextlib.suppress(OSError), pathlib.Path({str(filler)!r}).open('ab', buffering=0)"
        " as _f:\n"
        "    while True:\n"
        "        _f.write(bytes(1 << 20))"
    )


def namespace_command() -> list[str]:
    """unshare's command for a mount namespace of its own, in a user namespace unless root."""
    as_user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    return ["unshare", *as_user, "--mount"]


def cannot_mount(reason: str) -> str:
    """The one line a full-disk test fails with when this machine lets it mount no tmpfs."""
    if os.geteuid() == 0:
        return f"a full-disk test mounts a tmpfs, which needs CAP_SYS_ADMIN: {reason}"
    return (
        "a full-disk test mounts a tmpfs in a user namespace, which this machine forbids "
        f"({reason}): run it as root, or allow unprivileged user namespaces (sysctl "
        "kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 23.10+, "
        "kernel.unprivileged_userns_clone=1 on older Debian, user.max_user_namespaces > 0)"
    )


@dataclass(frozen=True)
class SmallDisk:
    """Where a child process mounts the tmpfs before it runs a scenario."""

    path: Path

    def run(self, scenario: Callable[..., Any], *args: Any) -> Any:
        """What scenario(*args) returns (as JSON), run in a child that has the tmpfs at path."""
        child = subprocess.run(
            [*namespace_command(), sys.executable, "-m", __name__],
            input=pickle.dumps((self.path, scenario, args)),
            capture_output=True,
            cwd=Path(__file__).resolve().parents[1],
            timeout=900,
        )
        stderr = child.stderr.decode(errors="replace").strip()
        if child.returncode == NO_MOUNT or stderr.startswith("unshare:"):
            pytest.fail(cannot_mount(stderr.splitlines()[-1]), pytrace=False)
        assert child.returncode == 0, f"the scenario failed on the small disk:\n{stderr}"
        return json.loads(child.stdout)


def _run_in_child() -> None:
    """Mount the tmpfs, run the pickled call read from stdin, print its result as JSON."""
    disk, scenario, args = pickle.load(sys.stdin.buffer)
    mount = ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(disk)]
    mounted = subprocess.run(mount, capture_output=True, text=True)
    if mounted.returncode != 0:
        reason = mounted.stderr.strip().splitlines() or [f"mount: exit {mounted.returncode}"]
        print(reason[0], file=sys.stderr)  # the line after it says only to read dmesg
        sys.exit(NO_MOUNT)
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the result alone
        result = scenario(*args)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    _run_in_child()
