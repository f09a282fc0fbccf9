"""Hostile files beside the params, the config and the reports: never read past their folder,
never read whole before their size is known, never printed raw; secrets never printed.

Each case attacks the command line the way a tester did (see test_attacks.py for the style).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import SAMPLE_DATA
from .test_attacks import assert_one_problem, bytes_read, invoke, validate

QUARTER = "2026Q3"
"""The sample data's latest quarter: the one validate checks by default."""


def commentary(params: Path, report: str = "market-jp") -> Path:
    """Where the report's commentary for QUARTER lives, beside the params folder."""
    path = params.parent / "commentary" / QUARTER / f"{report}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


# Commentary


@pytest.mark.parametrize("target", ["/etc/passwd", "/proc/self/environ"])
def test_commentary_link_out_of_its_folder_is_refused_and_not_echoed(
    params: Path, target: str
) -> None:
    commentary(params).symlink_to(target)
    line = assert_one_problem(validate(SAMPLE_DATA, params), "market-jp.md", "link")
    assert "root:" not in line and "PATH=" not in line


def test_commentary_dotdot_link_out_of_its_folder_is_refused(params: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("not the analyst's words\n")
    commentary(params).symlink_to(Path("..") / ".." / "secret.md")
    assert_one_problem(validate(SAMPLE_DATA, params), "market-jp.md", "'..'")


def test_commentary_link_inside_its_folder_is_read(params: Path) -> None:
    earlier = params.parent / "commentary" / "2026Q2" / "market-jp.md"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("Tender volumes held.\n")
    commentary(params).symlink_to(earlier)
    result = validate(SAMPLE_DATA, params)
    assert result.exit_code == 0, result.output


def test_commentary_fifo_is_refused_without_blocking(params: Path) -> None:
    os.mkfifo(commentary(params))
    assert_one_problem(validate(SAMPLE_DATA, params), "market-jp.md", "not a regular file")


def test_huge_commentary_is_refused_without_reading_it(params: Path) -> None:
    with commentary(params).open("wb") as handle:
        handle.truncate(2**30)  # 1 GiB, sparse
    before = bytes_read()
    assert_one_problem(validate(SAMPLE_DATA, params), "market-jp.md", "bytes")
    assert bytes_read() - before < 2**26, "the oversized commentary was read"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Fine.\nThen \x1b]0;owned\x07 a title.\n", "line 2 column 6: control character U+001B"),
        ("Bell\x07\n", "line 1 column 5: control character U+0007"),
        ("Null\x00 byte\n", "U+0000"),
    ],
)
def test_commentary_control_characters_are_refused_in_validate(
    params: Path, text: str, where: str
) -> None:
    commentary(params).write_text(text, encoding="utf-8")
    line = assert_one_problem(validate(SAMPLE_DATA, params), "market-jp.md", where)
    assert "\x1b" not in line and "\x07" not in line


def test_commentary_that_is_not_utf8_is_refused_in_validate(params: Path) -> None:
    commentary(params).write_bytes("Ventes résistantes\n".encode("latin-1"))
    assert_one_problem(validate(SAMPLE_DATA, params), "market-jp.md line 1", "UTF-8")


def test_commentary_with_tabs_crlf_and_a_bom_is_read(params: Path) -> None:
    commentary(params).write_bytes("\ufeffVolumes:\r\n\t- held\r\n".encode())
    result = validate(SAMPLE_DATA, params)
    assert result.exit_code == 0, result.output


# Data files


def test_data_file_link_out_of_the_data_folder_is_refused(
    sample_copy: Path, params: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere.csv"
    (sample_copy / "catalysts.csv").rename(outside)
    (sample_copy / "catalysts.csv").symlink_to(outside)
    assert_one_problem(validate(sample_copy, params), "catalysts.csv", "link")


def test_data_file_fifo_is_refused_without_blocking(sample_copy: Path, params: Path) -> None:
    (sample_copy / "catalysts.csv").unlink()
    os.mkfifo(sample_copy / "catalysts.csv")
    assert_one_problem(validate(sample_copy, params), "catalysts.csv", "not a regular file")


# Config file


def test_config_folders_out_of_the_project_are_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "portfolio-reports.toml").write_text('params = "../../etc"\n')
    result = in_folder(project, "validate")
    line = assert_one_problem(result, "portfolio-reports.toml", "params", "'..'")
    assert "Traceback" not in result.output, line


def test_config_link_out_of_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (project / "params").symlink_to(tmp_path / "elsewhere")
    (project / "portfolio-reports.toml").write_text('params = "params"\n')
    assert_one_problem(in_folder(project, "validate"), "portfolio-reports.toml", "params", "link")


def test_oversized_config_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    with (tmp_path / "portfolio-reports.toml").open("wb") as handle:
        handle.truncate(2**30)  # 1 GiB, sparse
    before = bytes_read()
    assert_one_problem(in_folder(tmp_path, "validate"), "portfolio-reports.toml", "at most")
    assert bytes_read() - before < 2**26, "the oversized config file was read"


def test_deeply_nested_config_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "portfolio-reports.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000)
    result = in_folder(tmp_path, "validate")
    assert_one_problem(result, "portfolio-reports.toml", "nested")
    assert "Traceback" not in result.output


def in_folder(folder: Path, *args: str) -> object:
    """Run the command line in this process from `folder`, as a user working there would."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        return invoke(*args)
    finally:
        os.chdir(cwd)


# Secrets


@pytest.mark.slow  # commands in child processes, each trying a connection
@pytest.mark.parametrize(
    "url",
    [
        "postgresql://reports@localhost:1/db?password=s3cret",
        "postgresql://reports@localhost:1/db?sslmode=disable&password=s3cret&connect_timeout=1",
        "postgresql://reports:s3cret@localhost:1/db?sslpassword=s3cret",
        "postgresql://reports:s3/cr@t@localhost:1/db",
    ],
)
def test_database_secrets_are_masked_wherever_they_sit(params: Path, url: str) -> None:
    from_option = validate(url, params)
    from_environment = invoke(
        "validate", "--params", str(params), env={"PORTFOLIO_REPORTS_DATA": url}
    )
    doctor = invoke("doctor", "--data", url)
    for result in (from_option, from_environment, doctor):
        assert result.exit_code != 0, result.output
        assert "s3" not in result.output, result.output
        assert "***" in result.output, result.output


@pytest.mark.parametrize(
    "url", ["postgresql://r@db/p?password=s3cret", "postgresql://r@db/p?sslmode=require&token=s3"]
)
def test_config_password_in_the_query_is_refused_naming_pgpass(tmp_path: Path, url: str) -> None:
    (tmp_path / "portfolio-reports.toml").write_text(f'data = "{url}"\n')
    result = in_folder(tmp_path, "validate")
    line = assert_one_problem(result, "portfolio-reports.toml", "password", "PGPASSWORD", ".pgpass")
    assert "s3" not in line
