"""The queries on dossiers, scoped to the espace and the OPCO."""

from datetime import date

from sqlalchemy import func, select

from sandbox.core.repository import Page, Repository
from sandbox.core.tables import DossierRow


class DossierRepository(Repository[DossierRow]):
    table = DossierRow

    def live_duplicate(self, opco: str, cle_doublon: str) -> DossierRow | None:
        query = self.select(opco).where(DossierRow.cle_doublon == cle_doublon)
        return self.session.scalars(query).first()

    def by_numero_interne(
        self, opco: str, siret_cfa: str, numero_interne: str
    ) -> DossierRow | None:
        return self.one_or_none(
            self.select(opco).where(
                DossierRow.siret_cfa == siret_cfa, DossierRow.numero_interne == numero_interne
            )
        )

    def by_numero_externe(self, opco: str, numero_externe: str) -> DossierRow | None:
        return self.one_or_none(
            self.select(opco).where(DossierRow.numero_externe == numero_externe)
        )

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
        query = self.select(opco).where(
            DossierRow.nom == nom,
            DossierRow.prenom == prenom,
            DossierRow.date_naissance == date_naissance,
            DossierRow.siret_employeur == siret_employeur,
            DossierRow.date_debut_contrat == date_debut_contrat,
            DossierRow.date_conclusion >= conclus_depuis,
        )
        return self.all(query.order_by(DossierRow.id).with_for_update())

    def page_of_cfa(self, opco: str, siret_cfa: str, numero: int, taille: int) -> Page[DossierRow]:
        """The CFA's dossiers known by a numeroInterne, oldest first, and their total."""
        query = self.select(opco).where(
            DossierRow.siret_cfa == siret_cfa, DossierRow.numero_interne.is_not(None)
        )
        return self.page(query.order_by(DossierRow.id), numero, taille)

    def for_update(
        self, opco: str, siret_cfa: str, numeros_externes: set[str]
    ) -> dict[str, DossierRow]:
        """The CFA's dossiers by numeroExterne, locked and read afresh: two invoices on one
        dossier are judged one after the other, each seeing what the other booked."""
        query = (
            self.select(opco)
            .where(
                DossierRow.siret_cfa == siret_cfa,
                DossierRow.numero_externe.in_(sorted(numeros_externes)),
            )
            .order_by(DossierRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {row.numero_externe: row for row in self.all(query)}

    def next_due_date(self, until: date) -> date | None:
        """The earliest pending transition date on or before `until`."""
        return self.session.scalar(
            select(func.min(DossierRow.prochaine_etape)).where(
                DossierRow.espace == self.espace, DossierRow.prochaine_etape <= until
            )
        )

    def due_on(self, day: date) -> list[DossierRow]:
        query = self.select().where(DossierRow.prochaine_etape == day)
        return self.all(query.order_by(DossierRow.id))
