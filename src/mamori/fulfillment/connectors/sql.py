"""Stores reached through SQLAlchemy Core: PostgreSQL, MySQL/MariaDB and SQLite.

Set-based throughout: one ``IN`` query per lookup (chunked), one statement per change. The
engine (a connection pool) and the reflected tables are made once per connector and reused;
statements are built once per table and column list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

import psycopg
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    MetaData,
    Select,
    Table,
    bindparam,
    create_engine,
    delete,
    inspect,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import DBAPIError, NoSuchTableError, SQLAlchemyError

from mamori.fulfillment.connectors.base import (
    Change,
    Connector,
    ConnectorError,
    Delete,
    Key,
    Lookup,
    Row,
    Update,
    UpdateRows,
)

CHUNK = 1000  # values per IN list: far below every driver's parameter limit


def _reason(exc: BaseException) -> str:
    """The driver's first line, without the statement and parameters SQLAlchemy appends."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {lines[0][:200] if lines else ''}"


class SqlConnector(Connector):
    """Any SQLAlchemy URL; the dialect subclasses below only tune the engine."""

    connect_args: ClassVar[dict[str, Any]] = {}

    def __init__(self, system: Any, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(system, environ)
        self._engine: Engine | None = None
        self._reader: Engine | None = None
        self._tables: dict[str, Table] = {}
        self._selects: dict[tuple[str, tuple[str, ...]], Select[Any]] = {}
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.setting(self.system.connection.url, self.system.connection.url_env)

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = self._create_engine()
            return self._engine

    def reader(self) -> Engine:
        """The engine lookups use; its connections autocommit.

        A lookup then costs no BEGIN and ROLLBACK round trips (a traversal's steps run on separate
        checkouts anyway, so a transaction would not make them one snapshot).
        """
        with self._lock:
            if self._reader is None:
                self._reader = self._create_engine(isolation_level="AUTOCOMMIT")
            return self._reader

    def _create_engine(self, **options: Any) -> Engine:
        return create_engine(
            self.url,
            pool_size=10,
            max_overflow=30,
            pool_recycle=1800,
            connect_args=dict(self.connect_args),
            **options,
        )

    def _table(self, conn: Connection, dataset: str) -> Table:
        table = self._tables.get(dataset)
        if table is None:
            name = self.table_of(dataset)
            try:
                table = Table(name, MetaData(), autoload_with=conn)
            except NoSuchTableError:
                raise ConnectorError(f"{self.system.id}: the table {name!r} does not exist") from None
            self._tables[dataset] = table
        return table

    def table(self, conn: Connection, dataset: str) -> Table:
        """The reflected table of ``dataset`` (retention sweeps build their own statements on it)."""
        return self._table(conn, dataset)

    def _column(self, table: Table, name: str) -> Column[Any]:
        if name not in table.c:
            raise ConnectorError(f"{self.system.id}: the table {table.name!r} has no column {name!r}")
        return table.c[name]

    def _where(self, table: Table, columns: tuple[str, ...]) -> ColumnElement[bool]:
        cols = [self._column(table, name) for name in columns]
        target = cols[0] if len(cols) == 1 else tuple_(*cols)
        return target.in_(bindparam("keys", expanding=True))

    def _select(self, conn: Connection, lookup: Lookup) -> Select[Any]:
        cache_key = (lookup.dataset, lookup.columns)
        stmt = self._selects.get(cache_key)
        if stmt is None:
            table = self._table(conn, lookup.dataset)
            mapped = self.system.dataset(lookup.dataset)
            wanted = mapped.columns if mapped else []
            stmt = select(*(self._column(table, c) for c in wanted)).where(self._where(table, lookup.columns))
            self._selects[cache_key] = stmt
        return stmt

    def _params(self, table: Table, columns: tuple[str, ...], values: Sequence[Key]) -> list[Any]:
        casts = [_caster(self._column(table, c)) for c in columns]
        out: list[Any] = []
        for value in values:
            try:
                cast = tuple(f(v) for f, v in zip(casts, value, strict=True))
            except (TypeError, ValueError):
                continue  # a value of another type can match nothing here
            out.append(cast[0] if len(cast) == 1 else cast)
        return out

    def fetch(self, lookups: Sequence[Lookup]) -> list[list[Row]]:
        try:
            with self.reader().connect() as conn:
                return [self._fetch_one(conn, lookup) for lookup in lookups]
        except SQLAlchemyError as exc:
            raise ConnectorError(f"{self.system.id}: {_reason(exc)}") from None

    def _fetch_one(self, conn: Connection, lookup: Lookup) -> list[Row]:
        stmt = self._select(conn, lookup)
        params = self._params(self._table(conn, lookup.dataset), lookup.columns, lookup.values)
        names = list(stmt.selected_columns.keys())
        rows: list[Row] = []
        for start in range(0, len(params), CHUNK):
            result = conn.execute(stmt, {"keys": params[start : start + CHUNK]})
            rows.extend(dict(zip(names, row, strict=True)) for row in result)
        return rows

    def apply(self, changes: Sequence[Change]) -> list[int]:
        try:
            with self.engine().begin() as conn:
                return [self._apply_one(conn, change) for change in changes]
        except SQLAlchemyError as exc:
            raise ConnectorError(f"{self.system.id}: {_reason(exc)}") from None

    def _pk(self, dataset: str) -> tuple[str, ...]:
        mapped = self.system.dataset(dataset)
        return tuple(mapped.primary_key) if mapped else ("id",)

    def _apply_one(self, conn: Connection, change: Change) -> int:
        table = self._table(conn, change.dataset)
        pk = self._pk(change.dataset)
        if isinstance(change, UpdateRows):
            return self._update_rows(conn, table, pk, change)
        keys = self._params(table, pk, change.keys)
        stmt: Any = delete(table) if isinstance(change, Delete) else self._update(table, change)
        stmt = stmt.where(self._where(table, pk))
        total = 0
        for start in range(0, len(keys), CHUNK):
            total += conn.execute(stmt, {"keys": keys[start : start + CHUNK]}).rowcount
        return total

    def _update(self, table: Table, change: Update) -> Any:
        stmt = update(table).values({self._column(table, c): v for c, v in change.values.items()})
        if change.only_different:
            differs = [
                or_(table.c[c].is_(None), table.c[c] != v) if v is not None else table.c[c].is_not(None)
                for c, v in change.values.items()
            ]
            stmt = stmt.where(or_(*differs))
        return stmt

    def _update_rows(self, conn: Connection, table: Table, pk: tuple[str, ...], change: UpdateRows) -> int:
        total = 0
        for key, values in change.rows.items():
            cond = [self._column(table, c) == v for c, v in zip(pk, key, strict=True)]
            total += conn.execute(update(table).where(*cond).values(dict(values))).rowcount
        return total

    def describe(self) -> dict[str, dict[str, str]]:
        try:
            inspector = inspect(self.engine())
            return {
                name: {col["name"]: str(col["type"]) for col in inspector.get_columns(name)}
                for name in inspector.get_table_names()
            }
        except SQLAlchemyError as exc:
            raise ConnectorError(f"{self.system.id}: {_reason(exc)}") from None

    def close(self) -> None:
        with self._lock:
            for engine in (self._engine, self._reader):
                if engine is not None:
                    engine.dispose()
            self._engine = self._reader = None
            self._tables.clear()
            self._selects.clear()


def _caster(column: Column[Any]) -> Callable[[Any], Any]:
    """Values from another store (text from a CSV file) are converted to the column's type."""
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return _same
    if python_type is int:
        return _to_int
    if python_type is str:
        return _to_str
    return _same


def _same(value: Any) -> Any:
    return value


def _to_int(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, int) else int(str(value))


def _to_str(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


class PostgresConnector(SqlConnector):
    """PostgreSQL through psycopg: the lookups of one step go out pipelined, in one round trip.

    A one-column lookup is ``column = ANY(%s)`` with the values as one array parameter, so its
    text never changes with the number of values (the server keeps one prepared plan). Lookups
    on several columns take the general ``IN`` path.
    """

    kind = "postgresql"
    connect_args: ClassVar[dict[str, Any]] = {"connect_timeout": 5}

    def __init__(self, system: Any, environ: Mapping[str, str] | None = None) -> None:
        super().__init__(system, environ)
        self._any_sql: dict[tuple[str, str], tuple[str, list[str]]] = {}

    def fetch(self, lookups: Sequence[Lookup]) -> list[list[Row]]:
        if any(len(lookup.columns) != 1 for lookup in lookups):
            return super().fetch(lookups)
        try:
            with self.reader().connect() as conn:
                raw = conn.connection.dbapi_connection
                if not isinstance(raw, psycopg.Connection):  # another driver (psycopg2): plain lookups
                    return [self._fetch_one(conn, lookup) for lookup in lookups]
                prepared = [self._any_query(conn, lookup) for lookup in lookups]
                if len(prepared) == 1:
                    cursors = [raw.execute(prepared[0][0], (prepared[0][2],))]
                else:
                    with raw.pipeline():
                        cursors = [raw.execute(sql, (values,)) for sql, _, values in prepared]
                return [
                    [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
                    for cursor, (_, names, _) in zip(cursors, prepared, strict=True)
                ]
        except (SQLAlchemyError, psycopg.Error) as exc:
            raise ConnectorError(f"{self.system.id}: {_reason(exc)}") from None

    def _any_query(self, conn: Connection, lookup: Lookup) -> tuple[str, list[str], list[Any]]:
        """The lookup's SQL text (made once per table and column), its column names, its values."""
        table = self._table(conn, lookup.dataset)
        column = lookup.columns[0]
        cached = self._any_sql.get((lookup.dataset, column))
        if cached is None:
            stmt = self._select(conn, lookup)
            names = list(stmt.selected_columns.keys())
            preparer = conn.dialect.identifier_preparer
            key_type = self._column(table, column).type.compile(dialect=conn.dialect)
            selected = ", ".join(preparer.quote(name) for name in names)
            sql = (
                f"SELECT {selected} FROM {preparer.format_table(table)}"  # noqa: S608 - names from the reflected table
                f" WHERE {preparer.quote(column)} = ANY(CAST(%s AS {key_type}[]))"
            )
            cached = (sql, names)
            self._any_sql[(lookup.dataset, column)] = cached
        values = self._params(table, lookup.columns, lookup.values)
        return cached[0], cached[1], values


class MySQLConnector(SqlConnector):
    """MySQL and MariaDB through PyMySQL (pure Python, pinned)."""

    kind = "mysql"
    connect_args: ClassVar[dict[str, Any]] = {"connect_timeout": 5, "charset": "utf8mb4"}


class SQLiteConnector(SqlConnector):
    kind = "sqlite"
    connect_args: ClassVar[dict[str, Any]] = {"check_same_thread": False, "timeout": 30}

    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = create_engine(self.url, connect_args=dict(self.connect_args))
            return self._engine

    def reader(self) -> Engine:
        return self.engine()  # in-process: a transaction costs no round trip
