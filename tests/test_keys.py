"""Rebuild keys and the default worker count, on their own."""

import shutil
import subprocess
import sys

from portfolio_reports.builder.keys import (
    environment_fingerprint,
    job_key,
    key_parts,
    page_code_fingerprint,
    rebuild_reasons,
)
from portfolio_reports.builder.specs import commentary_file, load_specs
from portfolio_reports.data.dataset import load_dataset
from portfolio_reports.execution.executors import cgroup_cpu_limit
from portfolio_reports.paths import PACKAGE_DIR

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


def test_a_report_added_or_removed_changes_the_keys_of_pages_linking_to_it():
    spec = load_specs(PARAMS, NOTEBOOKS, load_dataset(SAMPLE_DATA))[0]
    links = (("Oncology", "therapy-area-oncology.html"), ("China", "market-cn.html"))
    before = key_parts(spec, "2026Q3", "data", links=links)
    assert key_parts(spec, "2026Q3", "data", links=links[::-1]) == before, "order is no change"
    published = {"key": job_key(spec, "2026Q3", "data", links=links), "key_parts": before}
    for changed in (links[:1], (*links, ("Latin America", "region-latin-america.html"))):
        assert rebuild_reasons(key_parts(spec, "2026Q3", "data", links=changed), published) == (
            "links",
        )


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


def test_a_reports_commentary_is_part_of_its_key(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PARAMS, project / "params")
    spec = next(
        spec
        for spec in load_specs(project / "params", NOTEBOOKS, load_dataset(SAMPLE_DATA))
        if spec.name == "market-us"
    )
    assert commentary_file(spec, "2026Q3") is None
    without = job_key(spec, "2026Q3", "data")
    before = key_parts(spec, "2026Q3", "data")
    note = project / "commentary" / "2026Q3" / "market-us.md"
    note.parent.mkdir(parents=True)
    note.write_text("Launch on track.\n", encoding="utf-8")
    assert commentary_file(spec, "2026Q3") == note
    with_note = job_key(spec, "2026Q3", "data")
    assert with_note != without
    published = {"key": without, "key_parts": before}
    assert rebuild_reasons(key_parts(spec, "2026Q3", "data"), published) == ("commentary",)
    note.write_text("Launch delayed.\n", encoding="utf-8")
    assert job_key(spec, "2026Q3", "data") not in (without, with_note)
    assert job_key(spec, "2026Q2", "data") != with_note  # another quarter has none


def test_the_code_part_counts_what_a_report_kernel_imports_and_the_templates(tmp_path):
    """A comment in the command line or the build changes no page; one in a module the report
    notebook imports, or in a page template, rebuilds it."""
    package = tmp_path / "portfolio_reports"
    shutil.copytree(PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    notebook = NOTEBOOKS / "market.ipynb"
    before = page_code_fingerprint(notebook, package)
    for unread in ("cli/commands.py", "builder/run.py", "tools/glossary.py"):
        with (package / unread).open("a") as module:
            module.write("\n# a comment\n")
    assert page_code_fingerprint(notebook, package) == before
    for read in ("analysis/metrics.py", "presentation/templates/style.css"):
        path = package / read
        text = path.read_text()
        path.write_text(text + "\n/* a comment */\n" if read.endswith(".css") else text + "\n#\n")
        assert page_code_fingerprint(notebook, package) != before, read
        path.write_text(text)
    assert page_code_fingerprint(notebook, package) == before
