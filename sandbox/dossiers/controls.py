"""Blocking controls on a transmitted contract and the key that detects duplicates."""

import hashlib
import unicodedata
from datetime import date
from functools import lru_cache

from stdnum.fr import nir, siret

from sandbox.core.dates import add_months, full_months
from sandbox.dossiers.cerfa import Cerfa
from sandbox.errors import (
    CONTRAT_ANTERIEUR_2020,
    DATES_INCOHERENTES,
    DUREE_CONTRAT_INVALIDE,
    NIR_INVALIDE,
    SIRET_CFA_DIFFERENT,
    SIRET_INVALIDE,
    Problem,
)

FIRST_CONTRACT_TYPES = frozenset({11, 21, 22, 23})
EARLIEST_CONCLUSION = date(2020, 1, 1)
MIN_MONTHS, MAX_MONTHS = 6, 54


# Names repeat (a bulk install of 100,000 dossiers has a few hundred distinct ones), and
# each transmission normalises three of them.
@lru_cache(maxsize=4096)
def normalize_name(name: str) -> str:
    """Trim, collapse inner spaces, drop accents, ignore case: " Éloïse " == "ELOISE"."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def duplicate_key(
    nom: str, prenom: str, date_naissance: date, siret_employeur: str, date_debut: date
) -> str:
    """The identity of a contract at an OPCO, hashed so the database can index it."""
    parts = (
        normalize_name(nom),
        normalize_name(prenom),
        date_naissance.isoformat(),
        siret_employeur,
        date_debut.isoformat(),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def contract_duplicate_key(cerfa: Cerfa) -> str:
    return duplicate_key(
        cerfa.apprenti.nom,
        cerfa.apprenti.prenom,
        cerfa.apprenti.dateNaissance,
        cerfa.employeur.siret,
        cerfa.contrat.dateDebutContrat,
    )


def blocking_problems(cerfa: Cerfa, caller_siret: str | None) -> list[Problem]:
    """Every blocking control the contract breaks (§5), in one list.

    `caller_siret` is None for a dossier the OPCO got another way than through a CFA's key
    (an employer's deposit, a scenario's dossier): such a dossier may predate the API.
    """
    problems = _identifier_problems(cerfa) + _date_problems(cerfa)
    if caller_siret is None:
        return problems
    if cerfa.contrat.dateConclusion < EARLIEST_CONCLUSION:
        problems.append(CONTRAT_ANTERIEUR_2020.problem())
    if cerfa.organismeFormation.siret != caller_siret:
        problems.append(SIRET_CFA_DIFFERENT.problem())
    return problems


def _identifier_problems(cerfa: Cerfa) -> list[Problem]:
    problems = []
    if not nir.is_valid(cerfa.apprenti.nir) or len(cerfa.apprenti.nir) != 15:
        problems.append(NIR_INVALIDE.problem())
    for champ, value in (
        ("cerfa.employeur.siret", cerfa.employeur.siret),
        ("cerfa.organismeFormation.siret", cerfa.organismeFormation.siret),
    ):
        if not _valid_siret(value):
            problems.append(SIRET_INVALIDE.problem(champ, siret=value))
    return problems


@lru_cache(maxsize=4096)
def _valid_siret(value: str) -> bool:
    # Remembered: a bulk install checks the same few CFAs and employers thousands of times.
    return bool(siret.is_valid(value))


def _date_problems(cerfa: Cerfa) -> list[Problem]:
    contrat, formation = cerfa.contrat, cerfa.formation
    problems = []

    def incoherent(champ: str, message: str) -> None:
        problems.append(DATES_INCOHERENTES.problem(champ, detail=message))

    if contrat.dateFinContrat <= contrat.dateDebutContrat:
        incoherent("cerfa.contrat.dateFinContrat", "La fin du contrat doit suivre son début.")
    elif not _length_allowed(contrat.dateDebutContrat, contrat.dateFinContrat):
        problems.append(DUREE_CONTRAT_INVALIDE.problem())
    if formation.dateFinFormation <= formation.dateDebutFormation:
        incoherent(
            "cerfa.formation.dateFinFormation", "La fin de la formation doit suivre son début."
        )
    if (
        contrat.typeContratApp in FIRST_CONTRACT_TYPES
        and contrat.dateConclusion > contrat.dateDebutContrat
    ):
        incoherent(
            "cerfa.contrat.dateConclusion",
            "Le contrat doit être conclu au plus tard le jour de son début.",
        )
    return problems


def _length_allowed(start: date, end: date) -> bool:
    """6 to 54 months, the end day counted: 54 months and one day is too long."""
    return full_months(start, end) >= MIN_MONTHS and end < add_months(start, MAX_MONTHS)
