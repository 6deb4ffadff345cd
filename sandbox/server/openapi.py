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


# FastAPI drops every null of the document it generates, those of examples too: an
# example's nulls travel as this text, which `restore_nulls` turns back into nulls.
NULL = "\x00null\x00"


def success(example: Any, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """FastAPI `responses` whose success answer shows `example`, a real answer of the `demo`
    scenario: ReDoc and Swagger UI would otherwise make one up from the schema (`"string"`,
    text generated from a pattern)."""
    return {status: {"content": {"application/json": {"example": _keep_nulls(example)}}}}


def demo_examples(summary: str, value: Any) -> dict[str, Any]:
    """`openapi_examples` of a JSON body or an optional query parameter: the value Swagger
    UI's Try it out starts from (it fills an optional parameter from these alone, not from
    its schema's `examples`), which an espace holding `demo` accepts as is."""
    return {"demo": {"summary": summary, "value": _keep_nulls(value)}}


def _keep_nulls(value: Any) -> Any:
    if value is None:
        return NULL
    if isinstance(value, dict):
        return {key: _keep_nulls(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_keep_nulls(item) for item in value]
    return value


def restore_nulls(document: Any) -> None:
    """Every `NULL` of the generated document, back to null (in place)."""
    items = document.items() if isinstance(document, dict) else enumerate(document)
    for key, value in items:
        if value == NULL:
            document[key] = None
        elif isinstance(value, dict | list):
            restore_nulls(value)


def example(kind: ErrorKind) -> dict[str, Any]:
    """One code's example body, in the contract's error shape."""
    sentence = kind.example_message()
    item = {"code": kind.code, "description": sentence, "message": sentence, "champ": kind.champ}
    return {"errors": [_keep_nulls(item)]}
