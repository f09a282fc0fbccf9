"""How cells are read as text: CSV records with their file lines, typed cells as CSV holds them."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

import numpy as np
import pandas as pd

from portfolio_reports.data.limits import CELL_CHARS
from portfolio_reports.data.schema import TABLE_MODELS


class CsvLineError(Exception):
    """A CSV file that cannot be split into cells, at a line."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def csv_records(text: str, most: int | None = None) -> list[tuple[int, list[str]]]:
    """Every record of a CSV text with the file line it starts on; blank lines give [].

    With `most`, reading stops after that many records.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[tuple[int, list[str]]] = []
    while most is None or len(records) < most:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            raise CsvLineError(line, _csv_reason(str(error))) from error
        records.append((line, row))
    return records


def _csv_reason(message: str) -> str:
    """A csv module error in words that say what to fix."""
    if "field larger than field limit" in message:
        return f"a cell longer than {CELL_CHARS} characters; cells must be shorter"
    if "unexpected end of data" in message:
        return "a quote opened in this record is never closed"
    return f"not valid CSV ({message}); quote cells that hold a comma, quote or line break"


def as_text(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Typed cells as a CSV file holds them; 0 and 1 read as false and true in flag columns."""
    columns = TABLE_MODELS[name].to_schema().columns
    flags = {column for column, spec in columns.items() if str(spec.dtype) == "bool"}
    cells = {
        position: [cell_text(value, column in flags) for value in frame.iloc[:, position]]
        for position, column in enumerate(frame.columns)
    }
    text = pd.DataFrame(cells, index=frame.index, columns=list(cells), dtype=object)
    text.columns = frame.columns
    return text


def cell_text(value: object, flag: bool = False) -> str | None:
    """One typed cell as text: ISO dates, true or false, the shortest float; None where empty."""
    if isinstance(value, str):
        return value or None
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_) or (flag and value in (0, 1)):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(float(value))
    return str(value)


def typed_records(frame: pd.DataFrame) -> list[tuple]:
    """Rows of a typed table as plain Python values: dates as date, none as None."""
    columns = []
    for _, column in frame.items():
        if pd.api.types.is_datetime64_any_dtype(column):
            columns.append([None if pd.isna(value) else value.date() for value in column])
        else:
            columns.append([plain_value(value) for value in column.astype(object)])
    return list(zip(*columns, strict=True))


def plain_value(value: object) -> object:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value
