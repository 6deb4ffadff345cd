"""Transmitting contracts and reading dossiers back, as a CFA sees them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sandbox.core.opcos import OPCOS
from sandbox.core.repository import Page, new_row
from sandbox.core.tables import DossierRow
from sandbox.dossiers import details
from sandbox.dossiers.cerfa import Cerfa, stored_cerfa
from sandbox.dossiers.controls import blocking_problems, contract_duplicate_key, normalize_name
from sandbox.dossiers.details import ReadDossier
from sandbox.dossiers.lifecycle import schedule_first_step
from sandbox.dossiers.repository import DossierRepository, EtatRow, Numero
from sandbox.errors import (
    CHAMP_OBLIGATOIRE,
    DOSSIER_DOUBLON,
    DOSSIER_INCONNU,
    MANDAT_GESTION_ABSENT,
    NUMERO_EXTERNE_DEJA_UTILISE,
    NUMERO_INTERNE_DEJA_UTILISE,
    TROP_DE_DOSSIERS,
    Problem,
    SandboxError,
    status_of,
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

    @property
    def numero_interne(self) -> str:
        """The CFA's number, or the one the OPCO gave: a CFA's transmission has one."""
        assert self.dossier.numero_interne is not None
        return self.dossier.numero_interne


MANDAT_ABSENT = MANDAT_GESTION_ABSENT.problem()
# At most this many numbers in one `GET /v1/dossiers/liste`.
MAX_DOSSIERS_LISTE = 100
# The OPCO's numbers for contracts sent without one: 1000001, 1000002…
NUMERO_INTERNE_BASE = 1_000_000


def transmit(espace: Espace, deposit: Deposit, caller_siret: str | None) -> Transmitted:
    """Check, detect duplicates, store. `caller_siret` is None for an employer's deposit."""
    problems = blocking_problems(deposit.cerfa, caller_siret)
    if problems:
        raise SandboxError(status_of(problems), problems)
    cle_doublon = contract_duplicate_key(deposit.cerfa)
    siret_cfa = deposit.cerfa.organismeFormation.siret
    _refuse_duplicate(espace, deposit.opco, cle_doublon, siret_cfa)
    if deposit.numero_interne is None and deposit.canal == "API":
        # Sent without the CFA's own number: the OPCO numbers it, as production does.
        numero = _next_numero_interne(espace, deposit.opco, siret_cfa)
        deposit = replace(deposit, numero_interne=numero)
    elif deposit.numero_interne is not None:
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
    """400 when another of the CFA's dossiers at that OPCO answers to that number."""
    if DossierRepository.of(espace).numero_interne_taken(opco, siret_cfa, numero_interne):
        raise NUMERO_INTERNE_DEJA_UTILISE.error(numero=numero_interne)


def _new_dossier(espace: Espace, deposit: Deposit, cle_doublon: str) -> DossierRow:
    cerfa = deposit.cerfa
    row = new_row(
        DossierRow,
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
        cerfa=stored_cerfa(deposit.raw_cerfa),
        date_transmission=espace.today,
        date_mise_a_jour=espace.today,
        frais_annexes=[],
    )
    if deposit.numero_externe and DossierRepository.of(espace).numero_externe_taken(
        deposit.opco, deposit.numero_externe
    ):
        raise NUMERO_EXTERNE_DEJA_UTILISE.error(numero=deposit.numero_externe)
    schedule_first_step(espace, row)
    return row


def _next_numero_interne(espace: Espace, opco: str, siret_cfa: str) -> str:
    """Seven digits from 1000001, per OPCO and espace (production's are seven digits; none
    starts with a zero that a client reading it as a number would lose). A number the CFA
    already chose itself is skipped."""
    while True:
        number = EspaceRepository.of(espace).next_number(opco, "numeroInterne")
        candidate = str(NUMERO_INTERNE_BASE + number)
        if not DossierRepository.of(espace).numero_interne_taken(opco, siret_cfa, candidate):
            return candidate


def _next_numero_externe(espace: Espace, opco: str) -> str:
    """`AKTO-2026-000001`: per OPCO and espace, so the same calls give the same numbers."""
    while True:
        number = EspaceRepository.of(espace).next_number(opco, "numeroExterne")
        candidate = f"{OPCOS[opco].prefixe}-{espace.today.year}-{number:06d}"
        if not DossierRepository.of(espace).numero_externe_taken(opco, candidate):
            return candidate


def dossier_of_cfa(
    espace: Espace, opco: str, siret_cfa: str, numeros: Mapping[Numero, str | None]
) -> ReadDossier:
    """The caller's dossier by exactly one of its numbers (an empty one is absent); another
    CFA's is answered exactly as one that does not exist."""
    given = {numero: valeur for numero, valeur in numeros.items() if valeur}
    if len(given) != 1:
        names = ", ".join(numeros)
        raise CHAMP_OBLIGATOIRE.error(
            list(given)[1] if given else next(iter(numeros)),
            detail=f"un seul de {names} est attendu, et un au moins.",
        )
    [(numero, valeur)] = given.items()
    found = DossierRepository.of(espace).of_cfa_by(opco, siret_cfa, numero, valeur)
    if found is None:
        raise DOSSIER_INCONNU.error(
            numero, detail=f"aucun dossier de {numero} {valeur} pour ce CFA."
        )
    return details.read_one(espace, found)


def dossiers_listed(
    espace: Espace, opco: str, siret_cfa: str, numeros_internes: Sequence[str]
) -> list[ReadDossier]:
    """The caller's dossiers among `numeros_internes` (each may list several, separated by
    commas), in the order asked, the unknown ones left out."""
    asked = [n.strip() for listed in numeros_internes for n in listed.split(",") if n.strip()]
    if not asked:
        raise CHAMP_OBLIGATOIRE.error("numerosInternes")
    if len(asked) > MAX_DOSSIERS_LISTE:
        raise TROP_DE_DOSSIERS.error(maximum=MAX_DOSSIERS_LISTE, recus=len(asked))
    rows = DossierRepository.of(espace).of_cfa_among(opco, siret_cfa, asked)
    found = {row.numero_interne: row for row in rows}
    return details.read(espace, [found[n] for n in dict.fromkeys(asked) if n in found])


def states_of_cfa(espace: Espace, opco: str, siret_cfa: str) -> list[EtatRow]:
    """The state of every dossier of the caller, by numeroInterne."""
    return DossierRepository.of(espace).states_of_cfa(opco, siret_cfa)


def states_page(
    espace: Espace, opco: str, siret_cfa: str, numero_page: int, taille_page: int
) -> Page[EtatRow]:
    """A page of the caller's dossiers' states, by numeroInterne."""
    repository = DossierRepository.of(espace)
    return repository.state_page_of_cfa(opco, siret_cfa, numero_page, taille_page)
