"""Read and write the tables of a data source: CSV or Parquet folders, workbooks, databases.

Each kind of source reads every table as text, one str or None per cell as a CSV file holds it,
with a location that names the table and its rows; `dataset` validates that text in one place.
Kinds are found by URL scheme, then by file suffix; anything else is a folder of table files.
"""

from __future__ import annotations

import hashlib
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pyarrow.types as pat

from portfolio_reports.data.cells import (
    CsvLineError,
    as_text,
    cell_text,
    csv_records,
    typed_records,
)
from portfolio_reports.data.database import POSTGRESQL, Database
from portfolio_reports.data.extras import import_extra
from portfolio_reports.data.limits import (
    DATA_LIMIT_ENV,
    max_data_bytes,
    max_rows,
    oversize_problem,
    too_many_bytes,
    too_many_rows,
)
from portfolio_reports.data.raw import (
    RawSource,
    RawTable,
    Source,
    TableLocation,
    absent_table,
    blank,
    expected_columns,
    repeated_columns,
)
from portfolio_reports.data.schema import OPTIONAL_TABLES, TABLE_MODELS
from portfolio_reports.errors import DataError, InputError
from portfolio_reports.paths import FOLDER_FORMAT_NAMES, confinement_problem, file_hash
from portfolio_reports.text import (
    error_line,
    printable_line,
)


def read_source(location: str | Path) -> RawSource:
    """Read every table of a folder, workbook or database URL as text."""
    return source_for(location).read(str(location))


def cheap_fingerprint(location: str | Path) -> str | None:
    """A file source's fingerprint from its bytes; None for a database or a missing source."""
    return source_for(location).fingerprint(str(location))


def write_source(
    tables: Mapping[str, pd.DataFrame], location: str | Path, folder_format: str = "csv"
) -> None:
    """Write typed tables to a folder (of `folder_format` files), a workbook or a database."""
    source_for(location, folder_format).write(tables, str(location))


def _over_limit(path: Path) -> bool:
    """Whether a data file is larger than the size limit, so that it is never read."""
    return path.stat().st_size > max_data_bytes()


def data_file_problem(path: Path) -> str | None:
    """Why a data file is not read: it leaves its folder or is not a regular file, or it is
    larger on disk than the size limit; None when it may be read."""
    outside = confinement_problem(path.name, path, path.parent, "the data folder")
    return outside or oversize_problem(path.name, path, max_data_bytes(), DATA_LIMIT_ENV)


def source_for(location: str | Path, folder_format: str | None = None) -> Source:
    """The kind of source at a location: by URL scheme, by file suffix, else a folder."""
    text = str(location)
    if "://" in text:
        scheme = text.split("://", 1)[0].split("+", 1)[0].lower()
        if scheme not in URL_SCHEMES:
            raise InputError(
                f"unknown data source scheme {scheme!r}; supported: {', '.join(URL_SCHEMES)}"
            )
        return URL_SCHEMES[scheme]
    suffix = Path(text).suffix.lower()
    if suffix in FILE_SUFFIXES:
        return FILE_SUFFIXES[suffix]
    return FOLDER_FORMATS[folder_format or _folder_format(Path(text))]


class _TableFolder(ABC):
    """A folder with one file per table; its fingerprint hashes the files' bytes."""

    suffix: str
    kind: str

    @abstractmethod
    def location(self, path: Path) -> TableLocation:
        """How problems name the table file and its rows."""

    @abstractmethod
    def read_file(self, path: Path, name: str, location: TableLocation) -> RawTable:
        """Read one existing table file as text."""

    @abstractmethod
    def write_file(self, frame: pd.DataFrame, path: Path, name: str) -> None:
        """Write one typed table."""

    def read(self, location: str) -> RawSource:
        """Read every table file of the folder as text."""
        folder = Path(location)
        if not folder.exists():
            raise DataError([f"{folder}: data folder does not exist"])
        if not folder.is_dir():
            raise DataError(
                [
                    f"{folder}: not a folder; expected a folder of table files, an .xlsx workbook"
                    " or a database URL"
                ]
            )
        tables = {
            name: self._read_table(folder / f"{name}{self.suffix}", name) for name in TABLE_MODELS
        }
        return RawSource(tables, self.fingerprint(location) or "")

    def fingerprint(self, location: str) -> str | None:
        """Hash of every table file's bytes; None when a required one is missing or any is
        over the size limit (reading refuses it unread)."""
        folder = Path(location)
        if not folder.is_dir():
            return None
        digest = hashlib.sha256()
        for name in TABLE_MODELS:
            path = folder / f"{name}{self.suffix}"
            if not path.is_file():
                if name in OPTIONAL_TABLES:
                    continue
                return None
            if _over_limit(path):
                return None
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()

    def write(self, tables: Mapping[str, pd.DataFrame], location: str) -> None:
        """Write one file per table into the folder, creating it when needed."""
        folder = Path(location)
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            self.write_file(frame, folder / f"{name}{self.suffix}", name)

    def _read_table(self, path: Path, name: str) -> RawTable:
        location = self.location(path)
        if not path.is_symlink() and not path.exists():
            return absent_table(
                name,
                location,
                f"{path.name}: missing table file; expected columns: {expected_columns(name)}",
            )
        if path.is_dir() and not path.is_symlink():
            return RawTable(
                location, None, [f"{path.name}: is a directory, not a {self.kind} file"]
            )
        unreadable = data_file_problem(path)
        if unreadable:
            return RawTable(location, None, [unreadable])
        return self.read_file(path, name, location)


class CsvFolder(_TableFolder):
    """A folder of UTF-8 CSV files with a header line, one per table."""

    suffix = ".csv"
    kind = "CSV"

    def location(self, path: Path) -> TableLocation:
        """Problems name the file's line; the header is line 1."""
        return TableLocation(path.name, "line", 2)

    def read_file(self, path: Path, name: str, location: TableLocation) -> RawTable:
        """Read the file as strings, after checking its encoding and the width of every line."""
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            return RawTable(
                location,
                None,
                [f"{path.name} line {line}: bytes that are not UTF-8; save the file as UTF-8"],
            )
        if not text.strip():
            return RawTable(
                location,
                None,
                [f"{path.name}: empty file; expected a header line with: {expected_columns(name)}"],
            )
        try:
            records = csv_records(text, most=max_rows() + 2)  # the header and one row too many
        except CsvLineError as error:
            return RawTable(location, None, [f"{path.name} line {error.line}: {error.reason}"])
        too_many = too_many_rows(path.name, len(records) - 1)
        if too_many:
            return RawTable(location, None, [too_many])
        header = records[0][1]
        repeated = repeated_columns(header, f"{path.name} line 1", name)
        if repeated:
            return RawTable(location, None, repeated)
        rows = [(line, row) for line, row in records[1:] if row]
        ragged = location.by_cause(
            (
                line - location.first_row,
                f": {len(row)} fields where the header has {len(header)}"
                " (truncated or unquoted line)",
            )
            for line, row in rows
            if len(row) != len(header)
        )
        if ragged:
            return RawTable(location, None, ragged)
        frame = pd.DataFrame(
            [row for _, row in rows],
            columns=header,
            index=[line - location.first_row for line, _ in rows],
            dtype=object,
        )
        return RawTable(location, frame.where(frame != "", None))

    def write_file(self, frame: pd.DataFrame, path: Path, name: str) -> None:
        """Write the table as CSV text: ISO dates, true/false, empty cells for none."""
        as_text(frame, name).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


class ParquetFolder(_TableFolder):
    """A folder of Parquet files, one per table; columns may be typed or text."""

    suffix = ".parquet"
    kind = "Parquet"

    def location(self, path: Path) -> TableLocation:
        """Problems name the file's row, counting from 1."""
        return TableLocation(path.name, "row", 1)

    def read_file(self, path: Path, name: str, location: TableLocation) -> RawTable:
        """Read the file and turn its typed cells into text."""
        try:
            unreadable = parquet_problems(path)
            if unreadable:
                return RawTable(location, None, unreadable)
            frame = pd.read_parquet(path)
        except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
            return RawTable(
                location,
                None,
                [f"{path.name}: not a readable Parquet file ({error_line(error)})"],
            )
        return RawTable(location, as_text(frame, name))

    def write_file(self, frame: pd.DataFrame, path: Path, name: str) -> None:
        """Write the typed table as it is."""
        frame.to_parquet(path, index=False)


def parquet_problems(path: Path) -> list[str]:
    """Why a Parquet file is not read: columns of nested values (lists, structs, maps) that a
    table cell cannot hold, too many rows (from its footer), or too many bytes once decoded
    (counted one row group at a time, text columns kept dictionary-encoded while counted)."""
    with pq.ParquetFile(path) as parquet:
        schema, rows = parquet.schema_arrow, parquet.metadata.num_rows
    nested = [
        f"{path.name}: column {field.name} holds nested values"
        f" ({printable_line(str(field.type), 60)}); a table cell holds one text, number,"
        " date or true/false value"
        for field in schema
        if pat.is_nested(field.type)
    ]
    too_many = too_many_rows(path.name, rows)
    if nested or too_many:
        return [*nested, *([too_many] if too_many else [])]
    text = [field.name for field in schema if _is_text(field.type)]
    size = 0
    with pq.ParquetFile(path, read_dictionary=text) as parquet:
        for group in range(parquet.num_row_groups):
            size += _decoded_bytes(parquet.read_row_group(group))
            too_large = too_many_bytes(path.name, size, "once decoded")
            if too_large:
                return [too_large]
    return []


def _is_text(kind: Any) -> bool:
    """Whether an Arrow type holds text or bytes, whose decoded size may dwarf the file's."""
    return bool(
        pat.is_string(kind)
        or pat.is_large_string(kind)
        or pat.is_binary(kind)
        or pat.is_large_binary(kind)
    )


def _decoded_bytes(table: Any) -> int:
    """Bytes a table's columns take once every dictionary-encoded value is written out."""
    total = 0
    for column in table.columns:
        for chunk in column.chunks:
            if pat.is_dictionary(chunk.type) and _is_text(chunk.type.value_type):
                lengths = pc.binary_length(chunk.dictionary)
                total += pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0
            else:
                total += chunk.nbytes
    return total


class Workbook:
    """An .xlsx workbook with one sheet per table, named after it; row 1 holds column names."""

    def read(self, location: str) -> RawSource:
        """Read every table's sheet; cells keep the sheet's row numbers in problems."""
        openpyxl = import_extra("openpyxl", "excel")
        path = Path(location)
        if not path.is_file():
            raise DataError([f"{path}: workbook does not exist"])
        oversize = oversize_problem(str(path), path, max_data_bytes(), DATA_LIMIT_ENV)
        if oversize:
            raise DataError([oversize])
        try:
            with zipfile.ZipFile(path) as archive:
                inflated = sum(entry.file_size for entry in archive.infolist())
            oversize = too_many_bytes(str(path), inflated, "once unzipped")
            if oversize:
                raise DataError([oversize])
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (
            OSError,
            KeyError,
            zipfile.BadZipFile,
            openpyxl.utils.exceptions.InvalidFileException,
        ) as error:
            raise DataError(
                [f"{path}: not a readable .xlsx workbook ({error_line(error)})"]
            ) from error
        try:
            tables = {name: _read_sheet(book, name) for name in TABLE_MODELS}
        finally:
            book.close()
        return RawSource(tables, self.fingerprint(location) or "")

    def fingerprint(self, location: str) -> str | None:
        """Hash of the workbook file's bytes; None when it is missing or over the size limit."""
        path = Path(location)
        if not path.is_file() or _over_limit(path):
            return None
        return file_hash(path)

    def write(self, tables: Mapping[str, pd.DataFrame], location: str) -> None:
        """Write one sheet per table: dates as dates, flags as TRUE/FALSE, empty cells for none."""
        openpyxl = import_extra("openpyxl", "excel")
        book = openpyxl.Workbook(write_only=True)
        for name, frame in tables.items():
            sheet = book.create_sheet(name)
            sheet.append([str(column) for column in frame.columns])
            for record in typed_records(frame):
                sheet.append([_sheet_cell(sheet, value) for value in record])
        Path(location).parent.mkdir(parents=True, exist_ok=True)
        book.save(location)


def _sheet_cell(sheet: Any, value: object) -> object:
    """A value as a workbook cell: text always as text, never as a formula."""
    if not isinstance(value, str):
        return value
    openpyxl = import_extra("openpyxl", "excel")
    cell = openpyxl.cell.WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _read_sheet(book: Any, name: str) -> RawTable:
    """One sheet as text; blank rows are skipped and the others keep their sheet row numbers."""
    location = TableLocation(f"{name} sheet", "row", 2)
    if name not in book.sheetnames:
        return absent_table(
            name,
            location,
            f"{name} sheet: missing from the workbook; expected columns: {expected_columns(name)}",
        )
    rows = book[name].iter_rows(values_only=True)
    header = list(next(rows, None) or ())
    while header and blank(header[-1]):
        header.pop()
    if not header:
        return RawTable(
            location,
            None,
            [f"{name} sheet: empty sheet; expected a header row with: {expected_columns(name)}"],
        )
    columns = [cell_text(value) or "" for value in header]
    repeated = repeated_columns(columns, f"{name} sheet row 1", name)
    if repeated:
        return RawTable(location, None, repeated)
    width = len(header)
    records: list[tuple] = []
    index: list[int] = []
    beyond: list[tuple[int, str]] = []
    most = max_rows()
    for position, row in enumerate(rows):
        if all(blank(value) for value in row):
            continue
        if len(records) == most:
            return RawTable(location, None, [too_many_rows(location.label, most + 1) or ""])
        if not all(blank(value) for value in row[width:]):
            beyond.append((position, ": a value right of the last named column"))
        records.append(tuple(row[:width]) + (None,) * (width - len(row)))
        index.append(position)
    problems = location.by_cause(beyond)
    if problems:
        return RawTable(location, None, problems)
    frame = pd.DataFrame(records, columns=columns, index=index, dtype=object)
    return RawTable(location, as_text(frame, name))


def _folder_format(folder: Path) -> str:
    """The format of a folder's table files: CSV unless it holds only Parquet tables."""
    found = [
        name
        for name, files in FOLDER_FORMATS.items()
        if any((folder / f"{table}{files.suffix}").is_file() for table in TABLE_MODELS)
    ]
    if len(found) > 1:
        kinds = " and ".join(FOLDER_FORMATS[name].kind for name in found)
        raise DataError([f"{folder}: holds both {kinds} tables; keep one format per folder"])
    return found[0] if found else "csv"


FOLDER_FORMATS: dict[str, _TableFolder] = dict(
    zip(FOLDER_FORMAT_NAMES, (CsvFolder(), ParquetFolder()), strict=True)
)
"""Folders of table files, by format name (`export-sample --format`)."""
FILE_SUFFIXES: dict[str, Source] = {".xlsx": Workbook()}
"""Single-file sources, by file suffix."""
URL_SCHEMES: dict[str, Source] = {
    "sqlite": Database("sql", file_based=True),
    POSTGRESQL: Database("sql"),
    "duckdb": Database("duckdb", file_based=True),
}
"""Databases, by URL scheme (the part before '://' and any '+driver')."""
