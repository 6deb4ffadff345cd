"""The queries on invoices and on the échéances they book, scoped to the espace."""

from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select

from sandbox.core.repository import Page, Repository
from sandbox.core.tables import DossierRow, EcheanceRow, FactureRow
from sandbox.factures.schemas import EtatFacture


class FactureRepository(Repository[FactureRow]):
    table = FactureRow

    def live(self, opco: str, cle_unicite: str) -> FactureRow | None:
        return self.one_or_none(self.select(opco).where(FactureRow.cle_unicite == cle_unicite))

    def live_of_cfa(self, opco: str, siret_cfa: str) -> list[FactureRow]:
        """The CFA's invoices at that OPCO that are not rejected."""
        query = self.select(opco).where(
            FactureRow.siret_cfa == siret_cfa, FactureRow.etat != EtatFacture.REJETE
        )
        return self.all(query.order_by(FactureRow.id))

    def paid_imputations_of_cfa(self, opco: str, siret_cfa: str) -> list[list[dict[str, Any]]]:
        """The imputations of the CFA's paid invoices at that OPCO, oldest first: that one
        column, no ORM rows (every dossier's answer asks)."""
        parameters = {"espace": self.espace, "opco": opco, "siret_cfa": siret_cfa}
        return list(self.session.scalars(_PAID_IMPUTATIONS_OF_CFA, parameters))

    def latest(self, opco: str, siret_cfa: str, reference: str) -> FactureRow | None:
        """The CFA's last invoice under that referenceFactureCFA (earlier ones were
        rejected)."""
        query = self.select(opco).where(
            FactureRow.siret_cfa == siret_cfa, FactureRow.numero_facture == reference
        )
        return self.session.scalars(query.order_by(FactureRow.id.desc()).limit(1)).first()

    def of_cfa(self, opco: str, siret_cfa: str, numero_interne: str) -> FactureRow | None:
        """The CFA's invoice of that numeroInterneFacture."""
        return self.one_or_none(
            self.select(opco).where(
                FactureRow.siret_cfa == siret_cfa, FactureRow.numero_interne == numero_interne
            )
        )

    def page_of_cfa(self, opco: str, siret_cfa: str, numero: int, taille: int) -> Page[FactureRow]:
        return self.page_prepared(_OF_CFA, numero, taille, opco=opco, siret_cfa=siret_cfa)

    def all_of_cfa(self, opco: str, siret_cfa: str) -> list[FactureRow]:
        return list(self.run_prepared(_OF_CFA, opco=opco, siret_cfa=siret_cfa))

    def for_control(self, opco: str, numero_interne: str) -> FactureRow | None:
        """The OPCO's invoice of that numeroInterneFacture, whichever CFA sent it."""
        return self.one_or_none(
            self.select(opco).where(FactureRow.numero_interne == numero_interne)
        )

    def echeance(self, echeance_id: int) -> EcheanceRow:
        """An échéance an invoice booked, through its dossier of this espace."""
        query = (
            select(EcheanceRow)
            .join(DossierRow)
            .where(EcheanceRow.id == echeance_id, DossierRow.espace == self.espace)
        )
        return self.session.scalars(query).one()

    def due_on(self, day: date) -> list[FactureRow]:
        query = self.select().where(FactureRow.date_paiement_prevue == day)
        return self.all(query.order_by(FactureRow.id))


# Read by every dossier's answer (its frais already paid) and every page of invoices: built
# once.
_OF_CFA = (
    FactureRepository.prepared(of_opco=True)
    .where(FactureRow.siret_cfa == bindparam("siret_cfa"))
    .order_by(FactureRow.id)
)  # the CFA's invoices at that OPCO, rejected ones included, oldest first
_PAID_IMPUTATIONS_OF_CFA = _OF_CFA.where(FactureRow.etat == EtatFacture.REGLE).with_only_columns(
    FactureRow.imputations
)
# The earliest payment due of the espace's invoices on or before `until`: asked by every
# call that plays the clock (each transmission, each invoice), with the dossiers' next step
# (`dossiers.repository.NEXT_STEP_DATE`).
NEXT_PAYMENT_DATE = select(func.min(FactureRow.date_paiement_prevue)).where(
    FactureRow.espace == bindparam("espace"),
    FactureRow.date_paiement_prevue <= bindparam("until"),
)
