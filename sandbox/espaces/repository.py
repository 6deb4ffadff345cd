"""The espace's own row and its sequences; wiping or dropping all it holds."""

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import Select, delete, func, select, update
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
)


class Lock(Enum):
    """How a transaction holds its espace's row (see `EspaceRepository.locked`)."""

    SHARED = "shared"
    EXCLUSIVE = "exclusive"


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


class EspaceRepository(Repository[EspaceRow]):
    table = EspaceRow

    def row(self, lock: bool = False) -> EspaceRow | None:
        """The espace's row; `lock`: locked exclusively (see `locked`)."""
        return self.locked() if lock else self.one_or_none(self._row_query())

    def locked(self, shared: bool = False) -> EspaceRow | None:
        """The espace's row, read afresh and locked until the transaction ends: exclusively
        by what moves its clock, decides for the OPCO or replaces its state; `shared` by
        what adds dated work to it (a contract, an invoice). A request that adds work then
        waits for a clock move and reads the date it set, instead of racing it; requests
        that add work run together. (SQLite already runs one write at a time.)"""
        query = self._row_query().with_for_update(read=shared)
        return self.one_or_none(query.execution_options(populate_existing=True))

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

    def save(self, horloge: date, scenario: dict[str, Any]) -> EspaceRow:
        row = self.row(lock=True)
        if row is None:
            row = EspaceRow(nom=self.espace, generation=1)
            self.session.add(row)
        else:
            row.generation += 1
        row.horloge = row.horloge_initiale = horloge
        row.scenario = scenario
        row.scenario_nom = str(scenario.get("nom", ""))
        self.session.flush()
        return row

    def wipe(self) -> None:
        """Delete everything of the espace but the espace itself, its row locked first: two
        replacements of one espace run one after the other, the second deleting all that
        the first installed. An espace not yet made has nothing to delete."""
        if self.locked() is None:
            return
        ids = select(DossierRow.id).where(DossierRow.espace == self.espace)
        self.session.execute(delete(EcheanceRow).where(EcheanceRow.dossier_id.in_(ids)))
        tables = (
            DocumentRow,
            FactureRow,
            DossierRow,
            CounterRow,
            PanneRow,
            JournalRow,
            JetonRow,
            QuotaRow,
        )
        for table in tables:
            self.session.execute(delete(table).where(table.espace == self.espace))

    def drop(self) -> None:
        self.wipe()
        self.session.execute(delete(EspaceRow).where(EspaceRow.nom == self.espace))

    def next_number(self, opco: str, nom: str) -> int:
        """The next value of a sequence; the row lock serialises concurrent callers."""
        batch = bulk_of(self.session)
        if batch is not None:
            return self._next_in_bulk(batch, opco, nom)
        key = (CounterRow.espace == self.espace, CounterRow.opco == opco, CounterRow.nom == nom)
        bumped = self.session.execute(
            update(CounterRow).where(*key).values(valeur=CounterRow.valeur + 1)
        )
        if bumped.rowcount == 0:  # type: ignore[attr-defined]
            self.session.add(CounterRow(espace=self.espace, opco=opco, nom=nom, valeur=1))
            self.session.flush()
            return 1
        return self.session.scalars(select(CounterRow.valeur).where(*key)).one()

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
