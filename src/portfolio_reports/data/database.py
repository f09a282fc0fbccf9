"""Databases as data sources: SQLAlchemy URLs (SQLite, PostgreSQL, DuckDB), read in bounds."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from portfolio_reports.data.cells import (
    as_text,
    typed_records,
)
from portfolio_reports.data.extras import import_extra, missing_extra
from portfolio_reports.data.limits import (
    max_read_seconds,
    max_rows,
    too_many_bytes,
    too_many_rows,
    too_slow,
)
from portfolio_reports.data.raw import (
    RawSource,
    RawTable,
    TableLocation,
    absent_table,
    content_hash,
    expected_columns,
    key_columns,
)
from portfolio_reports.data.schema import TABLE_MODELS
from portfolio_reports.errors import DataError, InputError
from portfolio_reports.text import (
    error_line,
    shown_location,
)


class Database:
    """A database reached by an SQLAlchemy URL, with one table or view per table."""

    def __init__(self, extra: str, *, file_based: bool = False) -> None:
        self.extra = extra
        self.file_based = file_based

    def read(self, location: str) -> RawSource:
        """Read every table; rows are numbered in the order of the table's key columns."""
        sa = _sqlalchemy()
        engine = self._engine(location, must_exist=True)
        try:
            with engine.connect() as connection:
                inspector = sa.inspect(connection)
                present = {*inspector.get_table_names(), *inspector.get_view_names()}
                tables = {
                    name: _read_database_table(sa, connection, name, present)
                    for name in TABLE_MODELS
                }
        except sa.exc.SQLAlchemyError as error:
            raise DataError([_database_problem(engine, error)]) from error
        finally:
            engine.dispose()
        return RawSource(tables, content_hash(tables))

    def fingerprint(self, location: str) -> str | None:
        """None: a database's fingerprint hashes its rows, so it needs a full read."""
        return None

    def write(self, tables: Mapping[str, pd.DataFrame], location: str) -> None:
        """Create one typed table per table, dropping tables of the same names first."""
        sa = _sqlalchemy()
        engine = self._engine(location, must_exist=False)
        metadata = sa.MetaData()
        targets = [
            (
                sa.Table(
                    name,
                    metadata,
                    *(sa.Column(column, _sql_type(sa, frame[column])) for column in frame.columns),
                ),
                frame,
            )
            for name, frame in tables.items()
        ]
        try:
            with engine.begin() as connection:
                metadata.drop_all(connection, checkfirst=True)
                metadata.create_all(connection)
                for table, frame in targets:
                    rows = [
                        dict(zip(frame.columns, record, strict=True))
                        for record in typed_records(frame)
                    ]
                    if rows:
                        connection.execute(table.insert(), rows)
        except sa.exc.SQLAlchemyError as error:
            raise DataError([_database_problem(engine, error)]) from error
        finally:
            engine.dispose()

    def _engine(self, location: str, *, must_exist: bool) -> Any:
        sa = _sqlalchemy()
        url = database_url(location)
        database = Path(url.database or "")
        if self.file_based and url.database not in (None, "", ":memory:"):
            if must_exist and not database.is_file():
                raise DataError([f"{shown_location(location)}: database file does not exist"])
            database.parent.mkdir(parents=True, exist_ok=True)
        try:
            return sa.create_engine(url)
        except ImportError as error:
            raise InputError(missing_extra(error.name or str(error), self.extra)) from error
        except sa.exc.NoSuchModuleError as error:
            raise InputError(missing_extra(f"the {url.drivername} driver", self.extra)) from error


def _read_database_table(sa: ModuleType, connection: Any, name: str, present: set[str]) -> RawTable:
    location = TableLocation(f"table {name}")
    if name not in present:
        return absent_table(
            name,
            location,
            f"table {name}: missing from the database; expected columns: {expected_columns(name)}",
        )
    most = max_rows()
    rows: list[Any] = []
    size = 0
    with _time_bound(connection) as out_of_time:
        try:
            query = sa.select(sa.text("*")).select_from(sa.table(name)).limit(most + 1)
            result = connection.execute(query)
            for chunk in result.partitions(FETCH_ROWS):
                rows += chunk
                size += sum(len(str(value)) for row in chunk for value in row if value is not None)
                too_many = too_many_rows(location.label, len(rows)) or too_many_bytes(
                    location.label, size
                )
                if too_many:
                    result.close()
                    return RawTable(location, None, [too_many])
        except sa.exc.OperationalError:
            if out_of_time():
                return RawTable(location, None, [too_slow(location.label)])
            raise
    frame = as_text(pd.DataFrame(rows, columns=list(result.keys()), dtype=object), name)
    keys = [column for column in key_columns(name) if column in frame.columns]
    if keys:
        frame = frame.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)
    return RawTable(location, frame)


@contextlib.contextmanager
def _time_bound(connection: Any) -> Iterator[Callable[[], bool]]:
    """Stop an SQLite statement once the table's read passes the time limit; yield a function
    telling whether it has.

    SQLite's C code does not return to Python while a view computes rows it never yields, so
    neither LIMIT nor a signal stops it; its progress handler, called every PROGRESS_STEPS
    virtual machine steps, interrupts the statement. Other databases are read unbounded in time.
    """
    deadline = time.monotonic() + max_read_seconds()

    def out_of_time() -> bool:
        return time.monotonic() > deadline

    raw = connection.connection.driver_connection
    if not isinstance(raw, sqlite3.Connection):
        yield lambda: False
        return
    raw.set_progress_handler(out_of_time, PROGRESS_STEPS)
    try:
        yield out_of_time
    finally:
        raw.set_progress_handler(None, 0)


def database_url(location: str) -> Any:
    """The SQLAlchemy URL of a database location; postgresql:// gets the psycopg 3 driver."""
    sa = _sqlalchemy()
    try:
        url = sa.make_url(location)
        url.port  # noqa: B018  (a port that is not a number raises here, not later)
    except (sa.exc.ArgumentError, ValueError) as error:
        reason = "its port is not a number" if isinstance(error, ValueError) else "unreadable"
        raise InputError(
            f"{shown_location(location)}: not a database URL, {reason};"
            " expected e.g. postgresql://USER:PASSWORD@HOST:5432/DB"
        ) from error
    return url.set(drivername=POSTGRESQL_DRIVER) if url.drivername == POSTGRESQL else url


def _sqlalchemy() -> ModuleType:
    return import_extra("sqlalchemy", "sql")


def _database_problem(engine: Any, error: Any) -> str:
    url = engine.url  # shown as written: postgresql://, not the driver it runs on
    url = url.set(drivername=POSTGRESQL) if url.drivername == POSTGRESQL_DRIVER else url
    location = url.render_as_string(hide_password=False)
    return f"{shown_location(location)}: {error_line(getattr(error, 'orig', None) or error)}"


def _sql_type(sa: ModuleType, column: pd.Series) -> Any:
    """The SQL column type of a typed table column."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return sa.Date
    if pd.api.types.is_bool_dtype(column):
        return sa.Boolean
    if pd.api.types.is_float_dtype(column):
        return sa.Double
    if pd.api.types.is_integer_dtype(column):
        return sa.BigInteger
    return sa.Text


PROGRESS_STEPS = 100_000
"""SQLite virtual machine steps between two looks at the clock while a table is read."""
FETCH_ROWS = 1_000
"""Rows fetched from a database at a time, counted against the row and byte limits."""


POSTGRESQL, POSTGRESQL_DRIVER = "postgresql", "postgresql+psycopg"
"""A plain postgresql:// URL runs on psycopg 3 (libpq: a URL without a password uses PGPASSWORD
or ~/.pgpass), not on SQLAlchemy's default psycopg2."""
