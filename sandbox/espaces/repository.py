"""The espace's own row and its sequences; wiping or dropping all it holds."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sandbox.core.repository import Repository
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
        # An espace's key is its name, not an `espace` column.
        query = select(EspaceRow).where(EspaceRow.nom == self.espace)
        return self.one_or_none(query.with_for_update() if lock else query)

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
        """Delete everything of the espace but the espace itself."""
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
        key = (CounterRow.espace == self.espace, CounterRow.opco == opco, CounterRow.nom == nom)
        bumped = self.session.execute(
            update(CounterRow).where(*key).values(valeur=CounterRow.valeur + 1)
        )
        if bumped.rowcount == 0:  # type: ignore[attr-defined]
            self.session.add(CounterRow(espace=self.espace, opco=opco, nom=nom, valeur=1))
            self.session.flush()
            return 1
        return self.session.scalars(select(CounterRow.valeur).where(*key)).one()
