"""The error answers each operation declares in the OpenAPI document, one example per code.

Routes say which errors they can answer (`responses=answers(NIR_INVALIDE, …)`); this module
turns them into FastAPI's `responses` dict: one entry per status, the `ErrorBody` shape, and
an example of each code, its sentence taken from the catalogue (`sandbox/errors.py`).
"""

from collections import defaultdict
from typing import Any

from sandbox.errors import (
    CHAMP_OBLIGATOIRE,
    CLE_API_EXPIREE,
    CLE_API_INVALIDE,
    ENTETE_LOGICIEL_MANQUANTE,
    ESPACE_INCONNU,
    FORMAT_INVALIDE,
    JETON_ADMIN_INVALIDE,
    JETON_EXPIRE,
    JETON_INVALIDE,
    JSON_INVALIDE,
    OPCO_INCONNU,
    OPCO_NON_ACCROCHE,
    ErrorKind,
)
from sandbox.server.schemas import ErrorBody

# What every path of an OPCO answers before its own work, in the contract's order.
OPCO = (OPCO_INCONNU, OPCO_NON_ACCROCHE)
CFA = (
    *OPCO,
    JETON_INVALIDE,
    JETON_EXPIRE,
    CLE_API_INVALIDE,
    CLE_API_EXPIREE,
    ENTETE_LOGICIEL_MANQUANTE,
)
BODY = (JSON_INVALIDE, CHAMP_OBLIGATOIRE, FORMAT_INVALIDE)
CONTROL = (JETON_ADMIN_INVALIDE, ESPACE_INCONNU)

# A sentence per status, before the list of its codes.
_STATUS_TEXT = {
    400: "Requête refusée (en-têtes, schéma, JSON ou règle métier)",
    401: "Non authentifié",
    404: "Introuvable",
    409: "Conflit avec l'état de l'espace",
    422: "Scénario refusé",
    429: "Trop de requêtes",
    503: "OPCO indisponible",
}


def answers(*kinds: ErrorKind, **notes: str) -> dict[int | str, dict[str, Any]]:
    """FastAPI `responses` for these errors: per status, `ErrorBody` with one example per
    code. `notes` (by status, as `s400="…"`) add a sentence to a status's description."""
    by_status: dict[int, list[ErrorKind]] = defaultdict(list)
    for kind in dict.fromkeys(kinds):
        by_status[kind.status].append(kind)
    return {
        status: _response(status, found, notes.get(f"s{status}"))
        for status, found in sorted(by_status.items())
    }


def _response(status: int, kinds: list[ErrorKind], note: str | None) -> dict[str, Any]:
    description = f"{_STATUS_TEXT[status]} : " + ", ".join(f"`{k.code}`" for k in kinds) + "."
    if note:
        description += " " + note
    return {
        "model": ErrorBody,
        "description": description,
        "content": {
            "application/json": {
                "examples": {k.code: {"summary": k.code, "value": example(k)} for k in kinds}
            }
        },
    }


def example(kind: ErrorKind) -> dict[str, Any]:
    """One code's example body, in the contract's error shape."""
    sentence = kind.example_message()
    item = {"code": kind.code, "description": sentence, "message": sentence, "champ": kind.champ}
    return {"errors": [item]}
