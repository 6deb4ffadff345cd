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
    JETON_EXPIRE,
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
from sandbox.factures.service import FACTURE_CERTIFICAT_REALISATION, FACTURE_SANS_CERTIFICAT

REUSSI, ECHOUE, NON_EXERCE = "REUSSI", "ECHOUE", "NON_EXERCE"
# Situations the routes note on the journal entry (their path does not show them).
SANS_NUMERO_INTERNE = "SANS_NUMERO_INTERNE"
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
    """The path below the OPCO's base URL, without the query, as the router matched it:
    `/v1/dossiers` for `/v1/Dossiers/` and for its `/v2/dossiers` twin too."""
    path = entry.chemin.split("?", 1)[0].lower().rstrip("/")
    below = re.sub(r"^(?:/espaces/[^/]+)?/[^/]+(?=/v[12]/)", "", path)
    return re.sub(r"^/v2/", "/v1/", below)


def _call(methode: str, chemin: str, statut: int) -> Predicate:
    return lambda e: e.methode == methode and _path(e) == chemin and e.statut == statut


def _token(entry: JournalRow) -> bool:
    """A token obtained at an OPCO's token endpoint."""
    path = entry.chemin.split("?", 1)[0].lower().rstrip("/")
    return entry.methode == "POST" and path.endswith("/connect/token") and entry.statut == 200


def _situation(name: str) -> Predicate:
    return lambda e: name in (e.situations or [])


def _query(entry: JournalRow) -> dict[str, str]:
    query = entry.chemin.split("?", 1)[1] if "?" in entry.chemin else ""
    return dict(part.partition("=")[::2] for part in query.split("&") if part)


def _version(entry: JournalRow) -> str:
    found = re.search(r"/(v[12])/", entry.chemin.lower())
    return found.group(1) if found else ""


def _code(kind: ErrorKind) -> Predicate:
    return lambda e: kind.code in e.codes


def _any_code(*kinds: ErrorKind) -> Predicate:
    return lambda e: any(k.code in e.codes for k in kinds)


def _facture_rejetee(kind: ErrorKind) -> Predicate:
    return lambda e: _path(e) == "/v1/factures" and e.statut == 400 and kind.code in e.codes


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
        lambda e: _path(e).startswith("/v1/") and _path(e) != "/v1/status",
    ),
    (
        "SCHEMA",
        "Les corps envoyés respectent le schéma (JSON valide, champs obligatoires, formats)",
        _any_code(JSON_INVALIDE, CHAMP_OBLIGATOIRE, FORMAT_INVALIDE),
        # A body of the OPCO API's (the token endpoint's form is OAuth2's business).
        lambda e: e.methode == "POST" and _path(e).startswith("/v1/"),
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
    ("TRANSMISSION", "Un contrat transmis et accepté", _call("POST", "/v1/dossiers", 200)),
    ("CONTROLE_BLOQUANT", "Un contrat refusé par un contrôle bloquant", _any_code(
        NIR_INVALIDE, SIRET_INVALIDE, DATES_INCOHERENTES, DUREE_CONTRAT_INVALIDE,
        CONTRAT_ANTERIEUR_2020, SIRET_CFA_DIFFERENT)),
    (DOSSIER_DOUBLON.code, "Un doublon détecté", _code(DOSSIER_DOUBLON)),
    ("LECTURE_DOSSIER", "Un dossier lu par son numéro interne", _call("GET", "/v1/dossiers", 200)),
    ("LECTURE_NUMERO_EXTERNE", "Un dossier lu par son numéro externe", lambda e:
        _call("GET", "/v1/dossiers", 200)(e) and "numeroExterne" in _query(e)),
    ("SANS_NUMERO_INTERNE", "Un contrat transmis sans numeroInterne (numéro donné par l'OPCO)",
        _situation(SANS_NUMERO_INTERNE)),
    ("JETON_OBTENU", "Un jeton OAuth2 obtenu", _token),
    ("DOSSIER_INCONNU_LU", "Un dossier inconnu demandé", lambda e: e.methode == "GET"
        and _path(e) == "/v1/dossiers" and DOSSIER_INCONNU.code in e.codes),
    ("ETATS_DOSSIERS", "Les états des dossiers lus", _call("GET", "/v1/dossiers/etats", 200)),
    ("APPAIRAGE", "Un dossier appairé", _call("POST", "/v1/dossiers/appairage", 200)),
    ("APPAIRAGE_NON_TROUVE", "Un appairage sans dossier", _code(DOSSIER_NON_TROUVE)),
    ("FACTURE_ACCEPTEE", "Une facture acceptée", _call("POST", "/v1/factures", 200)),
    *(
        (f"FACTURE_{kind.code}", f"Une facture rejetée pour {kind.code}", _facture_rejetee(kind))
        for kind in INVOICE_RULES
    ),
    ("ETATS_FACTURES", "Les états des factures lus", _call("GET", "/v1/factures/etats", 200)),
    ("FACTURE_CERTIFICAT_REALISATION", "Une facture acceptée valant certificat de réalisation",
        lambda e: _call("POST", "/v1/factures", 200)(e)
        and _situation(FACTURE_CERTIFICAT_REALISATION)(e)),
    ("FACTURE_SANS_CERTIFICAT", "Une facture acceptée sans certificat de réalisation",
        lambda e: _call("POST", "/v1/factures", 200)(e)
        and _situation(FACTURE_SANS_CERTIFICAT)(e)),
    ("CONVENTION", "Une convention de formation transmise", _call("POST", "/v1/conventions", 200)),
    ("DOCUMENT", "Un document joint à une facture ou un dossier",
        _call("POST", "/v1/documents", 200)),
    ("CFADOCK", "L'OPCO d'un employeur cherché dans CFADock", lambda e: "/cfadock/api/opcos"
        in e.chemin and e.statut == 200),
    (OPCO_NON_ACCROCHE.code, "Un OPCO non accroché rencontré", _code(OPCO_NON_ACCROCHE)),
    ("CLE_EXPIREE", "Une clé expirée rencontrée", _code(CLE_API_EXPIREE)),
    ("PANNE", "Une panne simulée rencontrée", _code(PANNE_SIMULEE)),
)  # fmt: skip


def renewed_tokens(entries: Sequence[JournalRow]) -> int:
    """Tokens obtained after an answer `JETON_EXPIRE` at the same OPCO: renewals."""
    expired: set[str | None] = set()
    count = 0
    for entry in entries:
        if JETON_EXPIRE.code in entry.codes:
            expired.add(entry.opco)
        elif _token(entry) and entry.opco in expired:
            expired.discard(entry.opco)
            count += 1
    return count


def v2_pages_walked(entries: Sequence[JournalRow]) -> int:
    """Walks of the `/v2` states pages: page 1 then page 2, asked in that order and both
    answered 200. (The journal keeps no answer bodies: whether the walk reached the total
    is not known here, only that the client went on past the first page.)"""
    walks, after_first = 0, False
    for entry in entries:
        if _version(entry) != "v2" or _path(entry) != "/v1/dossiers/etats" or entry.statut != 200:
            continue
        page = _query(entry).get("numeroPage", "1") or "1"
        if page == "1":
            after_first = True
        elif page == "2" and after_first:
            walks, after_first = walks + 1, False
    return walks


# Coverage read from the order of the entries, not from one entry alone.
SEQUENCES: tuple[tuple[str, str, Callable[[Sequence[JournalRow]], int]], ...] = (
    ("JETON_RENOUVELE", "Un jeton expiré (JETON_EXPIRE) puis renouvelé", renewed_tokens),
    ("PAGES_V2", "Les pages /v2 des états des dossiers parcourues au-delà de la première",
     v2_pages_walked),
)  # fmt: skip


def build(entries: Sequence[JournalRow]) -> Rapport:
    """The report of an espace's journal, oldest entry first."""
    exigences = [_requirement(entries, *spec) for spec in EXIGENCES]
    couverture = [_coverage(entries, *spec) for spec in COUVERTURE]
    couverture += [_sequence(entries, *spec) for spec in SEQUENCES]
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


def _sequence(
    entries: Sequence[JournalRow],
    id_: str,
    libelle: str,
    counted: Callable[[Sequence[JournalRow]], int],
) -> Verification:
    seen = counted(entries)
    return Verification(id_, libelle, REUSSI if seen else NON_EXERCE, seen)


def _coverage(
    entries: Sequence[JournalRow], id_: str, libelle: str, exercised: Predicate
) -> Verification:
    seen = sum(1 for e in entries if exercised(e))
    return Verification(id_, libelle, REUSSI if seen else NON_EXERCE, seen)
