"""Build named reports only, tell why each report will rebuild, run one from a params file."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from portfolio_reports.builder.keys import KEY_PARTS, NO_PAGE, key_of, rebuild_reasons

from .conftest import PARAMS, PROJECT, cli_command, run_cli

PARTS = dict.fromkeys(KEY_PARTS, "aa" * 32)


def test_a_report_without_a_page_will_be_built():
    assert rebuild_reasons(PARTS, None) == (NO_PAGE,)


def test_a_report_built_with_the_same_parts_is_current():
    assert rebuild_reasons(PARTS, {"key": key_of(PARTS), "key_parts": PARTS}) == ()


def test_the_reasons_are_the_parts_that_changed():
    before = {**PARTS, "data": "bb" * 32, "code": "cc" * 32}
    published = {"key": key_of(before), "key_parts": before}
    assert rebuild_reasons(PARTS, published) == ("data", "code")


def test_a_page_built_before_parts_were_recorded_says_so():
    assert rebuild_reasons(PARTS, {"key": "0" * 64}) == (
        "built by a version that did not record its key's parts",
    )


def _list(*args: str) -> dict[str, str]:
    """Each report's state column from `list`, by report name."""
    process = subprocess.run(
        cli_command("list", "--quarter", "2026Q2", *args),
        cwd=PROJECT,
        env={**os.environ, "COLUMNS": "250"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert process.returncode == 0, process.stderr
    rows = [line.split("│") for line in process.stdout.splitlines() if line.startswith("│ ")]
    return {row[1].strip(): row[5].strip() for row in rows if row[1].strip()}


@pytest.mark.slow
def test_build_of_named_reports_keeps_the_others_and_lists_every_report(tmp_path):
    out, params = tmp_path / "reports", tmp_path / "params"
    shutil.copytree(PARAMS, params)
    common = ("--quarter", "2026Q2", "--out", str(out), "--params", str(params), "--jobs", "1")
    process = run_cli("build", "market-jp", *common)
    assert process.returncode == 0, process.stderr
    assert "  ok      market-jp (" in process.stderr
    assert "13 reports not run: 13 never built" in process.stderr
    assert "skipped" not in process.stderr and "pending" not in process.stderr
    quarter = out / "2026Q2"
    assert sorted(p.name for p in quarter.glob("*.html")) == [
        "glossary.html",
        "index.html",
        "market-jp.html",
    ]
    manifest = json.loads((quarter / "manifest.json").read_text())
    statuses = {report["name"]: report["status"] for report in manifest["reports"]}
    assert len(statuses) == 14 and statuses.pop("market-jp") == "ok"
    assert set(statuses.values()) == {"pending"}
    index = (quarter / "index.html").read_text()
    assert "13 pending" in index and "Portfolio overview" in index and "Latin America" in index
    first_page = (quarter / "market-jp.html").read_bytes()

    process = run_cli("build", "market-c*", *common)
    assert process.returncode == 0, process.stderr
    assert "13 reports not run: 1 current, 12 never built" in process.stderr
    assert (quarter / "market-jp.html").read_bytes() == first_page
    states = _list("--out", str(out), "--params", str(params))
    current = sum(state == "current" for state in states.values())
    assert (current, states["market-cn"], states["market-jp"]) == (2, "current", "current")
    assert f"{current} of 14 reports current for 2026Q2" in process.stderr
    listed = json.loads(
        run_cli(
            "list", "--json", "--quarter", "2026Q2", "--out", str(out), "--params", str(params)
        ).stdout
    )
    assert {report["name"]: report["state"] for report in listed} == {
        name: state.partition(":")[0] for name, state in states.items()
    }
    us = next(report for report in listed if report["name"] == "market-us")
    assert (us["parameters"], us["reasons"]) == ({"market": "US"}, [NO_PAGE])
    statuses = {
        r["name"]: r["status"]
        for r in json.loads((quarter / "manifest.json").read_text())["reports"]
    }
    assert (statuses["market-jp"], statuses["market-cn"], statuses["market-us"]) == (
        "skipped",
        "ok",
        "pending",
    )

    (params / "market-jp.yaml").write_text(
        "notebook: market.ipynb\ntitle: Nippon\nparameters:\n  market: JP\n"
    )
    states = _list("--out", str(out), "--params", str(params))
    assert states["market-jp"] == "will rebuild: params"
    assert states["market-cn"] == "current"
    assert states["market-us"] == f"will rebuild: {NO_PAGE}"


@pytest.mark.slow  # builds
def test_build_names_the_reports_when_a_pattern_matches_none(tmp_path):
    process = run_cli("build", "market-xx", "--out", str(tmp_path))
    assert process.returncode == 2
    assert "error: no report matches 'market-xx'; reports: portfolio-overview," in process.stderr
    assert not any(tmp_path.iterdir())


@pytest.mark.slow
def test_run_takes_a_params_file_and_opens_the_page(tmp_path):
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    target = tmp_path / "jp.html"
    process = subprocess.run(
        cli_command(
            "run",
            "-f",
            str(PARAMS / "market-jp.yaml"),
            "--quarter",
            "2026Q2",
            "--to",
            str(target),
            "--open",
        ),
        cwd=PROJECT,
        env={**os.environ, "BROWSER": str(browser)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stderr
    assert "<title>Japan · 2026Q2</title>" in target.read_text()
    assert opened.read_text().strip() == target.as_uri()


@pytest.mark.slow
def test_reports_run_on_this_interpreter_whatever_python3_kernelspec_is_installed(tmp_path):
    spec = tmp_path / "jupyter" / "kernels" / "python3" / "kernel.json"
    spec.parent.mkdir(parents=True)
    stale = ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.write_text(json.dumps({"argv": stale, "display_name": "stale", "language": "python"}))
    env = {**os.environ, "JUPYTER_PATH": str(spec.parents[2])}  # searched before any other
    for mode in ("--fresh-kernels", "--jobs=1"):
        out = tmp_path / mode
        command = cli_command("build", "market-jp", "--quarter", "2026Q2", "--out", str(out), mode)
        process = subprocess.run(
            command, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600
        )
        assert process.returncode == 0, process.stderr
        assert (out / "2026Q2" / "market-jp.html").is_file()
    doctor = subprocess.run(
        cli_command("doctor"), cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )
    assert doctor.returncode == 0, doctor.stderr
    assert (
        f"ok   kernel: reports run on {sys.executable}; the python3 kernelspec in" in doctor.stderr
    )
    assert "(runs /nonexistent/python) is not used" in doctor.stderr
