"""Every error of every status in the contract's one shape: {"errors": [{code, message, champ}]}."""

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from sandbox.errors import (
    CHAMP_OBLIGATOIRE,
    ERREUR_HTTP,
    ERREUR_INTERNE,
    FORMAT_INVALIDE,
    JSON_INVALIDE,
    METHODE_NON_AUTORISEE,
    ROUTE_INCONNUE,
    Problem,
    SandboxError,
    dotted_path,
)

# What was expected, for pydantic's error types: the detail of a `FORMAT_INVALIDE`.
_MESSAGES = {
    "string_type": "une chaîne de caractères est attendue.",
    "string_pattern_mismatch": "la valeur ne respecte pas le format attendu.",
    "string_too_short": "la valeur est trop courte.",
    "string_too_long": "la valeur est trop longue.",
    "int_type": "un nombre entier est attendu.",
    "int_parsing": "un nombre entier est attendu.",
    "bool_type": "un booléen (true ou false) est attendu.",
    "bool_parsing": "un booléen (true ou false) est attendu.",
    "decimal_type": "un nombre est attendu.",
    "decimal_parsing": "un nombre est attendu.",
    "decimal_max_places": "le montant a plus de deux décimales.",
    "decimal_max_digits": "le nombre a trop de chiffres.",
    "greater_than_equal": "la valeur est trop petite.",
    "greater_than": "la valeur est trop petite.",
    "less_than_equal": "la valeur est trop grande.",
    "literal_error": "la valeur n'est pas autorisée.",
    "model_type": "un objet JSON est attendu.",
    "model_attributes_type": "un objet JSON est attendu.",
    "dict_type": "un objet JSON est attendu.",
    "list_type": "une liste est attendue.",
    "too_short": "la liste est trop courte.",
    "too_long": "la liste est trop longue.",
    "extra_forbidden": "ce champ n'est pas prévu.",
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
    response = _answer(request, exc.status, exc.problems)
    response.headers.update(exc.headers)
    return response


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return _answer(request, JSON_INVALIDE.status, [JSON_INVALIDE.problem()])
    return _answer(request, FORMAT_INVALIDE.status, [schema_problem(e) for e in errors])


def schema_problem(error: Any) -> Problem:
    """One pydantic error as `CHAMP_OBLIGATOIRE` or `FORMAT_INVALIDE` with its dotted path."""
    kind = error.get("type", "")
    champ = dotted_path(error.get("loc", ()))
    if kind == "missing":
        return CHAMP_OBLIGATOIRE.problem(champ)
    message = _MESSAGES.get(kind)
    if message is None and kind == "value_error":
        message = str(error.get("msg", "")).removeprefix("Value error, ") + "."
    return FORMAT_INVALIDE.problem(champ, detail=message)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        problem = ROUTE_INCONNUE.problem(chemin=request.url.path)
    elif exc.status_code == 405:
        problem = METHODE_NON_AUTORISEE.problem(methode=request.method, chemin=request.url.path)
    else:
        problem = ERREUR_HTTP.problem(raison=str(exc.detail).rstrip("."))
    response = _answer(request, exc.status_code, [problem])
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    return _answer(request, ERREUR_INTERNE.status, [ERREUR_INTERNE.problem()])


def error_response(request: Request, status: int, problems: Sequence[Problem]) -> JSONResponse:
    """An error answer returned rather than raised: the transaction still commits (a
    rejected invoice is kept)."""
    return _answer(request, status, problems)
