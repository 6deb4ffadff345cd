"""Queries, each scoped by espace (and OPCO where rows belong to one)."""

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sandbox.storage.tables import CounterRow, DossierRow, EcheanceRow, EspaceRow, JournalRow


class Store:
    """The rows of one espace, through one session."""

    def __init__(self, session: Session, espace: str) -> None:
        self.session = session
        self.espace = espace

    # Espace

    def espace_row(self, lock: bool = False) -> EspaceRow | None:
        query = select(EspaceRow).where(EspaceRow.nom == self.espace)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()

    def save_espace(self, horloge: date, scenario: dict[str, Any]) -> EspaceRow:
        row = self.espace_row(lock=True)
        if row is None:
            row = EspaceRow(nom=self.espace, generation=1)
            self.session.add(row)
        else:
            row.generation += 1
        row.horloge = row.horloge_initiale = horloge
        row.scenario = scenario
        self.session.flush()
        return row

    def wipe(self, journal: bool = True) -> None:
        """Delete every dossier, counter (and journal entry) of the espace."""
        ids = select(DossierRow.id).where(DossierRow.espace == self.espace)
        self.session.execute(delete(EcheanceRow).where(EcheanceRow.dossier_id.in_(ids)))
        for table in (DossierRow, CounterRow) + ((JournalRow,) if journal else ()):
            self.session.execute(delete(table).where(table.espace == self.espace))

    def drop(self) -> None:
        self.wipe()
        self.session.execute(delete(EspaceRow).where(EspaceRow.nom == self.espace))

    # Counters

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

    # Dossiers

    def add_dossier(self, row: DossierRow) -> None:
        self.session.add(row)
        self.session.flush()

    def _dossiers(self, opco: str) -> Any:
        return select(DossierRow).where(DossierRow.espace == self.espace, DossierRow.opco == opco)

    def live_duplicate(self, opco: str, cle_doublon: str) -> DossierRow | None:
        query = self._dossiers(opco).where(DossierRow.cle_doublon == cle_doublon)
        return self.session.scalars(query).first()

    def dossier_by_numero_interne(
        self, opco: str, siret_cfa: str, numero_interne: str
    ) -> DossierRow | None:
        query = self._dossiers(opco).where(
            DossierRow.siret_cfa == siret_cfa, DossierRow.numero_interne == numero_interne
        )
        return self.session.scalars(query).one_or_none()

    def dossier_by_numero_externe(self, opco: str, numero_externe: str) -> DossierRow | None:
        query = self._dossiers(opco).where(DossierRow.numero_externe == numero_externe)
        return self.session.scalars(query).one_or_none()

    def dossiers_of_cfa(
        self, opco: str, siret_cfa: str, offset: int, limit: int
    ) -> tuple[int, list[DossierRow]]:
        """The CFA's dossiers known by a numeroInterne, oldest first, and their total."""
        where = (
            DossierRow.espace == self.espace,
            DossierRow.opco == opco,
            DossierRow.siret_cfa == siret_cfa,
            DossierRow.numero_interne.is_not(None),
        )
        total = self.session.scalar(select(func.count()).select_from(DossierRow).where(*where))
        page = select(DossierRow).where(*where).order_by(DossierRow.id).offset(offset).limit(limit)
        return total or 0, list(self.session.scalars(page))

    def next_due_date(self, until: date) -> date | None:
        """The earliest pending transition date on or before `until`."""
        return self.session.scalar(
            select(func.min(DossierRow.prochaine_etape)).where(
                DossierRow.espace == self.espace, DossierRow.prochaine_etape <= until
            )
        )

    def dossiers_due_on(self, day: date) -> list[DossierRow]:
        query = (
            select(DossierRow)
            .where(DossierRow.espace == self.espace, DossierRow.prochaine_etape == day)
            .order_by(DossierRow.id)
        )
        return list(self.session.scalars(query))

    # Journal

    def add_journal(self, row: JournalRow) -> None:
        self.session.add(row)

    def journal(self) -> list[JournalRow]:
        query = select(JournalRow).where(JournalRow.espace == self.espace).order_by(JournalRow.id)
        return list(self.session.scalars(query))
