"""A dossier as the OPCO answers it (contract §6): its row, and its `detailsFacturation`,
what may still be invoiced of its frais annexes and where, from the invoices already paid."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sandbox.core.tables import DossierRow
from sandbox.dossiers.frais import (
    MOBILITE,
    PLAFOND_PREMIER_EQUIPEMENT,
    PREMIER_EQUIPEMENT,
    frais_engages,
    natures_engagees,
    periodes,
)
from sandbox.espaces.espace import Espace
from sandbox.factures.repository import FactureRepository

# Paid frais annexes, by dossier id and nature.
Paid = dict[tuple[int, str], Decimal]


@dataclass(frozen=True)
class PeriodeFrais:
    """An échéance on which a nature of frais may be invoiced, and the IBAN it pays to."""

    numero_echeance: int
    nature: str
    iban: str


@dataclass(frozen=True)
class DetailsFacturation:
    plafond_premier_equipement: Decimal | None  # None: no first equipment engaged
    premier_equipement_regles: Decimal
    plafond_mobilite: Decimal | None  # None: no mobility engaged
    mobilite_regles: Decimal
    iban: str | None
    periodes: list[PeriodeFrais]


@dataclass(frozen=True)
class ReadDossier:
    """A dossier and its details, ready to be answered."""

    row: DossierRow
    details: DetailsFacturation


def read(espace: Espace, rows: Sequence[DossierRow]) -> list[ReadDossier]:
    """The dossiers with their details; the paid invoices are read once per CFA and OPCO."""
    paid: Paid = defaultdict(Decimal)
    for opco, siret_cfa in {(row.opco, row.siret_cfa) for row in rows}:
        for imputations in FactureRepository.of(espace).paid_imputations_of_cfa(opco, siret_cfa):
            for imputation in imputations:
                if "natureFrais" in imputation:
                    key = (imputation["dossier_id"], imputation["natureFrais"])
                    paid[key] += Decimal(imputation["montant"])
    return [ReadDossier(row, _details(espace, row, paid)) for row in rows]


def read_one(espace: Espace, row: DossierRow) -> ReadDossier:
    [found] = read(espace, [row])
    return found


def _details(espace: Espace, row: DossierRow, paid: Paid) -> DetailsFacturation:
    engaged = natures_engagees(row)
    cfa = espace.world.cfa(row.siret_cfa)
    # The IBAN the échéances pay to, else (before engagement) the CFA's known to the OPCO.
    iban = row.echeances[0].iban if row.echeances else cfa.iban if cfa else None
    equipement = frais_engages(row, PREMIER_EQUIPEMENT)
    return DetailsFacturation(
        plafond_premier_equipement=(
            min(equipement, PLAFOND_PREMIER_EQUIPEMENT) if PREMIER_EQUIPEMENT in engaged else None
        ),
        premier_equipement_regles=paid.get((row.id, PREMIER_EQUIPEMENT), Decimal(0)),
        plafond_mobilite=frais_engages(row, MOBILITE) if MOBILITE in engaged else None,
        mobilite_regles=paid.get((row.id, MOBILITE), Decimal(0)),
        iban=iban,
        periodes=[PeriodeFrais(e.numero, nature, e.iban) for e, nature in periodes(row)],
    )
