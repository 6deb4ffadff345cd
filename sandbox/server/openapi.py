"""The error answers each operation declares in the OpenAPI document, one example per code.

Routes say which codes they can answer (`responses=errors(...)`); this module turns them
into FastAPI's `responses` dict: one entry per status, the `ErrorBody` shape, and an
example of each code in the contract's error shape.
"""

from collections import defaultdict
from typing import Any, NamedTuple

from sandbox.factures.service import MESSAGES as INVOICE_MESSAGES
from sandbox.server.schemas import ErrorBody


class Exemple(NamedTuple):
    status: int
    message: str
    champ: str | None = None


# Every error code the API answers, with its status and a typical message.
EXEMPLES: dict[str, Exemple] = {
    # Access, in the contract's order: OPCO, key, software headers.
    "OPCO_INCONNU": Exemple(404, "L'OPCO « opcox » est inconnu de la sandbox."),
    "OPCO_NON_ACCROCHE": Exemple(503, "Constructys n'est pas encore accroché à l'API inter-OPCO."),
    "CLE_API_INVALIDE": Exemple(401, "La clé API (X-API-KEY) n'est pas valide pour AKTO."),
    "CLE_API_EXPIREE": Exemple(401, "La clé API a expiré le 2026-12-31."),
    "ENTETE_LOGICIEL_MANQUANTE": Exemple(
        400, "L'en-tête EDITEUR est obligatoire (éditeur, logiciel et version).", "EDITEUR"
    ),
    # Body shape.
    "JSON_INVALIDE": Exemple(400, "Le corps de la requête n'est pas du JSON."),
    "CHAMP_OBLIGATOIRE": Exemple(422, "Ce champ est obligatoire.", "cerfa.apprenti.nir"),
    "FORMAT_INVALIDE": Exemple(
        422, "La valeur ne respecte pas le format attendu.", "cerfa.employeur.siret"
    ),
    # Contracts.
    "NIR_INVALIDE": Exemple(
        422,
        "Le NIR de l'apprenti doit compter 15 caractères et sa clé être exacte.",
        "cerfa.apprenti.nir",
    ),
    "SIRET_INVALIDE": Exemple(
        422, "Le SIRET 52345678800019 a une clé de contrôle fausse.", "cerfa.employeur.siret"
    ),
    "DATES_INCOHERENTES": Exemple(
        422,
        "La fin du contrat doit suivre son début.",
        "cerfa.contrat.dateFinContrat",
    ),
    "DUREE_CONTRAT_INVALIDE": Exemple(
        422,
        "La durée du contrat doit être comprise entre 6 et 54 mois.",
        "cerfa.contrat.dateFinContrat",
    ),
    "CONTRAT_ANTERIEUR_2020": Exemple(
        422,
        "Les contrats conclus avant le 1er janvier 2020 ne sont pas traités par l'API.",
        "cerfa.contrat.dateConclusion",
    ),
    "SIRET_CFA_DIFFERENT": Exemple(
        422,
        "Le SIRET de l'organisme de formation n'est pas celui du CFA de la clé API.",
        "cerfa.organismeFormation.siret",
    ),
    "DOSSIER_DOUBLON": Exemple(
        409, "Un dossier existe déjà pour cet apprenti, cet employeur et cette date de début."
    ),
    "NUMERO_INTERNE_DEJA_UTILISE": Exemple(
        409,
        "Le numéro interne DEMO-0001 est déjà utilisé par un autre de vos dossiers.",
        "numeroInterne",
    ),
    "DOSSIER_INCONNU": Exemple(
        404, "Aucun dossier de numéro interne DEMO-0042 pour ce CFA.", "numeroInterne"
    ),
    # Pairing.
    "DOSSIER_NON_TROUVE": Exemple(
        404,
        "Aucun de vos dossiers ne correspond à ces nom, prénom, date de naissance, "
        "SIRET employeur et date de début de contrat.",
    ),
    "APPAIRAGE_DEJA_REALISE": Exemple(
        409,
        "Le dossier AKTO-2026-000002 est déjà appairé au numéro interne DEMO-0002 : il ne "
        "peut pas l'être à DEMO-0003.",
        "numeroInterne",
    ),
    # Invoices.
    "FACTURE_INCONNUE": Exemple(404, "Aucune facture F-2026-001 de ce CFA.", "numeroFacture"),
    "FACTURE_DEJA_CONNUE": Exemple(422, INVOICE_MESSAGES["FACTURE_DEJA_CONNUE"], "numeroFacture"),
    "IBAN_DIFFERENT": Exemple(422, INVOICE_MESSAGES["IBAN_DIFFERENT"], "emetteur.iban"),
    "MONTANT_TOTAL_INCOHERENT": Exemple(
        422, INVOICE_MESSAGES["MONTANT_TOTAL_INCOHERENT"], "montantTotal"
    ),
    "ECHEANCE_NON_OUVERTE": Exemple(
        422, INVOICE_MESSAGES["ECHEANCE_NON_OUVERTE"], "lignes[0].numeroEcheance"
    ),
    # CFADock.
    "TROP_DE_SIRET": Exemple(400, "Une recherche porte sur 100 SIRET au plus (101 reçus)."),
    # Control API.
    "JETON_ADMIN_INVALIDE": Exemple(
        401,
        "L'API de contrôle demande l'en-tête Authorization: Bearer <jeton d'administration>.",
    ),
    "ESPACE_INCONNU": Exemple(404, "L'espace « ci-42 » n'existe pas."),
    "SCENARIO_INVALIDE": Exemple(422, "corps de la requête : Field required", "cfas"),
    "HORLOGE_RETOUR_ARRIERE": Exemple(
        409, "L'horloge est au 2026-09-01 : elle ne recule jamais.", "date"
    ),
    "TRANSITION_INVALIDE": Exemple(
        409, "Le dossier AKTO-2026-000001 ne peut pas passer de ENGAGE à TRANSMIS.", "etat"
    ),
}

# What every path of an OPCO answers before its own work, in the contract's order.
OPCO = ("OPCO_INCONNU", "OPCO_NON_ACCROCHE")
CFA = (*OPCO, "CLE_API_INVALIDE", "CLE_API_EXPIREE", "ENTETE_LOGICIEL_MANQUANTE")
BODY = ("JSON_INVALIDE", "CHAMP_OBLIGATOIRE", "FORMAT_INVALIDE")
CONTROL = ("JETON_ADMIN_INVALIDE", "ESPACE_INCONNU")

# A sentence per status, before the list of its codes.
_STATUS_TEXT = {
    400: "Requête mal formée",
    401: "Non authentifié",
    404: "Introuvable",
    409: "Conflit avec l'état de l'espace",
    422: "Données refusées (schéma ou règle métier)",
    503: "OPCO indisponible",
}


def errors(*codes: str, **notes: str) -> dict[int | str, dict[str, Any]]:
    """FastAPI `responses` for these error codes: per status, `ErrorBody` with one example per
    code. `notes` (by status, as `s422="…"`) add a sentence to a status's description."""
    by_status: dict[int, list[str]] = defaultdict(list)
    for code in dict.fromkeys(codes):
        by_status[EXEMPLES[code].status].append(code)
    return {
        status: _response(status, found, notes.get(f"s{status}"))
        for status, found in sorted(by_status.items())
    }


def _response(status: int, codes: list[str], note: str | None) -> dict[str, Any]:
    description = f"{_STATUS_TEXT[status]} : " + ", ".join(f"`{code}`" for code in codes) + "."
    if note:
        description += " " + note
    return {
        "model": ErrorBody,
        "description": description,
        "content": {
            "application/json": {
                "examples": {code: {"summary": code, "value": example(code)} for code in codes}
            }
        },
    }


def example(code: str) -> dict[str, Any]:
    """One code's example body, in the contract's error shape."""
    found = EXEMPLES[code]
    return {"errors": [{"code": code, "message": found.message, "champ": found.champ}]}
