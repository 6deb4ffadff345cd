"""Pairing (appairage): a CFA gives its own number to a dossier it did not transmit (§7).

The dossier is found by the five values of the apprentice and the contract, names compared
as for duplicates, among the dossiers of the calling CFA at that OPCO, in every state.
"""

from dataclasses import dataclass
from datetime import date

from sandbox.core.tables import DossierRow
from sandbox.dossiers.controls import EARLIEST_CONCLUSION, normalize_name
from sandbox.dossiers.repository import DossierRepository
from sandbox.dossiers.service import refuse_used_numero_interne
from sandbox.dossiers.states import NOT_LIVE
from sandbox.errors import APPAIRAGE_DEJA_REALISE, DOSSIER_NON_TROUVE, SandboxError
from sandbox.espaces.espace import Espace


@dataclass(frozen=True)
class Appairage:
    """What the CFA knows of the contract, and the number it wants the dossier to answer to."""

    numero_interne: str
    nom: str
    prenom: str
    date_naissance: date
    siret_employeur: str
    date_debut_contrat: date


def pair(espace: Espace, opco: str, siret_cfa: str, demande: Appairage) -> DossierRow:
    """The caller's dossier matching `demande`, now known by its `numero_interne`.

    Asking again with the same number answers the same dossier (idempotent)."""
    matches = _matches(espace, opco, demande)
    mine = [row for row in matches if row.siret_cfa == siret_cfa]
    if not mine:
        raise _not_found(siret_cfa, matches)
    if already := next((r for r in mine if r.numero_interne == demande.numero_interne), None):
        return already
    row = _unpaired(mine, demande.numero_interne)
    refuse_used_numero_interne(espace, opco, siret_cfa, demande.numero_interne)
    # Two dossiers paired to one number at once: the unique constraint fails the second
    # transaction, which is played again and then sees the first.
    DossierRepository.of(espace).pair(row, demande.numero_interne)
    return row


def _matches(espace: Espace, opco: str, demande: Appairage) -> list[DossierRow]:
    return DossierRepository.of(espace).pairing_candidates(
        opco,
        nom=normalize_name(demande.nom),
        prenom=normalize_name(demande.prenom),
        date_naissance=demande.date_naissance,
        siret_employeur=demande.siret_employeur,
        date_debut_contrat=demande.date_debut_contrat,
        conclus_depuis=EARLIEST_CONCLUSION,
    )


def _unpaired(mine: list[DossierRow], numero_interne: str) -> DossierRow:
    """The dossier to pair: a live one before a refused or cancelled one, then the latest."""
    unpaired = [row for row in mine if row.numero_interne is None]
    if not unpaired:
        paired = mine[-1]
        raise APPAIRAGE_DEJA_REALISE.error(
            numeroExterne=paired.numero_externe,
            actuel=paired.numero_interne,
            demande=numero_interne,
        )
    return max(unpaired, key=lambda row: (row.etat not in NOT_LIVE, row.id))


def _not_found(siret_cfa: str, matches: list[DossierRow]) -> SandboxError:
    # The answer never tells a CFA about another CFA's dossier; the journal does, for the
    # vendor who sent the wrong organismeFormation.siret.
    diagnostics = [
        f"Un dossier correspond à ces valeurs chez cet OPCO, mais sous le SIRET CFA {siret} "
        f"(organismeFormation.siret) et non sous celui de la clé API ({siret_cfa})."
        for siret in sorted({row.siret_cfa for row in matches})
    ]
    return DOSSIER_NON_TROUVE.error(diagnostics=diagnostics)
