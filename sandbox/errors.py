"""The catalogue of errors: every code the sandbox answers, declared once with its HTTP
status and its French sentence, and the one exception type that carries them.

A raise site names the code (`raise DOSSIER_INCONNU.error(...)`) and adds only what varies:
the values of the sentence's fields, a `detail` for the case at hand, the `champ`. The
OpenAPI examples and the README's error table come from this catalogue; a test checks that
every code declared here is raised somewhere, and that nothing else is.

Nothing here knows HTTP frameworks: the domain raises, one handler in `server/` renders.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

# `champ` not given: the kind's own (None given: no field).
_OWN: Final[Any] = object()


@dataclass(frozen=True)
class Problem:
    """One item of an error answer: a stable code, a French sentence, the offending field.

    The sentence is answered twice, as `description` (production's field) and `message`."""

    code: str
    message: str
    champ: str | None = None


class SandboxError(Exception):
    """A refusal answered to the caller: `status` and one or more problems."""

    def __init__(
        self,
        status: int,
        problems: Sequence[Problem],
        diagnostics: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.status = status
        self.problems = tuple(problems)
        # Sentences for the journal only: what the caller cannot be told in the answer.
        self.diagnostics = tuple(diagnostics)
        # Answer headers the contract pairs with the code (`WWW-Authenticate`, `Retry-After`).
        self.headers = dict(headers or {})

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


@dataclass(frozen=True, eq=False)  # each kind is one object: compared and hashed by identity
class ErrorKind:
    """One code of the contract: its status, its sentence (a `str.format` template whose
    fields are what varies), the field it usually names, and example values for the docs."""

    code: str
    status: int
    sentence: str
    champ: str | None = None
    example: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)

    def message(self, detail: str | None = None, **values: Any) -> str:
        """The sentence with its values; a `detail` precises the case after a colon."""
        text = self.sentence.format(**values)
        if detail:
            text = f"{text.rstrip('.')} : {detail}"
        return text

    def problem(
        self, champ: str | None = _OWN, detail: str | None = None, **values: Any
    ) -> Problem:
        return Problem(
            self.code, self.message(detail, **values), self.champ if champ is _OWN else champ
        )

    def error(
        self,
        champ: str | None = _OWN,
        detail: str | None = None,
        diagnostics: Sequence[str] = (),
        headers: Mapping[str, str] | None = None,
        **values: Any,
    ) -> SandboxError:
        problems = [self.problem(champ, detail, **values)]
        return SandboxError(self.status, problems, diagnostics, {**self.headers, **(headers or {})})

    def example_message(self) -> str:
        return self.message(**self.example)


CATALOGUE: dict[str, ErrorKind] = {}


def _declare(
    code: str,
    status: int,
    sentence: str,
    champ: str | None = None,
    headers: Mapping[str, str] | None = None,
    **example: str,
) -> ErrorKind:
    assert code not in CATALOGUE, code
    kind = ErrorKind(code, status, sentence, champ, example, headers or {})
    CATALOGUE[code] = kind
    return kind


# Access, in the contract's order: OPCO, token, key, software headers.
OPCO_INCONNU = _declare(
    "OPCO_INCONNU", 404, "L'OPCO « {opco} » est inconnu de la sandbox.", opco="opcox"
)
OPCO_NON_ACCROCHE = _declare(
    "OPCO_NON_ACCROCHE",
    503,
    "{nom} n'est pas encore accroché à l'API inter-OPCO.",
    nom="Constructys",
)
JETON_INVALIDE = _declare(
    "JETON_INVALIDE",
    401,
    "{nom} demande un jeton OAuth2 valide (Authorization: Bearer), obtenu à {opco}/connect/token.",
    headers={"WWW-Authenticate": 'Bearer realm="opco-sandbox"'},
    nom="AKTO",
    opco="/akto",
)
JETON_EXPIRE = _declare(
    "JETON_EXPIRE",
    401,
    "Le jeton OAuth2 a expiré : demandez-en un nouveau à {opco}/connect/token.",
    headers={"WWW-Authenticate": 'Bearer realm="opco-sandbox", error="invalid_token"'},
    opco="/akto",
)
CLE_API_INVALIDE = _declare(
    "CLE_API_INVALIDE", 401, "La clé API (X-API-KEY) n'est pas valide pour {nom}.", nom="AKTO"
)
CLE_API_EXPIREE = _declare(
    "CLE_API_EXPIREE", 401, "La clé API a expiré le {date}.", date="2026-12-31"
)
ENTETE_LOGICIEL_MANQUANTE = _declare(
    "ENTETE_LOGICIEL_MANQUANTE",
    400,
    "L'en-tête {entete} est obligatoire (éditeur, logiciel et version).",
    "EDITEUR",
    entete="EDITEUR",
)

# The shape of a request.
JSON_INVALIDE = _declare("JSON_INVALIDE", 400, "Le corps de la requête n'est pas du JSON.")
CHAMP_OBLIGATOIRE = _declare(
    "CHAMP_OBLIGATOIRE", 400, "Ce champ est obligatoire.", "cerfa.apprenti.nir"
)
# The detail says what was expected: it differs with every field.
FORMAT_INVALIDE = _declare(
    "FORMAT_INVALIDE", 400, "Le format de la valeur est invalide.", "cerfa.employeur.siret"
)
CORPS_TROP_GRAND = _declare(
    "CORPS_TROP_GRAND",
    413,
    "Le corps de la requête dépasse {limite} octets.",
    limite="2097152",
)
ROUTE_INCONNUE = _declare(
    "ROUTE_INCONNUE", 404, "Aucune route {chemin} dans la sandbox.", chemin="/akto/v1/inconnu"
)
METHODE_NON_AUTORISEE = _declare(
    "METHODE_NON_AUTORISEE",
    405,
    "La méthode {methode} n'est pas autorisée sur {chemin}.",
    methode="DELETE",
    chemin="/akto/v1/status",
)
ERREUR_HTTP = _declare("ERREUR_HTTP", 400, "Requête HTTP refusée : {raison}.", raison="Bad Request")
ERREUR_INTERNE = _declare(
    "ERREUR_INTERNE", 500, "Erreur interne de la sandbox : merci de la signaler."
)
# The database stayed busy past its bound (a long scenario load, a lock held elsewhere).
SANDBOX_OCCUPE = _declare(
    "SANDBOX_OCCUPE",
    503,
    "La sandbox est occupée : réessayez dans un instant.",
    headers={"Retry-After": "1"},
)

# Contracts: the blocking controls, then duplicates and numbers.
NIR_INVALIDE = _declare(
    "NIR_INVALIDE",
    400,
    "Le NIR de l'apprenti doit compter 15 caractères et sa clé être exacte.",
    "cerfa.apprenti.nir",
)
SIRET_INVALIDE = _declare(
    "SIRET_INVALIDE",
    400,
    "Le SIRET {siret} a une clé de contrôle fausse.",
    "cerfa.employeur.siret",
    siret="52345678800019",
)
DATES_INCOHERENTES = _declare(
    "DATES_INCOHERENTES",
    400,
    "Les dates sont incohérentes.",
    "cerfa.contrat.dateFinContrat",
)
DUREE_CONTRAT_INVALIDE = _declare(
    "DUREE_CONTRAT_INVALIDE",
    400,
    "La durée du contrat doit être comprise entre 6 et 54 mois.",
    "cerfa.contrat.dateFinContrat",
)
CONTRAT_ANTERIEUR_2020 = _declare(
    "CONTRAT_ANTERIEUR_2020",
    400,
    "Les contrats conclus avant le 1er janvier 2020 ne sont pas traités par l'API.",
    "cerfa.contrat.dateConclusion",
)
SIRET_CFA_DIFFERENT = _declare(
    "SIRET_CFA_DIFFERENT",
    400,
    "Le SIRET de l'organisme de formation n'est pas celui du CFA de la clé API.",
    "cerfa.organismeFormation.siret",
)
DOSSIER_DOUBLON = _declare(
    "DOSSIER_DOUBLON",
    400,
    "Un dossier{existant} existe déjà pour cet apprenti, cet employeur et cette date de début.",
    existant=" (AKTO-2026-000001)",
)
NUMERO_INTERNE_DEJA_UTILISE = _declare(
    "NUMERO_INTERNE_DEJA_UTILISE",
    400,
    "Le numéro interne {numero} est déjà utilisé par un autre de vos dossiers.",
    "numeroInterne",
    numero="DEMO-0001",
)
NUMERO_EXTERNE_DEJA_UTILISE = _declare(
    "NUMERO_EXTERNE_DEJA_UTILISE",
    400,
    "Le numéro externe {numero} est déjà attribué.",
    "numeroExterne",
    numero="AKTO-2026-000001",
)
MANDAT_GESTION_ABSENT = _declare(
    "MANDAT_GESTION_ABSENT",
    200,  # a warning beside an accepted contract, never an error answer
    "Le mandat de gestion de l'employeur n'est pas indiqué : le dossier est à régulariser.",
)

# Pairing.
DOSSIER_NON_TROUVE = _declare(
    "DOSSIER_NON_TROUVE",
    404,
    "Aucun de vos dossiers ne correspond à ces nom, prénom, date de naissance, "
    "SIRET employeur et date de début de contrat.",
)
APPAIRAGE_DEJA_REALISE = _declare(
    "APPAIRAGE_DEJA_REALISE",
    400,
    "Le dossier {numeroExterne} est déjà appairé au numéro interne {actuel} : il ne peut pas "
    "l'être à {demande}.",
    "numeroInterne",
    numeroExterne="AKTO-2026-000002",
    actuel="DEMO-0002",
    demande="DEMO-0003",
)

# Reading dossiers.
TROP_DE_DOSSIERS = _declare(
    "TROP_DE_DOSSIERS",
    400,
    "Une liste porte sur {maximum} dossiers au plus ({recus} numéros reçus).",
    "numerosInternes",
    maximum="100",
    recus="101",
)

# Invoices: the standard's FAQ sentences, word for word, in the contract's order.
FACTURE_DEJA_CONNUE = _declare(
    "FACTURE_DEJA_CONNUE", 400, "La facture est déjà connue de notre système", "facture.numero"
)
IBAN_DIFFERENT = _declare(
    "IBAN_DIFFERENT",
    400,
    "L'IBAN de l'émetteur est différent de celui connu dans l'échéance",
    "facture.ibanEmetteur",
)
FRAIS_ANNEXES_PLAFOND = _declare(
    "FRAIS_ANNEXES_PLAFOND",
    400,
    "Le montant des frais annexes excède le plafond ou le montant engagé",
    "facture.lignes[0].montant",
)
IBAN_ABSENT = _declare(
    "IBAN_ABSENT", 400, "L'IBAN de l'émetteur (CFA) n'est pas renseigné", "facture.ibanEmetteur"
)
MONTANT_ECHEANCE_INCORRECT = _declare(
    "MONTANT_ECHEANCE_INCORRECT",
    400,
    "Le montant de l'échéance ne correspond pas au montant attendu",
    "facture.lignes[0].montant",
)
SIRET_EMETTEUR_INCONNU = _declare(
    "SIRET_EMETTEUR_INCONNU",
    400,
    "Le SIRET de l'émetteur est inconnu de l'OPCO",
    "facture.siretEmetteur",
)
SIRET_DIFFERENT = _declare(
    "SIRET_DIFFERENT",
    400,
    "Le SIRET associé à la facture est différent du SIRET de l'échéance",
    "facture.siretEmetteur",
)
NUMERO_EXTERNE_ABSENT = _declare(
    "NUMERO_EXTERNE_ABSENT",
    400,
    "Le numéro externe du dossier doit être renseigné",
    "facture.lignes[0].numeroDossier",
)
ECHEANCE_NON_OUVERTE = _declare(
    "ECHEANCE_NON_OUVERTE",
    400,
    "L'échéance n'est pas ouverte à la facturation",
    "facture.lignes[0].numeroEcheance",
)
MONTANT_INCORRECT = _declare(
    "MONTANT_INCORRECT",
    400,
    "Le montant ne correspond pas au montant attendu",
    "facture.lignes[0].montant",
)
MONTANT_TOTAL_INCOHERENT = _declare(
    "MONTANT_TOTAL_INCOHERENT",
    400,
    "Le montant total de la facture doit correspondre à la somme des montants des lignes",
    "facture.montantTotal",
)
NUMERO_ECHEANCE_INCONNU = _declare(
    "NUMERO_ECHEANCE_INCONNU",
    400,
    "Le numéro d'échéance est inconnu",
    "facture.lignes[0].numeroEcheance",
)
# Also answered 404 by the lookups of one dossier, with a detail naming what was asked.
DOSSIER_INCONNU = _declare("DOSSIER_INCONNU", 404, "Le dossier est inconnu", "numeroInterne")
DOSSIER_NON_FACTURABLE = _declare(
    "DOSSIER_NON_FACTURABLE",
    400,
    "Le dossier n'est pas facturable",
    "facture.lignes[0].numeroDossier",
)
FACTURE_INCONNUE = _declare(
    "FACTURE_INCONNUE",
    404,
    "Aucune facture {numero} {ou}.",
    "numeroInterneFacture",
    numero="10000001",
    ou="de ce CFA",
)
# The files of invoices, conventions and documents (§9, §9b): a PDF of 10 MB at most.
FICHIER_ABSENT = _declare(
    "FICHIER_ABSENT", 400, "Le fichier PDF (partie « fichier ») est obligatoire.", "fichier"
)
FICHIER_INVALIDE = _declare(
    "FICHIER_INVALIDE",
    400,
    "Le fichier doit être un PDF (commençant par %PDF-) de {maximum} Mo au plus.",
    "fichier",
    maximum="10",
)
OBJET_INCONNU = _declare(
    "OBJET_INCONNU",
    404,
    "L'objet {typeObjet} {idObjet} est inconnu de ce CFA.",
    "infosFichier.objets[0].idObjet",
    typeObjet="FACTURE",
    idObjet="10000001",
)
DOCUMENT_INCONNU = _declare(
    "DOCUMENT_INCONNU",
    404,
    "Aucun document {numero} dans cet espace.",
    "numeroInterneDocument",
    numero="20000001",
)
# A rejection decided through the control API, its motif given by the harness.
REJET_OPCO = _declare("REJET_OPCO", 400, "{motif}", motif="Certificat de réalisation absent")

# CFADock.
TROP_DE_SIRET = _declare(
    "TROP_DE_SIRET",
    400,
    "Une recherche porte sur {maximum} SIRET au plus ({recus} reçus).",
    maximum="100",
    recus="101",
)
LIMITE_REQUETES = _declare(
    "LIMITE_REQUETES",
    429,
    "Plus de {limite} requêtes à CFADock en une minute : réessayez dans {secondes} s.",
    limite="30",
    secondes="12",
)

# Faults injected through the control API: the status is the rule's.
PANNE_SIMULEE = _declare(
    "PANNE_SIMULEE",
    503,
    "Panne simulée par la sandbox : l'OPCO répond {statut} à cette requête.",
    statut="503",
)

# Control API.
JETON_ADMIN_INVALIDE = _declare(
    "JETON_ADMIN_INVALIDE",
    401,
    "L'API de contrôle demande l'en-tête Authorization: Bearer <jeton d'administration>.",
)
ESPACE_INCONNU = _declare(
    "ESPACE_INCONNU", 404, "L'espace « {espace} » n'existe pas.", espace="ci-42"
)
SCENARIO_INVALIDE = _declare(
    "SCENARIO_INVALIDE",
    422,
    "{source} : {probleme}",
    "cfas",
    source="corps de la requête, ligne 3",
    probleme="la liste est trop courte (1 élément au moins).",
)
HORLOGE_RETOUR_ARRIERE = _declare(
    "HORLOGE_RETOUR_ARRIERE",
    409,
    "L'horloge est au {date} : elle ne recule jamais.",
    "date",
    date="2026-09-01",
)
TRANSITION_INVALIDE = _declare(
    "TRANSITION_INVALIDE",
    409,
    "{objet} ne peut pas passer de {depuis} à {vers}.",
    "etat",
    objet="Le dossier AKTO-2026-000001",
    depuis="ENGAGE",
    vers="TRANSMIS",
)


def status_of(problems: Sequence[Problem]) -> int:
    """The status of one answer listing several problems: their kind's (they share one)."""
    return CATALOGUE[problems[0].code].status


def dotted_path(loc: Sequence[Any]) -> str | None:
    """A pydantic location as the contract's `champ`: ("body", "lignes", 0, "montant") →
    "lignes[0].montant"."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if part == "[key]":  # pydantic's marker for a refused dict key: the key is the place
            continue
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or None
