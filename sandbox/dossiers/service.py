"""Transmitting contracts and reading dossiers back, as a CFA sees them."""

from dataclasses import dataclass, field
from typing import Any

from sandbox.core.opcos import OPCOS
from sandbox.core.repository import Page
from sandbox.core.tables import DossierRow
from sandbox.dossiers.cerfa import Cerfa, stored_cerfa
from sandbox.dossiers.controls import blocking_problems, contract_duplicate_key, normalize_name
from sandbox.dossiers.lifecycle import schedule_first_step
from sandbox.dossiers.repository import DossierRepository
from sandbox.errors import (
    DOSSIER_DOUBLON,
    DOSSIER_INCONNU,
    MANDAT_GESTION_ABSENT,
    NUMERO_EXTERNE_DEJA_UTILISE,
    NUMERO_INTERNE_DEJA_UTILISE,
    Problem,
    SandboxError,
)
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository
from sandbox.horloge.service import play_until


@dataclass(frozen=True)
class Deposit:
    """A contract arriving at an OPCO: from a CFA's software, or deposited by the employer."""

    opco: str
    cerfa: Cerfa
    raw_cerfa: dict[str, Any]
    numero_interne: str | None = None
    mandat_gestion: bool | None = None
    canal: str = "API"
    numero_externe: str | None = None  # scenarios may fix it; generated otherwise


@dataclass
class Transmitted:
    dossier: DossierRow
    avertissements: list[Problem] = field(default_factory=list)


MANDAT_ABSENT = MANDAT_GESTION_ABSENT.problem()


def transmit(espace: Espace, deposit: Deposit, caller_siret: str | None) -> Transmitted:
    """Check, detect duplicates, store. `caller_siret` is None for an employer's deposit."""
    problems = blocking_problems(deposit.cerfa, caller_siret)
    if problems:
        raise SandboxError(422, problems)
    cle_doublon = contract_duplicate_key(deposit.cerfa)
    siret_cfa = deposit.cerfa.organismeFormation.siret
    _refuse_duplicate(espace, deposit.opco, cle_doublon, siret_cfa)
    if deposit.numero_interne is not None:
        try:
            refuse_used_numero_interne(espace, deposit.opco, siret_cfa, deposit.numero_interne)
        except SandboxError:
            # The duplicate may have been committed by a concurrent request between our two
            # reads: look again, so that DOSSIER_DOUBLON wins as it does without a race.
            _refuse_duplicate(espace, deposit.opco, cle_doublon, siret_cfa)
            raise
    row = _new_dossier(espace, deposit, cle_doublon)
    DossierRepository.of(espace).add(row)
    mandat = deposit.mandat_gestion is True
    return Transmitted(row, [] if mandat else [MANDAT_ABSENT])


def receive(espace: Espace, deposit: Deposit, caller_siret: str) -> Transmitted:
    """A CFA's transmission: stored, then whatever is already due happens (zero delays)."""
    transmitted = transmit(espace, deposit, caller_siret)
    play_until(espace, espace.today)
    return transmitted


def _refuse_duplicate(espace: Espace, opco: str, cle_doublon: str, siret_cfa: str) -> None:
    existing = DossierRepository.of(espace).live_duplicate(opco, cle_doublon)
    if existing is None:
        return
    # Another CFA's dossier number is not the caller's business.
    named = f" ({existing.numero_externe})" if existing.siret_cfa == siret_cfa else ""
    raise DOSSIER_DOUBLON.error(existant=named)


def refuse_used_numero_interne(
    espace: Espace, opco: str, siret_cfa: str, numero_interne: str
) -> None:
    """409 when another of the CFA's dossiers at that OPCO answers to that number."""
    if DossierRepository.of(espace).by_numero_interne(opco, siret_cfa, numero_interne) is not None:
        raise NUMERO_INTERNE_DEJA_UTILISE.error(numero=numero_interne)


def _new_dossier(espace: Espace, deposit: Deposit, cle_doublon: str) -> DossierRow:
    cerfa = deposit.cerfa
    row = DossierRow(
        espace=espace.nom,
        opco=deposit.opco,
        numero_externe=deposit.numero_externe or _next_numero_externe(espace, deposit.opco),
        numero_interne=deposit.numero_interne,
        siret_cfa=cerfa.organismeFormation.siret,
        canal=deposit.canal,
        etat="TRANSMIS",
        cle_doublon=cle_doublon,
        nom=normalize_name(cerfa.apprenti.nom),
        prenom=normalize_name(cerfa.apprenti.prenom),
        date_naissance=cerfa.apprenti.dateNaissance,
        siret_employeur=cerfa.employeur.siret,
        date_debut_contrat=cerfa.contrat.dateDebutContrat,
        date_conclusion=cerfa.contrat.dateConclusion,
        mandat_gestion=deposit.mandat_gestion is True,
        a_regulariser=deposit.mandat_gestion is not True,
        cerfa=stored_cerfa(deposit.raw_cerfa, cerfa),
        date_transmission=espace.today,
        date_mise_a_jour=espace.today,
        frais_annexes=[],
    )
    if deposit.numero_externe and DossierRepository.of(espace).by_numero_externe(
        deposit.opco, deposit.numero_externe
    ):
        raise NUMERO_EXTERNE_DEJA_UTILISE.error(numero=deposit.numero_externe)
    schedule_first_step(espace, row)
    return row


def _next_numero_externe(espace: Espace, opco: str) -> str:
    """`AKTO-2026-000001`: per OPCO and espace, so the same calls give the same numbers."""
    while True:
        number = EspaceRepository.of(espace).next_number(opco, "numeroExterne")
        candidate = f"{OPCOS[opco].prefixe}-{espace.today.year}-{number:06d}"
        if DossierRepository.of(espace).by_numero_externe(opco, candidate) is None:
            return candidate


def dossier_of_cfa(espace: Espace, opco: str, siret_cfa: str, numero_interne: str) -> DossierRow:
    """The caller's dossier; another CFA's is answered exactly as one that does not exist."""
    found = DossierRepository.of(espace).by_numero_interne(opco, siret_cfa, numero_interne)
    if found is None:
        raise DOSSIER_INCONNU.error(
            detail=f"aucun dossier de numéro interne {numero_interne} pour ce CFA."
        )
    return found


def dossiers_page(
    espace: Espace, opco: str, siret_cfa: str, numero_page: int, taille_page: int
) -> Page[DossierRow]:
    return DossierRepository.of(espace).page_of_cfa(opco, siret_cfa, numero_page, taille_page)
