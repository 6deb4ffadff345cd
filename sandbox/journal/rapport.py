"""The conformance report: what the journal of an espace says of a vendor's integration.

Two lists. The requirements (`exigences`) are what every request must get right: software
headers, a valid key, a body matching the schema, no server error; each is passed, failed
(with the number of offending requests) or not exercised. The coverage (`couverture`) lists
the situations of the standard a vendor's tests should go through, each exercised or not.
"""

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sandbox.core.tables import JournalRow
from sandbox.errors import (
    CHAMP_OBLIGATOIRE,
    CLE_API_EXPIREE,
    CLE_API_INVALIDE,
    CONTRAT_ANTERIEUR_2020,
    DATES_INCOHERENTES,
    DOSSIER_DOUBLON,
    DOSSIER_INCONNU,
    DOSSIER_NON_TROUVE,
    DUREE_CONTRAT_INVALIDE,
    ENTETE_LOGICIEL_MANQUANTE,
    FORMAT_INVALIDE,
    JSON_INVALIDE,
    METHODE_NON_AUTORISEE,
    NIR_INVALIDE,
    OPCO_INCONNU,
    OPCO_NON_ACCROCHE,
    PANNE_SIMULEE,
    ROUTE_INCONNUE,
    SIRET_CFA_DIFFERENT,
    SIRET_INVALIDE,
    ErrorKind,
)
from sandbox.factures.rules import RULES

REUSSI, ECHOUE, NON_EXERCE = "REUSSI", "ECHOUE", "NON_EXERCE"
INVOICE_RULES = tuple(RULES)


@dataclass(frozen=True)
class Verification:
    id: str
    libelle: str
    resultat: str
    requetes: int  # offending requests (requirements) or requests that exercised it


@dataclass(frozen=True)
class Rapport:
    requetes: int
    par_statut: dict[str, int]
    par_opco: dict[str, int]
    exigences: list[Verification]
    couverture: list[Verification]
    synthese: dict[str, int] = field(default_factory=dict)


Predicate = Callable[[JournalRow], bool]


def _path(entry: JournalRow) -> str:
    """The path below the OPCO's base URL, without the query: `/v1/dossiers`."""
    path = entry.chemin.split("?", 1)[0]
    return re.sub(r"^(?:/espaces/[^/]+)?/[^/]+(?=/v1/)", "", path)


def _call(methode: str, chemin: str, statut: int) -> Predicate:
    return lambda e: e.methode == methode and _path(e) == chemin and e.statut == statut


def _code(kind: ErrorKind) -> Predicate:
    return lambda e: kind.code in e.codes


def _any_code(*kinds: ErrorKind) -> Predicate:
    return lambda e: any(k.code in e.codes for k in kinds)


def _facture_rejetee(kind: ErrorKind) -> Predicate:
    return lambda e: _path(e) == "/v1/factures" and e.statut == 422 and kind.code in e.codes


def _server_error(entry: JournalRow) -> bool:
    """A 5xx the sandbox did not mean: simulated faults and unhooked OPCOs are intended."""
    intended = {PANNE_SIMULEE.code, OPCO_NON_ACCROCHE.code}
    return entry.statut >= 500 and not intended.intersection(entry.codes)


# (id, label, offending request, request that shows the requirement was exercised)
EXIGENCES: tuple[tuple[str, str, Predicate, Predicate], ...] = (
    (
        "ENTETES_LOGICIEL",
        "Les en-têtes EDITEUR, LOGICIEL et VERSION accompagnent chaque requête",
        _code(ENTETE_LOGICIEL_MANQUANTE),
        lambda e: e.cfa is not None,
    ),
    (
        "CLE_API",
        "La clé API est valide pour l'OPCO appelé",
        _any_code(CLE_API_INVALIDE, CLE_API_EXPIREE),
        lambda e: "/v1/" in e.chemin and not e.chemin.endswith("/v1/status"),
    ),
    (
        "SCHEMA",
        "Les corps envoyés respectent le schéma (JSON valide, champs obligatoires, formats)",
        _any_code(JSON_INVALIDE, CHAMP_OBLIGATOIRE, FORMAT_INVALIDE),
        lambda e: e.methode == "POST",
    ),
    (
        "ROUTES",
        "Les chemins et méthodes appelés existent",
        _any_code(ROUTE_INCONNUE, METHODE_NON_AUTORISEE, OPCO_INCONNU),
        lambda e: True,
    ),
    (
        "ERREURS_SERVEUR",
        "Aucune erreur serveur hors pannes simulées",
        _server_error,
        lambda e: True,
    ),
)

COUVERTURE: tuple[tuple[str, str, Predicate], ...] = (
    ("TRANSMISSION", "Un contrat transmis et accepté", _call("POST", "/v1/dossiers", 201)),
    ("CONTROLE_BLOQUANT", "Un contrat refusé par un contrôle bloquant", _any_code(
        NIR_INVALIDE, SIRET_INVALIDE, DATES_INCOHERENTES, DUREE_CONTRAT_INVALIDE,
        CONTRAT_ANTERIEUR_2020, SIRET_CFA_DIFFERENT)),
    (DOSSIER_DOUBLON.code, "Un doublon détecté", _code(DOSSIER_DOUBLON)),
    ("LECTURE_DOSSIER", "Un dossier lu par son numéro interne", _call("GET", "/v1/dossiers", 200)),
    ("DOSSIER_INCONNU_LU", "Un dossier inconnu demandé", lambda e: e.methode == "GET"
        and _path(e) == "/v1/dossiers" and DOSSIER_INCONNU.code in e.codes),
    ("ETATS_DOSSIERS", "Les états des dossiers lus", _call("GET", "/v1/dossiers/etats", 200)),
    ("APPAIRAGE", "Un dossier appairé", _call("POST", "/v1/dossiers/appairage", 200)),
    ("APPAIRAGE_NON_TROUVE", "Un appairage sans dossier", _code(DOSSIER_NON_TROUVE)),
    ("FACTURE_ACCEPTEE", "Une facture acceptée", _call("POST", "/v1/factures", 201)),
    *(
        (f"FACTURE_{kind.code}", f"Une facture rejetée pour {kind.code}", _facture_rejetee(kind))
        for kind in INVOICE_RULES
    ),
    ("ETATS_FACTURES", "Les états des factures lus", _call("GET", "/v1/factures/etats", 200)),
    ("CFADOCK", "L'OPCO d'un employeur cherché dans CFADock", lambda e: "/cfadock/api/opcos"
        in e.chemin and e.statut == 200),
    (OPCO_NON_ACCROCHE.code, "Un OPCO non accroché rencontré", _code(OPCO_NON_ACCROCHE)),
    ("CLE_EXPIREE", "Une clé expirée rencontrée", _code(CLE_API_EXPIREE)),
    ("PANNE", "Une panne simulée rencontrée", _code(PANNE_SIMULEE)),
)  # fmt: skip


def build(entries: Sequence[JournalRow]) -> Rapport:
    """The report of an espace's journal, oldest entry first."""
    exigences = [_requirement(entries, *spec) for spec in EXIGENCES]
    couverture = [_coverage(entries, *spec) for spec in COUVERTURE]
    synthese = Counter(v.resultat for v in exigences + couverture)
    return Rapport(
        requetes=len(entries),
        par_statut=dict(sorted(Counter(str(e.statut) for e in entries).items())),
        par_opco=dict(sorted(Counter(e.opco or "cfadock" for e in entries).items())),
        exigences=exigences,
        couverture=couverture,
        synthese={k: synthese.get(k, 0) for k in (REUSSI, ECHOUE, NON_EXERCE)},
    )


def _requirement(
    entries: Sequence[JournalRow], id_: str, libelle: str, broken: Predicate, exercised: Predicate
) -> Verification:
    offending = sum(1 for e in entries if broken(e))
    if offending:
        return Verification(id_, libelle, ECHOUE, offending)
    seen = sum(1 for e in entries if exercised(e))
    return Verification(id_, libelle, REUSSI if seen else NON_EXERCE, seen)


def _coverage(
    entries: Sequence[JournalRow], id_: str, libelle: str, exercised: Predicate
) -> Verification:
    seen = sum(1 for e in entries if exercised(e))
    return Verification(id_, libelle, REUSSI if seen else NON_EXERCE, seen)
