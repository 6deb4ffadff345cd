"""Transmitting contracts and reading dossiers back, as a CFA sees them."""

from dataclasses import dataclass, field
from typing import Any

from sandbox.core.opcos import OPCOS
from sandbox.core.tables import DossierRow
from sandbox.dossiers.cerfa import Cerfa, stored_cerfa
from sandbox.dossiers.controls import blocking_problems, contract_duplicate_key, normalize_name
from sandbox.dossiers.lifecycle import schedule_first_step
from sandbox.errors import Problem, SandboxError
from sandbox.espaces.espace import Espace
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


MANDAT_ABSENT = Problem(
    "MANDAT_GESTION_ABSENT",
    "Le mandat de gestion de l'employeur n'est pas indiqué : le dossier est à régulariser.",
)


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
    espace.store.add_dossier(row)
    mandat = deposit.mandat_gestion is True
    return Transmitted(row, [] if mandat else [MANDAT_ABSENT])


def receive(espace: Espace, deposit: Deposit, caller_siret: str) -> Transmitted:
    """A CFA's transmission: stored, then whatever is already due happens (zero delays)."""
    transmitted = transmit(espace, deposit, caller_siret)
    play_until(espace, espace.today)
    return transmitted


def _refuse_duplicate(espace: Espace, opco: str, cle_doublon: str, siret_cfa: str) -> None:
    existing = espace.store.live_duplicate(opco, cle_doublon)
    if existing is None:
        return
    # Another CFA's dossier number is not the caller's business.
    named = f" ({existing.numero_externe})" if existing.siret_cfa == siret_cfa else ""
    raise SandboxError.of(
        409,
        "DOSSIER_DOUBLON",
        f"Un dossier{named} existe déjà pour cet apprenti, cet employeur et cette date de début.",
    )


def refuse_used_numero_interne(
    espace: Espace, opco: str, siret_cfa: str, numero_interne: str
) -> None:
    """409 when another of the CFA's dossiers at that OPCO answers to that number."""
    if espace.store.dossier_by_numero_interne(opco, siret_cfa, numero_interne) is not None:
        raise SandboxError.of(
            409,
            "NUMERO_INTERNE_DEJA_UTILISE",
            f"Le numéro interne {numero_interne} est déjà utilisé par un autre de vos dossiers.",
            "numeroInterne",
        )


def _new_dossier(espace: Espace, deposit: Deposit, cle_doublon: str) -> DossierRow:
    cerfa = deposit.cerfa
    row = DossierRow(
        espace=espace.store.espace,
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
    if deposit.numero_externe and espace.store.dossier_by_numero_externe(
        deposit.opco, deposit.numero_externe
    ):
        raise SandboxError.of(
            409,
            "NUMERO_EXTERNE_DEJA_UTILISE",
            f"Le numéro externe {deposit.numero_externe} est déjà attribué.",
            "numeroExterne",
        )
    schedule_first_step(espace, row)
    return row


def _next_numero_externe(espace: Espace, opco: str) -> str:
    """`AKTO-2026-000001`: per OPCO and espace, so the same calls give the same numbers."""
    while True:
        number = espace.store.next_number(opco, "numeroExterne")
        candidate = f"{OPCOS[opco].prefixe}-{espace.today.year}-{number:06d}"
        if espace.store.dossier_by_numero_externe(opco, candidate) is None:
            return candidate


def dossier_of_cfa(espace: Espace, opco: str, siret_cfa: str, numero_interne: str) -> DossierRow:
    """The caller's dossier; another CFA's is answered exactly as one that does not exist."""
    found = espace.store.dossier_by_numero_interne(opco, siret_cfa, numero_interne)
    if found is None:
        raise SandboxError.of(
            404,
            "DOSSIER_INCONNU",
            f"Aucun dossier de numéro interne {numero_interne} pour ce CFA.",
            "numeroInterne",
        )
    return found


def dossiers_page(
    espace: Espace, opco: str, siret_cfa: str, numero_page: int, taille_page: int
) -> tuple[int, list[DossierRow]]:
    offset = (numero_page - 1) * taille_page
    return espace.store.dossiers_of_cfa(opco, siret_cfa, offset, taille_page)
