"""The espace's own row and its sequences; wiping or dropping all it holds."""

import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from sandbox.core.repository import Bulk, Repository, bulk_of
from sandbox.core.tables import (
    CounterRow,
    DocumentRow,
    DossierRow,
    EcheanceRow,
    EspaceRow,
    FactureRow,
    JetonRow,
    JournalRow,
    PanneRow,
    QuotaRow,
    RevisionRow,
)


class Lock(Enum):
    """How a transaction holds its espace's row (see `EspaceRepository.locked`)."""

    SHARED = "shared"
    EXCLUSIVE = "exclusive"


@dataclass(frozen=True)
class EspaceState:
    """What a request reads of its espace's row: its clock, and the versions that the
    in-process caches of its world, its fault rules and its read answers are keyed by."""

    horloge: date
    generation: int
    version_pannes: int
    # None: an espace without its revision's row, whose answers are not cached.
    revision: int | None = None


@dataclass(frozen=True)
class EspaceCounts:
    nom: str
    scenario: str
    horloge: date
    dossiers: int
    factures: int


def every_espace(session: Session) -> list[EspaceCounts]:
    """Every espace of the server with its counts: the one query across espaces, for the
    control API's list (each espace's own data is read through its repositories)."""
    dossiers = _counts(session, DossierRow)
    factures = _counts(session, FactureRow)
    rows = session.execute(
        select(EspaceRow.nom, EspaceRow.scenario_nom, EspaceRow.horloge).order_by(EspaceRow.nom)
    )
    return [
        EspaceCounts(nom, scenario, horloge, dossiers.get(nom, 0), factures.get(nom, 0))
        for nom, scenario, horloge in rows
    ]


def _counts(session: Session, table: type[DossierRow] | type[FactureRow]) -> dict[str, int]:
    query = select(table.espace, func.count()).group_by(table.espace)
    return {str(row[0]): int(row[1]) for row in session.execute(query)}


def drop_espaces(session: Session, names: Collection[str]) -> None:
    """Drop espaces and all they hold, their rows locked first, in one statement per table
    however many they are: the pytest plugin drops its tests' espaces by the hundred. A
    name of no espace is ignored."""
    chosen = sorted(names)  # locked in one order: two bulk drops cannot deadlock
    if not chosen:
        return
    rows = select(EspaceRow.nom).where(EspaceRow.nom.in_(chosen)).order_by(EspaceRow.nom)
    session.execute(rows.with_for_update())
    _delete_contents(session, chosen)
    session.execute(delete(RevisionRow).where(RevisionRow.espace.in_(chosen)))
    session.execute(delete(EspaceRow).where(EspaceRow.nom.in_(chosen)))


# Every table holding an espace's rows but its own row, in the order they are deleted.
_CONTENTS = (
    DocumentRow,
    FactureRow,
    DossierRow,
    CounterRow,
    PanneRow,
    JournalRow,
    JetonRow,
    QuotaRow,
)


def _delete_contents(session: Session, espaces: list[str]) -> None:
    """Delete everything those espaces hold, their own rows excepted."""
    dossiers = select(DossierRow.id).where(DossierRow.espace.in_(espaces))
    session.execute(delete(EcheanceRow).where(EcheanceRow.dossier_id.in_(dossiers)))
    for table in _CONTENTS:
        session.execute(delete(table).where(table.espace.in_(espaces)))


def _state_query(lock: Lock | None) -> Select[date, int, int, int | None]:
    revision = select(RevisionRow.valeur).where(RevisionRow.espace == EspaceRow.nom)
    query = select(
        EspaceRow.horloge,
        EspaceRow.generation,
        EspaceRow.version_pannes,
        revision.scalar_subquery(),
    ).where(EspaceRow.nom == bindparam("nom"))
    # PostgreSQL locks the rows of the espace's table only, not the revision's.
    return query if lock is None else query.with_for_update(read=lock is Lock.SHARED)


# Built once: every request runs one, and building it would cost more than running it.
_STATE = {lock: _state_query(lock) for lock in (None, *Lock)}
_INSERT = insert(EspaceRow)
_FIRST_REVISION = insert(RevisionRow)
_REVISE = (
    update(RevisionRow)
    .where(RevisionRow.espace == bindparam("nom"))
    .values(valeur=RevisionRow.valeur + 1)
)
_REPLACE = update(EspaceRow).where(EspaceRow.nom == bindparam("cible"))


class EspaceRepository(Repository[EspaceRow]):
    table = EspaceRow

    def row(self) -> EspaceRow | None:
        """The espace's row, unlocked (see `locked`)."""
        return self.one_or_none(self._row_query())

    def locked(self, shared: bool = False) -> EspaceRow | None:
        """The espace's row, read afresh and locked until the transaction ends: exclusively
        by what moves its clock, decides for the OPCO or replaces its state; `shared` by
        what adds dated work to it (a contract, an invoice). A request that adds work then
        waits for a clock move and reads the date it set, instead of racing it; requests
        that add work run together. (SQLite already runs one write at a time.)"""
        query = self._row_query().with_for_update(read=shared)
        return self.one_or_none(query.execution_options(populate_existing=True))

    def state(self, lock: Lock | None = None) -> EspaceState | None:
        """The espace's clock and versions, its row locked as `lock` says (see `locked`):
        the one query of a request on its espace, hence three columns and no ORM object."""
        query = _STATE[lock]
        found = self.session.connection().execute(query, {"nom": self.espace}).one_or_none()
        return None if found is None else EspaceState(*found)

    def generation(self) -> int:
        """The generation of the espace (which must exist): see `EspaceRow.generation`."""
        state = self.state()
        assert state is not None, f"no espace {self.espace}"
        return state.generation

    def scenario(self) -> dict[str, Any]:
        """The espace's stored scenario (large: read only to rebuild its world)."""
        found: dict[str, Any] = self.session.scalars(
            select(EspaceRow.scenario).where(EspaceRow.nom == self.espace)
        ).one()
        return found

    def _row_query(self) -> Select[Any]:
        # An espace's key is its name, not an `espace` column.
        return select(EspaceRow).where(EspaceRow.nom == self.espace)

    def counts(self) -> EspaceCounts | None:
        """The espace with its counts (what a replacement would drop), or None."""
        row = self.row()
        if row is None:
            return None
        dossiers, factures = (
            self.session.scalar(select(func.count()).where(table.espace == self.espace)) or 0
            for table in (DossierRow, FactureRow)
        )
        return EspaceCounts(self.espace, row.scenario_nom, row.horloge, dossiers, factures)

    def replace(self, horloge: date, scenario: dict[str, Any]) -> None:
        """Make the espace, or empty it, to hold `scenario` from `horloge` on: its row locked
        first, so that two replacements of one espace run one after the other, the second
        deleting all that the first installed. The next generation, for the caches. Core
        statements, built once: thousands of tests load an espace each."""
        state = self.state(Lock.EXCLUSIVE)
        values = {
            "horloge": horloge,
            "horloge_initiale": horloge,
            "version_pannes": 0,
            "scenario": scenario,
            "scenario_nom": str(scenario.get("nom", "")),
        }
        connection = self.session.connection()
        if state is None:
            generation = secrets.randbelow(2**30)
            connection.execute(_INSERT, {**values, "nom": self.espace, "generation": generation})
            connection.execute(_FIRST_REVISION, {"espace": self.espace, "valeur": 0})
            return
        _delete_contents(self.session, [self.espace])
        connection.execute(
            _REPLACE, {**values, "cible": self.espace, "generation": state.generation + 1}
        )

    def revise(self) -> None:
        """The espace's data changes in this transaction: its next revision, for the
        caches of its answers (none when the espace was dropped in it)."""
        self.session.connection().execute(_REVISE, {"nom": self.espace})

    def renew_generation(self) -> None:
        """A new generation for the espace (which must exist), its state otherwise kept:
        what the caches keep of it is read again."""
        self.session.execute(
            update(EspaceRow)
            .where(EspaceRow.nom == self.espace)
            .values(generation=EspaceRow.generation + 1)
        )

    def mark_started(self, fingerprint: str) -> None:
        """Remember the content the espace was loaded from at the server's start."""
        self.session.execute(
            update(EspaceRow)
            .where(EspaceRow.nom == self.espace)
            .values(empreinte_demarrage=fingerprint)
        )

    def drop(self) -> None:
        """Drop the espace and all it holds (nothing when there is no such espace)."""
        drop_espaces(self.session, [self.espace])

    def next_number(self, opco: str, nom: str) -> int:
        """The next value of a sequence; the row lock serialises concurrent callers."""
        batch = bulk_of(self.session)
        if batch is not None:
            return self._next_in_bulk(batch, opco, nom)
        key = self._counter_key(opco, nom)
        connection = self.session.connection()
        bumped = connection.execute(_BUMP, key).scalar()
        if bumped is None:
            connection.execute(_FIRST, key)
            return 1
        return int(bumped)

    def start_after(self, opco: str, nom: str, value: int) -> None:
        """A sequence not started yet whose first number will be `value + 1`."""
        self.session.add(CounterRow(espace=self.espace, opco=opco, nom=nom, valeur=value))
        self.session.flush()

    def counted(self, opco: str, nom: str) -> int:
        """A sequence's value: how many numbers it gave (0 before the first)."""
        found = self.session.scalar(_COUNTER, self._counter_key(opco, nom))
        return found or 0

    def _counter_key(self, opco: str, nom: str) -> dict[str, str]:
        """The parameters of `_THE_COUNTER`."""
        return {"cle_espace": self.espace, "cle_opco": opco, "cle_nom": nom}

    def _next_in_bulk(self, batch: Bulk, opco: str, nom: str) -> int:
        """The counter's row, read once and bumped in memory: written with the next chunk
        (the bulk session is the only one writing in its database)."""
        counter: CounterRow | None = batch.counters.get((self.espace, opco, nom))
        if counter is None:
            counter = self.session.get(CounterRow, (self.espace, opco, nom))
            if counter is None:
                counter = CounterRow(espace=self.espace, opco=opco, nom=nom, valeur=0)
                self.session.add(counter)
            batch.counters[(self.espace, opco, nom)] = counter
        counter.valeur += 1
        return counter.valeur


# A sequence's statements, built once: a transmission bumps two, a page reads one (in
# Core: the ORM's update would look for the rows to refresh in the session, and there are
# none outside a bulk session).
_COUNTERS: Table = CounterRow.__table__  # type: ignore[assignment]
_THE_COUNTER = (
    _COUNTERS.c.espace == bindparam("cle_espace"),
    _COUNTERS.c.opco == bindparam("cle_opco"),
    _COUNTERS.c.nom == bindparam("cle_nom"),
)  # an update's parameters may not be named as its columns
_COUNTER = select(_COUNTERS.c.valeur).where(*_THE_COUNTER)
_BUMP = (
    update(_COUNTERS)
    .where(*_THE_COUNTER)
    .values(valeur=_COUNTERS.c.valeur + 1)
    .returning(_COUNTERS.c.valeur)
)
_FIRST = insert(_COUNTERS).values(
    espace=bindparam("cle_espace"),
    opco=bindparam("cle_opco"),
    nom=bindparam("cle_nom"),
    valeur=1,
)
