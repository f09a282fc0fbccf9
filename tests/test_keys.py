"""Rebuild keys and the default worker count, on their own."""

import subprocess
import sys

from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.execution.executors import cgroup_cpu_limit
from portfolio_reports.keys import environment_fingerprint, job_key
from portfolio_reports.specs import load_specs

from .conftest import NOTEBOOKS, PARAMS, SAMPLE_DATA


def test_a_new_library_version_changes_every_report_key():
    spec = load_specs(PARAMS, NOTEBOOKS, load_dataset(SAMPLE_DATA))[0]
    today = environment_fingerprint()
    upgraded = today.replace('"pandas": "', '"pandas": "99.')
    assert upgraded != today
    key = job_key(spec, "2026Q3", "data", today)
    assert job_key(spec, "2026Q3", "data", today) == key
    assert job_key(spec, "2026Q3", "data", upgraded) != key
    assert job_key(spec, "2026Q3", "data") == key, "the default is this environment"


def test_the_environment_names_python_and_the_page_libraries():
    environment = environment_fingerprint()
    for name in ("python", "pandas", "matplotlib", "nbconvert", "papermill"):
        assert f'"{name}": "' in environment


def test_a_cgroup_quota_caps_the_workers(tmp_path):
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")
    assert cgroup_cpu_limit(cpu_max) == 1
    cpu_max.write_text("400000 100000\n")
    assert cgroup_cpu_limit(cpu_max) == 4
    cpu_max.write_text("max 100000\n")
    assert cgroup_cpu_limit(cpu_max) is None
    assert cgroup_cpu_limit(tmp_path / "absent") is None


def test_default_workers_follow_the_cpus_this_process_may_use():
    code = "from portfolio_reports.execution.executors import default_workers as d; print(d())"
    pinned = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True, text=True
    )
    assert pinned.returncode == 0, pinned.stderr
    assert pinned.stdout.strip() == "1"
