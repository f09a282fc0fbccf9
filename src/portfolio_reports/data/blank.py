"""A new company's data: every table's header line, a README of the schema, what to fill first."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from portfolio_reports.data.problems import check_rule, type_hint
from portfolio_reports.data.schema import FOREIGN_KEYS, OPTIONAL_TABLES, TABLE_MODELS

README = "README.md"


def write_blank_data(folder: Path) -> None:
    """Write one CSV file per table, its header line only, and the README of the schema."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, model in TABLE_MODELS.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle, lineterminator="\n").writerow(model.to_schema().columns)
    (folder / README).write_text(schema_readme(), encoding="utf-8")


def schema_readme() -> str:
    """The schema as Markdown: what to fill first, then each table's columns and their rules."""
    lines = [
        "# The company's data",
        "",
        "One CSV file per table, UTF-8, with the header line as written here; one row a line.",
        f"Fill them in this order: {', '.join(_files(_fill_first()))} first, then"
        f" {', '.join(_files(_fill_next()))}. Optional tables may keep their header only:"
        f" {', '.join(_files(sorted(OPTIONAL_TABLES & TABLE_MODELS.keys())))}.",
        "`portfolio-reports validate` says what is missing or wrong, one line per cause.",
    ]
    for name, model in TABLE_MODELS.items():
        schema = model.to_schema()
        kind = "optional" if name in OPTIONAL_TABLES else "required"
        lines += ["", f"## {name}.csv ({kind})", "", _summary(model)]
        if schema.unique:
            lines += ["", f"Each combination of {', '.join(schema.unique)} appears once."]
        lines += [
            "",
            "| column | type | required | description |",
            "| --- | --- | --- | --- |",
            *(_column_row(column_name, column) for column_name, column in schema.columns.items()),
        ]
    return "\n".join(lines) + "\n"


def blank_problems(tables: dict[str, pd.DataFrame | None], where: str) -> list[str]:
    """What to fill first when every table is read and none has a row yet (a new project); empty
    otherwise."""
    if any(frame is None or len(frame) for frame in tables.values()):
        return []
    guide = f"{where}/{README}" if (Path(where) / README).is_file() else "the README of the data"
    return [
        f"{where}: no table has a row yet; fill in first: {', '.join(_files(_fill_first()))}",
        f"then: {', '.join(_files(_fill_next()))}; the optional tables may stay empty",
        f"{guide} describes every column",
    ]


def _fill_first() -> list[str]:
    """The company and the tables other tables name (markets, products, indications)."""
    named = {target for _, _, target, _ in FOREIGN_KEYS}
    return [name for name in TABLE_MODELS if name == "company" or name in named]


def _fill_next() -> list[str]:
    """The required tables that name the first ones: pipeline, events, results, sales."""
    first = _fill_first()
    return [name for name in TABLE_MODELS if name not in first and name not in OPTIONAL_TABLES]


def _files(names: list[str]) -> list[str]:
    return [f"{name}.csv" for name in names]


def _summary(model: type[pa.DataFrameModel]) -> str:
    """A model's docstring, its first paragraph on one line."""
    return " ".join((model.__doc__ or "").split("\n\n")[0].split())


def _column_row(name: str, column: pa.Column) -> str:
    """One Markdown table row: column, type, required, description with its rules."""
    required = "yes" if not column.nullable else "may be empty"
    if not column.required:
        required = "optional column"
    rules = [
        f"one of: {rule}" if check.name == "isin" else rule
        for check in column.checks
        if (rule := check_rule(check.name, check.statistics))
    ]
    if column.unique:
        rules.append("unique")
    described = "; ".join(part for part in [column.description or "", *rules] if part)
    cells = [f"`{name}`", type_hint(str(column.dtype)), required, described.replace("|", "\\|")]
    return "| " + " | ".join(cells) + " |"
