"""An espace's data lifted out of the database, to be put back under any espace's name.

A scenario is installed once, through every domain rule, into a private in-memory
database; its rows are kept as a `Snapshot`; each load then only inserts them, in batches,
in one short transaction. So a long install never holds the shared database's write lock,
and the thousandth test loading `demo` costs a few inserts. A large one is not kept: its
rows are streamed from its private database, a chunk at a time.

Rows refer to one another by id (an échéance to its dossier, an invoice's imputations to
both): ids are given anew on insertion and those references follow them.
"""

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from dataclasses import dataclass, replace
from itertools import islice
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Insert,
    Table,
    event,
    insert,
    select,
    text,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from sandbox.core.repository import new_ids
from sandbox.core.tables import (
    Base,
    CounterRow,
    DocumentRow,
    DossierRow,
    EcheanceRow,
    FactureRow,
)

Rows = Iterable[Mapping[str, Any]]
# Rows read and inserted at a time, when a snapshot is streamed from its database.
CHUNK = 2_000
# What a scenario's install makes, parents first. Tokens, quotas, fault rules and the
# journal belong to what happens after a load, not to the state a scenario gives.
_PLAIN: tuple[type[Base], ...] = (CounterRow, DocumentRow)


@dataclass(frozen=True)
class Snapshot:
    """Lists of rows (`take`), or rows read from their database as they are inserted
    (`streamed`: a large install is never held whole in memory)."""

    dossiers: Rows
    echeances: Rows
    factures: Rows
    others: Mapping[str, Rows]  # table name → rows
    # Streamed: where the rows are read from; `put` copies dossiers and échéances as stored.
    stored: "Stored | None" = None

    @property
    def size(self) -> int:
        parts = (self.dossiers, self.echeances, self.factures)
        return sum(len(part) if isinstance(part, Sized) else 0 for part in parts)


def take(session: Session, espace: str) -> Snapshot:
    """Every row of the espace (its own row aside), with their ids as they are."""
    streamed = stream(session, espace)
    return Snapshot(
        list(streamed.dossiers),
        list(streamed.echeances),
        list(streamed.factures),
        {name: list(rows) for name, rows in streamed.others.items()},
    )


def stream(session: Session, espace: str) -> Snapshot:
    """The espace's rows as `take` gives them, read from `session` a chunk at a time each
    time they are gone through (so `session` must stay open until they are put). Rows come
    in the order they were made (by id), so that their new ids keep it."""
    dossiers, echeances = _t(DossierRow), _t(EcheanceRow)
    dossier_ids = select(dossiers.c.id).where(dossiers.c.espace == espace)
    return Snapshot(
        _Read(session, dossiers, dossiers.c.espace == espace),
        _Read(session, echeances, echeances.c.dossier_id.in_(dossier_ids)),
        _Read(session, _t(FactureRow), _t(FactureRow).c.espace == espace),
        {
            _t(table).name: _Read(session, _t(table), _t(table).c.espace == espace)
            for table in _PLAIN
        },
        Stored(session, espace),
    )


class _Read:
    """A table's rows, read anew at each pass, a chunk at a time, as dicts."""

    def __init__(self, session: Session, table: Table, where: ColumnElement[bool]) -> None:
        self.session = session
        query = select(table).where(where).order_by(*table.primary_key.columns)
        self.query = query.execution_options(yield_per=CHUNK)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (dict(row) for row in self.session.execute(self.query).mappings())


def put(session: Session, snapshot: Snapshot, espace: str) -> None:
    """Insert the snapshot's rows under `espace` (which holds none), in batches of a
    chunk."""
    put_all(session, [snapshot], espace)


def put_all(session: Session, parts: Sequence[Snapshot], espace: str) -> None:
    """Insert snapshots of parts of one espace's state (the halves of a large install: see
    `scenarios.split`) under `espace`, one after the other. A sequence that several parts
    used (the DECA registry's) is written once, at the furthest any part took it."""
    counters = _t(CounterRow).name
    furthest: dict[tuple[str, str], Mapping[str, Any]] = {}
    for part in parts:
        for row in part.others.get(counters, ()):
            key = (row["opco"], row["nom"])
            if key not in furthest or row["valeur"] > furthest[key]["valeur"]:
                furthest[key] = row
    for index, part in enumerate(parts):
        merged = list(furthest.values()) if index == 0 else []
        _put_part(session, replace(part, others={**part.others, counters: merged}), espace)
    if any(part.stored is not None for part in parts):
        _analyze(session)


def _put_part(session: Session, snapshot: Snapshot, espace: str) -> None:
    for name, rows in snapshot.others.items():
        table = Base.metadata.tables[name]
        has_id = "id" in table.c
        for chunk in _chunks(rows):
            _insert(session, table, [_renamed(row, espace, drop_id=has_id) for row in chunk])
    # Invoices are few; their imputations name échéances, whose new ids must then be known.
    factures = list(snapshot.factures)
    named = {imputation["echeance_id"] for row in factures for imputation in row["imputations"]}
    if snapshot.stored is not None:
        dossier_of, echeance_of = snapshot.stored.copy_into(session, espace, named)
    else:
        dossier_of, echeance_of = _insert_dossiers(session, snapshot, espace, named)
    _insert(
        session, _t(FactureRow), [_moved(row, espace, dossier_of, echeance_of) for row in factures]
    )


def _analyze(session: Session) -> None:
    """After a large load, PostgreSQL's planner statistics are those of the tables before
    it (autovacuum comes later): refreshed now, the next queries use their indexes. Once
    the load is committed, the tables are vacuumed too: until their visibility map knows
    the new rows, a count (a page's total) reads every row rather than the index alone."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (DossierRow, EcheanceRow):
        session.execute(text(f"ANALYZE {_t(table).name}"))
    event.listen(session, "after_commit", _vacuum, once=True)


def _vacuum(session: Session) -> None:
    # VACUUM runs outside any transaction, hence a connection of its own.
    engine = session.get_bind()
    assert isinstance(engine, Engine), "the sandbox's sessions are bound to its engine"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in (DossierRow, EcheanceRow):
            connection.execute(text(f"VACUUM {_t(table).name}"))


def _insert_dossiers(
    session: Session, snapshot: Snapshot, espace: str, named: set[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Insert the dossiers and échéances; the new id of each dossier, and of each échéance
    among `named`."""
    dossier_of: dict[int, int] = {}
    for chunk in _chunks(snapshot.dossiers):
        ids = _insert_returning_ids(
            session, _t(DossierRow), [_renamed(row, espace) for row in chunk]
        )
        dossier_of.update(zip((row["id"] for row in chunk), ids, strict=True))
    echeance_of: dict[int, int] = {}
    for chunk in _chunks(snapshot.echeances):
        echeances = [
            {**_without_id(row), "dossier_id": dossier_of[row["dossier_id"]]} for row in chunk
        ]
        if not named:
            _insert(session, _t(EcheanceRow), echeances)
            continue
        ids = _insert_returning_ids(session, _t(EcheanceRow), echeances)
        echeance_of.update(zip((row["id"] for row in chunk), ids, strict=True))
    return dossier_of, echeance_of


@dataclass(frozen=True)
class Stored:
    """A streamed snapshot's database (SQLite, private), whose dossiers and échéances are
    copied as it stores them: its values are those the target stores too (dates as text,
    amounts in cents, JSON as text, booleans as 0 or 1), so that nothing is converted to
    Python values and back. PostgreSQL takes them with COPY."""

    session: Session
    espace: str

    def copy_into(
        self, target: Session, espace: str, named: set[int]
    ) -> tuple[dict[int, int], dict[int, int]]:
        """Copy under `espace`; the new id of each dossier, and of each échéance among
        `named`."""
        dossier_of = self._copy(target, _t(DossierRow), {"espace": lambda _: espace})
        echeance_of = self._copy(
            target, _t(EcheanceRow), {"dossier_id": dossier_of.__getitem__}, keep=named
        )
        return dossier_of, echeance_of

    def _copy(
        self,
        target: Session,
        table: Table,
        changed: Mapping[str, Callable[[Any], Any]],
        keep: set[int] | None = None,
    ) -> dict[int, int]:
        """Copy the table's rows of the espace, a chunk at a time, with new ids and the
        `changed` columns' values changed; the new id of each old one (of those in `keep`
        only, when given)."""
        positions = {_position(table, name): change for name, change in changed.items()}
        new_of: dict[int, int] = {}
        for chunk in self._chunks(table):
            ids = new_ids(target, table, len(chunk))
            moved = []
            for row, new in zip(chunk, ids, strict=True):
                values = list(row)
                values[0] = new
                for index, change in positions.items():
                    values[index] = change(values[index])
                moved.append(tuple(values))
                if keep is None or row[0] in keep:
                    new_of[row[0]] = new
            _write_stored(target, table, moved)
        return new_of

    def _chunks(self, table: Table) -> Iterator[list[tuple[Any, ...]]]:
        """The espace's rows of `table` (dossiers or échéances) as stored (no type's
        conversion), the id first, by id."""
        assert _position(table, "id") == 0
        dossiers = _t(DossierRow)
        owned = dossiers.c.espace == self.espace
        where = (
            owned
            if table is dossiers
            else table.c.dossier_id.in_(select(dossiers.c.id).where(owned))
        )
        columns = [type_coerce(column, NullType()).label(column.name) for column in table.c]
        query = select(*columns).where(where).order_by(table.c.id)
        result = self.session.execute(query.execution_options(yield_per=CHUNK))
        for partition in result.partitions(CHUNK):
            yield [tuple(row) for row in partition]


def _position(table: Table, name: str) -> int:
    return list(table.c.keys()).index(name)


def _write_stored(session: Session, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Rows given as stored, every column in the table's order: COPY on PostgreSQL, a
    batched insert of the driver's own on SQLite."""
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(column.name) for column in table.c)
    if connection.dialect.name == "postgresql":
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in table.c)
    connection.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})", rows)


def _moved(
    row: Mapping[str, Any], espace: str, dossier_of: dict[int, int], echeance_of: dict[int, int]
) -> dict[str, Any]:
    """An invoice under `espace`, its imputations naming the new ids."""
    return {
        **_renamed(row, espace),
        "imputations": [
            {
                **imputation,
                "dossier_id": dossier_of[imputation["dossier_id"]],
                "echeance_id": echeance_of[imputation["echeance_id"]],
            }
            for imputation in row["imputations"]
        ],
    }


def _chunks(rows: Rows) -> Iterator[list[Mapping[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _t(table: type[Base]) -> Table:
    found: Table = table.__table__  # type: ignore[assignment]
    return found


def _rows(session: Session, query: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in session.execute(query).mappings()]


def _without_id(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key != "id"}


def _renamed(row: Mapping[str, Any], espace: str, drop_id: bool = True) -> dict[str, Any]:
    return {**(_without_id(row) if drop_id else row), "espace": espace}


# Core statements on the session's connection, each built once: a fixture's load of `demo`
# is a handful of small inserts, and the ORM's and statement building's share of them was
# larger than the database's.
@functools.cache
def _insert_of(table: Table) -> Insert:
    return insert(table)


@functools.cache
def _insert_returning_id_of(table: Table) -> Insert:
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(_insert_of(table), rows)


def _insert_returning_ids(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """The new ids, in the order of `rows` (SQLAlchemy batches the insert and sorts what
    each batch returns)."""
    if not rows:
        return []
    return list(session.connection().execute(_insert_returning_id_of(table), rows).scalars())


def tables_covered() -> tuple[str, ...]:
    """Every table a snapshot carries (a test checks that no new table is forgotten)."""
    carried: tuple[type[Base], ...] = (DossierRow, EcheanceRow, FactureRow, *_PLAIN)
    return tuple(_t(table).name for table in carried)
