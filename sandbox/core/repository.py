"""Queries, each scoped by espace (and OPCO where rows belong to one)."""

from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from sandbox.core.tables import (
    CounterRow,
    DossierRow,
    EcheanceRow,
    EspaceRow,
    FactureRow,
    JournalRow,
    PanneRow,
)


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

    def wipe(self) -> None:
        """Delete everything of the espace but the espace itself."""
        ids = select(DossierRow.id).where(DossierRow.espace == self.espace)
        self.session.execute(delete(EcheanceRow).where(EcheanceRow.dossier_id.in_(ids)))
        for table in (FactureRow, DossierRow, CounterRow, PanneRow, JournalRow):
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

    def pairing_candidates(
        self,
        opco: str,
        *,
        nom: str,
        prenom: str,
        date_naissance: date,
        siret_employeur: str,
        date_debut_contrat: date,
        conclus_depuis: date,
    ) -> list[DossierRow]:
        """Every CFA's dossiers with those five values (names already normalised), concluded
        on or after `conclus_depuis`, oldest first. Locked, so that two concurrent pairings
        of one dossier run one after the other."""
        query = (
            self._dossiers(opco)
            .where(
                DossierRow.nom == nom,
                DossierRow.prenom == prenom,
                DossierRow.date_naissance == date_naissance,
                DossierRow.siret_employeur == siret_employeur,
                DossierRow.date_debut_contrat == date_debut_contrat,
                DossierRow.date_conclusion >= conclus_depuis,
            )
            .order_by(DossierRow.id)
            .with_for_update()
        )
        return list(self.session.scalars(query))

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

    def dossiers_for_update(
        self, opco: str, siret_cfa: str, numeros_externes: set[str]
    ) -> dict[str, DossierRow]:
        """The CFA's dossiers by numeroExterne, locked and read afresh: two invoices on one
        dossier are judged one after the other, each seeing what the other booked."""
        query = (
            self._dossiers(opco)
            .where(
                DossierRow.siret_cfa == siret_cfa,
                DossierRow.numero_externe.in_(sorted(numeros_externes)),
            )
            .order_by(DossierRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {row.numero_externe: row for row in self.session.scalars(query)}

    def dossiers_due_on(self, day: date) -> list[DossierRow]:
        query = (
            select(DossierRow)
            .where(DossierRow.espace == self.espace, DossierRow.prochaine_etape == day)
            .order_by(DossierRow.id)
        )
        return list(self.session.scalars(query))

    # Factures

    def add_facture(self, row: FactureRow) -> None:
        self.session.add(row)
        self.session.flush()

    def _factures(self, opco: str) -> Any:
        return select(FactureRow).where(FactureRow.espace == self.espace, FactureRow.opco == opco)

    def live_facture(self, opco: str, cle_unicite: str) -> FactureRow | None:
        query = self._factures(opco).where(FactureRow.cle_unicite == cle_unicite)
        return self.session.scalars(query).one_or_none()

    def live_factures(self, opco: str, siret_cfa: str) -> list[FactureRow]:
        """The CFA's invoices at that OPCO that are not rejected."""
        query = self._factures(opco).where(
            FactureRow.siret_cfa == siret_cfa, FactureRow.etat != "REJETEE"
        )
        return list(self.session.scalars(query.order_by(FactureRow.id)))

    def latest_facture(self, opco: str, siret_cfa: str, numero_facture: str) -> FactureRow | None:
        """The CFA's last invoice under that number (earlier ones were rejected)."""
        query = self._factures(opco).where(
            FactureRow.siret_cfa == siret_cfa, FactureRow.numero_facture == numero_facture
        )
        return self.session.scalars(query.order_by(FactureRow.id.desc()).limit(1)).first()

    def factures_of_cfa(
        self, opco: str, siret_cfa: str, offset: int, limit: int
    ) -> tuple[int, list[FactureRow]]:
        where = (
            FactureRow.espace == self.espace,
            FactureRow.opco == opco,
            FactureRow.siret_cfa == siret_cfa,
        )
        total = self.session.scalar(select(func.count()).select_from(FactureRow).where(*where))
        page = select(FactureRow).where(*where).order_by(FactureRow.id).offset(offset).limit(limit)
        return total or 0, list(self.session.scalars(page))

    def facture_for_control(self, opco: str, numero_facture: str) -> FactureRow | None:
        """The OPCO's last invoice under that number, whichever CFA sent it."""
        query = self._factures(opco).where(FactureRow.numero_facture == numero_facture)
        return self.session.scalars(query.order_by(FactureRow.id.desc()).limit(1)).first()

    def echeance(self, echeance_id: int) -> EcheanceRow:
        return self.session.get_one(EcheanceRow, echeance_id)

    def next_payment_date(self, until: date) -> date | None:
        return self.session.scalar(
            select(func.min(FactureRow.date_paiement_prevue)).where(
                FactureRow.espace == self.espace, FactureRow.date_paiement_prevue <= until
            )
        )

    def factures_due_on(self, day: date) -> list[FactureRow]:
        query = (
            select(FactureRow)
            .where(FactureRow.espace == self.espace, FactureRow.date_paiement_prevue == day)
            .order_by(FactureRow.id)
        )
        return list(self.session.scalars(query))

    # Pannes

    def pannes(self, opco: str, lock: bool = False) -> list[PanneRow]:
        query = (
            select(PanneRow)
            .where(PanneRow.espace == self.espace, PanneRow.opco == opco)
            .order_by(PanneRow.id)
        )
        return list(self.session.scalars(query.with_for_update() if lock else query))

    def replace_pannes(self, opco: str, rules: list[PanneRow]) -> None:
        self.session.execute(
            delete(PanneRow).where(PanneRow.espace == self.espace, PanneRow.opco == opco)
        )
        self.session.add_all(rules)
        self.session.flush()

    # Journal

    def add_journal(self, row: JournalRow) -> None:
        self.session.add(row)

    def journal(self) -> list[JournalRow]:
        query = select(JournalRow).where(JournalRow.espace == self.espace).order_by(JournalRow.id)
        return list(self.session.scalars(query))
