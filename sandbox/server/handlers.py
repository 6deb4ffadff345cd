"""Every error of every status in the contract's one shape: {"errors": [{code, message, champ}]}."""

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sandbox.errors import Problem, SandboxError, dotted_path

# French messages for pydantic's error types; the others fall back to a generic sentence.
_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "string_type": "Une chaîne de caractères est attendue.",
    "string_pattern_mismatch": "La valeur ne respecte pas le format attendu.",
    "string_too_short": "La valeur est trop courte.",
    "string_too_long": "La valeur est trop longue.",
    "int_type": "Un nombre entier est attendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "bool_type": "Un booléen (true ou false) est attendu.",
    "bool_parsing": "Un booléen (true ou false) est attendu.",
    "decimal_type": "Un nombre est attendu.",
    "decimal_parsing": "Un nombre est attendu.",
    "decimal_max_places": "Le montant a plus de deux décimales.",
    "decimal_max_digits": "Le nombre a trop de chiffres.",
    "greater_than_equal": "La valeur est trop petite.",
    "greater_than": "La valeur est trop petite.",
    "less_than_equal": "La valeur est trop grande.",
    "literal_error": "La valeur n'est pas autorisée.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "dict_type": "Un objet JSON est attendu.",
    "list_type": "Une liste est attendue.",
    "too_short": "La liste est trop courte.",
    "too_long": "La liste est trop longue.",
    "extra_forbidden": "Ce champ n'est pas prévu.",
}


def error_body(problems: Sequence[Problem]) -> dict[str, Any]:
    return {"errors": [{"code": p.code, "message": p.message, "champ": p.champ} for p in problems]}


def _answer(request: Request, status: int, problems: Sequence[Problem]) -> JSONResponse:
    # The journal middleware reads the codes back from here.
    request.state.codes = [p.code for p in problems]
    return JSONResponse(error_body(problems), status_code=status)


async def sandbox_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SandboxError)
    request.state.diagnostics = list(exc.diagnostics)
    return _answer(request, exc.status, exc.problems)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return _answer(
            request, 400, [Problem("JSON_INVALIDE", "Le corps de la requête n'est pas du JSON.")]
        )
    return _answer(request, 422, [schema_problem(e) for e in errors])


def schema_problem(error: Any) -> Problem:
    """One pydantic error as `CHAMP_OBLIGATOIRE` or `FORMAT_INVALIDE` with its dotted path."""
    kind = error.get("type", "")
    champ = dotted_path(error.get("loc", ()))
    if kind == "missing":
        return Problem("CHAMP_OBLIGATOIRE", _MESSAGES["missing"], champ)
    message = _MESSAGES.get(kind)
    if message is None and kind == "value_error":
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        message = text[:1].upper() + text[1:] + "."
    return Problem("FORMAT_INVALIDE", message or "Le format de la valeur est invalide.", champ)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        problem = Problem("ROUTE_INCONNUE", f"Aucune route {request.url.path} dans la sandbox.")
    elif exc.status_code == 405:
        problem = Problem(
            "METHODE_NON_AUTORISEE",
            f"La méthode {request.method} n'est pas autorisée sur {request.url.path}.",
        )
    else:
        problem = Problem("ERREUR_HTTP", str(exc.detail))
    response = _answer(request, exc.status_code, [problem])
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    return _answer(
        request,
        500,
        [Problem("ERREUR_INTERNE", "Erreur interne de la sandbox : merci de la signaler.")],
    )


def error_response(request: Request, status: int, problems: Sequence[Problem]) -> JSONResponse:
    """An error answer returned rather than raised: the transaction still commits (a
    rejected invoice is kept)."""
    return _answer(request, status, problems)
