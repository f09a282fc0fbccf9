"""Files as people's tools write them are read; values out of range are one line naming them."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import SAMPLE_DATA, edit_cell
from .test_attacks import ALIAS_BOMB, assert_one_problem, invoke, validate


def excel_csv_utf8(folder: Path) -> None:
    """Save every table as Excel's "CSV UTF-8" does: a byte-order mark and CRLF line ends."""
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_bytes(("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"))


def test_csv_with_a_byte_order_mark_and_crlf_reads_as_the_sample(
    sample_copy: Path, params: Path
) -> None:
    excel_csv_utf8(sample_copy)
    result = validate(sample_copy, params)
    assert result.exit_code == 0, result.output
    assert "ok: data" in result.output and "(816 sales rows)" in result.output


def test_a_byte_order_mark_does_not_hide_a_bad_line(sample_copy: Path, params: Path) -> None:
    edit_cell(sample_copy, "products", 3, "origin", "Potion")
    excel_csv_utf8(sample_copy)
    assert_one_problem(validate(sample_copy, params), "products.csv line 5", "'Potion'")


def test_codes_with_spaces_around_them_are_trimmed_with_one_warning(
    sample_copy: Path, params: Path
) -> None:
    edit_cell(sample_copy, "markets", 0, "market", "CN ")
    edit_cell(sample_copy, "sales", 0, "product", " HLX01")
    edit_cell(sample_copy, "sales", 1, "market", "\tCN ")
    result = validate(sample_copy, params)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "WARNING markets.csv" in line]
    assert len(warnings) == 1, result.output
    assert "markets.csv line 2, column market: 'CN ' and 2 more" in warnings[0]
    assert "spaces" in warnings[0]


def test_a_code_of_spaces_only_is_an_empty_value(sample_copy: Path, params: Path) -> None:
    edit_cell(sample_copy, "sales", 0, "product", "   ")
    assert_one_problem(validate(sample_copy, params), "sales.csv line 2", "column product", "empty")


@pytest.mark.parametrize("name", ["._market-jp.yaml", ".#market-jp.yaml", ".hidden.yml"])
def test_hidden_and_macos_metadata_files_in_params_are_ignored(params: Path, name: str) -> None:
    (params / name).write_bytes(b"\x00\x05\x16\x07Mac OS X        \x00\x02")
    result = validate(SAMPLE_DATA, params)
    assert result.exit_code == 0, result.output
    assert "1 params files valid" in result.output


def test_macos_metadata_files_in_a_data_folder_are_ignored(sample_copy: Path, params: Path) -> None:
    for name in ("._sales.csv", "._markets.csv", ".DS_Store"):
        (sample_copy / name).write_bytes(b"\x00\x05\x16\x07Mac OS X        \x00\x02")
    result = validate(sample_copy, params)
    assert result.exit_code == 0, result.output


def test_yaml_anchors_and_merge_keys_are_read(params: Path) -> None:
    (params / "market-jp.yaml").write_text(
        "notebook: market.ipynb\n"
        "title: &title Japan\n"
        "group: *title\n"
        "parameters:\n"
        "  <<: {market: JP}\n"
    )
    result = validate(SAMPLE_DATA, params)
    assert result.exit_code == 0, result.output


def test_yaml_merge_key_gives_a_whole_params_file(params: Path) -> None:
    (params / "market-jp.yaml").write_text(
        "<<: &japan {notebook: market.ipynb, title: Japan}\nparameters: {market: JP}\n"
    )
    result = validate(SAMPLE_DATA, params)
    assert result.exit_code == 0, result.output


def test_alias_bomb_is_still_refused(params: Path) -> None:
    (params / "bomb.yaml").write_text(ALIAS_BOMB)
    assert_one_problem(validate(SAMPLE_DATA, params), "params/bomb.yaml", "aliases", "1,000")


def test_alias_to_itself_is_refused(params: Path) -> None:
    (params / "loop.yaml").write_text(
        "notebook: market.ipynb\ntitle: t\nparameters: &p {market: JP, again: *p}\n"
    )
    assert_one_problem(validate(SAMPLE_DATA, params), "params/loop.yaml", "aliases")


# Values out of range


def test_a_date_with_a_year_typo_names_file_line_column_and_value(
    sample_copy: Path, params: Path
) -> None:
    edit_cell(sample_copy, "regulatory_events", 1, "date", "3019-02-22")
    line = assert_one_problem(
        validate(sample_copy, params),
        "regulatory_events.csv line 3",
        "column date",
        "'3019-02-22'",
        "1900 to 2200",
    )
    assert "None" not in line


@pytest.mark.parametrize("quarter", ["9999Q4", "1899Q4", "2201Q1"])
def test_a_quarter_out_of_range_is_refused_by_validate(
    sample_copy: Path, params: Path, quarter: str
) -> None:
    edit_cell(sample_copy, "sales", 0, "quarter", quarter)
    assert_one_problem(
        validate(sample_copy, params), "sales.csv line 2", "column quarter", repr(quarter), "2200"
    )


def test_a_quarter_option_out_of_range_is_one_line(params: Path) -> None:
    result = invoke("validate", "--quarter", "9999Q4", "--params", str(params))
    assert_one_problem(result, "'9999Q4'", "1900 to 2200")


def test_an_expected_catalyst_out_of_range_is_refused(sample_copy: Path, params: Path) -> None:
    edit_cell(sample_copy, "catalysts", 0, "expected", "9999Q4")
    assert_one_problem(validate(sample_copy, params), "catalysts.csv line 2", "'9999Q4'")
