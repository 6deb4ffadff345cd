"""The base of every repository: each query starts from "this espace" (and this OPCO where
rows belong to one), and `add()` stamps the espace itself, so no query can forget it."""

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar, cast

from sqlalchemy import (
    ColumnElement,
    ScalarResult,
    Select,
    Table,
    bindparam,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import ClassManager, QueryableAttribute, Session

from sandbox.core.tables import Base

RowT = TypeVar("RowT", bound=Base)
ItemT = TypeVar("ItemT")


class Scope(Protocol):
    """What a repository is scoped to: an espace's name, in a session."""

    @property
    def session(self) -> Session: ...

    @property
    def nom(self) -> str: ...


# Rows a bulk session holds before it writes them, in one batch.
BULK_CHUNK = 2_000
_BULK = "opco_sandbox.bulk"  # where a session keeps its `Bulk`, in `session.info`


@dataclass
class Bulk:
    """A session filling an empty espace alone: a scenario's install, in its private
    database. Rows added are held and written a chunk at a time, each repository writing
    its own (`Repository.write_all`), and the session remembers (as hashes) the numbers and
    keys of the rows it added: a number never added is free without asking the database;
    one maybe added is asked as usual, once what is held is written. Counters are bumped in
    memory and written with each chunk."""

    added: set[int] = field(default_factory=set)
    counters: dict[Hashable, Any] = field(default_factory=dict)
    held: dict[type["Repository[Any]"], list[Any]] = field(default_factory=dict)

    def write(self, session: Session) -> None:
        """Write every row held, then whatever else the session has pending."""
        for repository, rows in self.held.items():
            if rows:
                repository.write_all(session, rows)
        self.held.clear()
        session.flush()


def column_values(row: Base) -> dict[str, Any]:
    """A new row's columns (its id aside) as an insert takes them: each column's default
    where the row leaves it unset."""
    loaded = row.__dict__  # where SQLAlchemy keeps the values set on a row
    return {
        key: loaded[key] if key in loaded else default() for key, default in _columns_of(type(row))
    }


@cache
def _columns_of(table: type[Base]) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """Each column (the primary key aside) of a table's rows, and what it defaults to."""
    mapper = inspect(table)
    return tuple(
        (mapper.get_property_by_column(column).key, _default_of(column))
        for column in mapper.columns
        if not column.primary_key
    )


def _default_of(column: Any) -> Callable[[], Any]:
    default = column.default
    if default is None:
        return lambda: None
    if default.is_callable:
        return lambda: default.arg(None)
    return lambda: default.arg


def new_row(table: type[RowT], **values: Any) -> RowT:
    """A new row of `table` holding these column values, put in place at once, as
    SQLAlchemy puts a row it loads, instead of one instrumented `setattr` per column as its
    constructor does (a quarter of a bulk install's time, which makes hundreds of thousands
    of rows). Added to a session, or written by a bulk one, it inserts the same values."""
    unknown = values.keys() - _column_keys(table)
    if unknown:
        raise TypeError(f"{table.__name__} has no column {', '.join(sorted(unknown))}")
    row = cast(RowT, _manager_of(table).new_instance())
    row.__dict__.update(values)
    return row


@cache
def _column_keys(table: type[Base]) -> frozenset[str]:
    return frozenset(column.key for column in inspect(table).column_attrs)


@cache
def _manager_of(table: type[Base]) -> ClassManager[Any]:
    return inspect(table).class_manager


def new_ids(session: Session, table: Table, count: int) -> list[int]:
    """`count` ids for new rows of `table`, ascending: the sequence's next values on
    PostgreSQL; on SQLite, those after the largest (the transaction holds the write
    lock)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        query = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return sorted(connection.execute(query, {"table": table.name, "n": count}).scalars())
    start = connection.execute(select(func.max(table.c.id))).scalar() or 0
    return list(range(start + 1, start + count + 1))


def insert_many(session: Session, table: Table, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert rows that each give every column of `table`, in one `executemany` of the
    driver: their values are converted as SQLAlchemy converts them (each column type's
    bind processor), but in one loop, without the per-row work of a Core insert, which
    cost a tenth of a bulk install."""
    connection = session.connection()
    plan = _insert_plan(table, connection.dialect, tuple(c.key for c in table.columns), 1)
    values = [plan.values(row) for row in rows]
    if values:
        connection.exec_driver_sql(plan.sql, values)


# Rows a statement of `insert_rows` inserts at most: 64 rows of 15 columns stay under the
# 999 parameters of the oldest SQLite.
ROWS_PER_STATEMENT = 64


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that give the same columns, their values converted as `insert_many`
    converts them: on SQLite as statements of up to `ROWS_PER_STATEMENT` rows each; with
    psycopg in one `COPY`; elsewhere in one Core `executemany`. SQLite's `executemany` runs
    a row at a time and hands the GIL over at each: a thread writing that way beside a busy
    event loop waited for the GIL at every row (a journal's writer fell seconds behind).
    psycopg's `executemany` held the GIL for 40 µs a journal entry, its `COPY` for 15 (its
    rows formatted in C), and the event loop beside it waits less."""
    if not rows:
        return
    connection = session.connection()
    keys = tuple(rows[0])
    if connection.dialect.driver == "psycopg":
        _copy(connection, table, keys, rows)
        return
    if connection.dialect.name != "sqlite":
        session.execute(insert(table), list(rows))
        return
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        plan = _insert_plan(table, connection.dialect, keys, len(chunk))
        flat = tuple(value for row in chunk for value in plan.values(row))
        connection.exec_driver_sql(plan.sql, flat)


def _copy(
    connection: Connection, table: Table, keys: tuple[str, ...], rows: Sequence[Mapping[str, Any]]
) -> None:
    """The rows in one PostgreSQL `COPY … FROM STDIN`, in the connection's transaction."""
    plan = _insert_plan(table, connection.dialect, keys, 1)
    with connection.connection.driver_connection.cursor() as cursor:  # type: ignore[union-attr]
        with cursor.copy(f"COPY {plan.target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(plan.values(row))


@dataclass(frozen=True)
class _InsertPlan:
    target: str  # the table and its columns, quoted: `journal (espace, instant, …)`
    sql: str
    converted: tuple[tuple[str, Callable[[Any], Any] | None], ...]  # key, its processor

    def values(self, row: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            row[key] if convert is None else convert(row[key]) for key, convert in self.converted
        )


@cache
def _insert_plan(table: Table, dialect: Dialect, keys: tuple[str, ...], rows: int) -> _InsertPlan:
    """The statement inserting `rows` rows of those columns of `table`, its parameters
    positional (SQLite's `?`, psycopg's `%s`): built once, with each column's bind
    processor."""
    preparer = dialect.identifier_preparer
    columns = [table.c[key] for key in keys]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    one_row = f"({', '.join([mark] * len(columns))})"
    names = ", ".join(preparer.quote(column.name) for column in columns)
    target = f"{preparer.format_table(table)} ({names})"
    sql = f"INSERT INTO {target} VALUES " + ", ".join([one_row] * rows)
    converted = tuple(
        (c.key, c.type.dialect_impl(dialect).bind_processor(dialect)) for c in columns
    )
    return _InsertPlan(target, sql, converted)


def bulk_of(session: Session) -> Bulk | None:
    found: Bulk | None = session.info.get(_BULK)
    return found


@contextmanager
def bulk(session: Session) -> Iterator[Bulk]:
    """Within the block, `session` is a bulk session (see `Bulk`); what it holds is written
    at the end."""
    session.info[_BULK] = made = Bulk()
    try:
        yield made
        made.write(session)
    finally:
        del session.info[_BULK]


@dataclass(frozen=True)
class Page(Generic[ItemT]):
    total: int
    rows: list[ItemT]


class Repository(Generic[RowT]):
    """Queries on one table's rows of one espace."""

    table: ClassVar[type[Any]]

    def __init__(self, session: Session, espace: str) -> None:
        self.session = session
        self.espace = espace

    @classmethod
    def of(cls, scope: Scope) -> Self:
        return cls(scope.session, scope.nom)

    def select(self, opco: str | None = None) -> Select[Any]:
        """The espace's rows (of that OPCO when given): where every query begins."""
        query = select(self.table).where(self.table.espace == self.espace)
        return query if opco is None else query.where(self.table.opco == opco)

    @classmethod
    def prepared(cls, *columns: Any, of_opco: bool = False) -> Select[Any]:
        """Where a statement built once begins (a query of every request: building it costs
        more than running it): the espace's rows (of one OPCO when `of_opco`), or those of
        their `columns`, the espace and the OPCO bound parameters that `run_prepared` fills
        in."""
        query = select(*columns or (cls.table,)).where(cls.table.espace == bindparam("espace"))
        return query.where(cls.table.opco == bindparam("opco")) if of_opco else query

    def run_prepared(self, statement: Select[Any], **parameters: Any) -> ScalarResult[RowT]:
        """The rows of a `prepared()` statement in this espace."""
        return self.session.scalars(statement, {"espace": self.espace, **parameters})

    def one_prepared(self, statement: Select[Any], **parameters: Any) -> RowT | None:
        """The one row of a `prepared()` statement in this espace, or None."""
        return self.run_prepared(statement, **parameters).one_or_none()

    def page_prepared(
        self, statement: Select[Any], numero: int, taille: int, **parameters: Any
    ) -> Page[RowT]:
        """Page `numero` (from 1) of `taille` rows of a `prepared()` statement, in its order,
        and the total of its rows, counted."""
        count, _ = paged(statement)
        total = self.session.scalar(count, {"espace": self.espace, **parameters})
        return Page(total or 0, self.slice_prepared(statement, numero, taille, **parameters))

    def slice_prepared(
        self, statement: Select[Any], numero: int, taille: int, **parameters: Any
    ) -> list[RowT]:
        """Page `numero` (from 1) of `taille` rows of a `prepared()` statement."""
        _, rows = paged(statement)
        debut = (numero - 1) * taille
        return list(self.run_prepared(rows, debut=debut, taille=taille, **parameters))

    def add(self, row: RowT) -> RowT:
        """The row, stamped with the espace and written (in a bulk session: held, and
        written with its chunk)."""
        row.espace = self.espace  # type: ignore[attr-defined]
        batch = bulk_of(self.session)
        if batch is None:
            self.session.add(row)
            self.session.flush()
            return row
        held = batch.held.setdefault(type(self), [])
        if len(held) >= BULK_CHUNK:
            batch.write(self.session)
            held = batch.held.setdefault(type(self), [])
        held.append(row)
        batch.added.update(hash((self.espace, *key)) for key in self.remembered(row))
        return row

    @classmethod
    def write_all(cls, session: Session, rows: list[RowT]) -> None:
        """Write the rows a bulk session held (a repository may do it faster than the
        session's unit of work, row by row)."""
        session.add_all(rows)
        session.flush()

    def remembered(self, row: RowT) -> Iterable[tuple[Hashable, ...]]:
        """The unique numbers and keys of a row, that a bulk session remembers."""
        return ()

    def never_added(self, *key: Hashable) -> bool:
        """True when this bulk session never added a row with that number or key (so no
        row has it); False when it may have (what it holds is then written, for the query
        to see it), or outside a bulk session."""
        batch = bulk_of(self.session)
        if batch is None:
            return False
        if hash((self.espace, *key)) not in batch.added:
            return True
        batch.write(self.session)
        return False

    def all(self, query: Select[Any]) -> list[RowT]:
        return list(self.session.scalars(query))

    def one_or_none(self, query: Select[Any]) -> RowT | None:
        return self.session.scalars(query).one_or_none()

    @property
    def dialect(self) -> str:
        """The engine's name (`sqlite`, `postgresql`): statements built once per engine are
        keyed by it."""
        return self.session.get_bind().dialect.name


def bytewise(column: QueryableAttribute[Any], dialect: str) -> ColumnElement[Any]:
    """`column` ordered by code point on every engine, as SQLite does: PostgreSQL's locale
    collations would ignore hyphens and case (`DEMO-0001` beside `demo0001`)."""
    if dialect == "postgresql":
        return column.expression.collate("C")
    return column.expression


@cache
def paged(statement: Select[Any]) -> tuple[Select[Any], Select[Any]]:
    """A prepared statement's count of rows, and its rows from `debut` (bound, as `taille`,
    their number)."""
    count = select(func.count()).select_from(statement.order_by(None).subquery())
    rows = statement.offset(bindparam("debut")).limit(bindparam("taille"))
    return count, rows
