"""Every error of every status in the contract's one shape:
{"errors": [{code, description, message, champ}]}, and the production quirks an OPCO's
profile opts into."""

import email.message
from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from sandbox.core.database import is_busy, is_lost
from sandbox.core.validation import french_detail
from sandbox.errors import (
    CHAMP_OBLIGATOIRE,
    CORPS_TROP_GRAND,
    DOSSIER_INCONNU,
    ERREUR_HTTP,
    ERREUR_INTERNE,
    FORMAT_INVALIDE,
    JSON_INVALIDE,
    METHODE_NON_AUTORISEE,
    SANDBOX_OCCUPE,
    Problem,
    SandboxError,
    dotted_path,
)
from sandbox.server.paths import unknown_route

# The expected content type of a JSON body, named when a body comes without it.
JSON_CONTENT_TYPE = "application/json"

# Production quirks (contract §3), opt-in with an OPCO profile `profil: production`: the
# top-level key an OPCO adds to its 400 answers (the first item's sentence)…
_TOP_LEVEL_SENTENCE = {"atlas": "description", "opcoep": "comment"}
# …and the OPCOs that answer an unknown dossier 400 rather than 404.
_UNKNOWN_DOSSIER_IS_400 = frozenset({"opcoep"})


def error_body(problems: Sequence[Problem]) -> dict[str, Any]:
    """`description` is production's field; `message` the same sentence, for the clients
    that read it."""
    return {
        "errors": [
            {"code": p.code, "description": p.message, "message": p.message, "champ": p.champ}
            for p in problems
        ]
    }


def _answer(
    request: Request,
    status: int,
    problems: Sequence[Problem],
    beside: dict[str, Any] | None = None,
) -> JSONResponse:
    # The journal middleware reads the codes back from here.
    request.state.codes = [p.code for p in problems]
    body = error_body(problems) | (beside or {})
    opco = getattr(request.state, "opco", None)
    if opco is not None and _profil(request, opco) == "production":
        status, body = _production_quirks(opco, status, problems, body)
    return JSONResponse(body, status_code=status)


def _profil(request: Request, opco: str) -> str:
    """The OPCO's profile in the request's espace, once the pipeline has opened it."""
    espace = getattr(request.state, "espace", None)
    caller = getattr(request.state, "caller", None)
    if espace is None and caller is not None:
        espace = caller.espace
    if espace is None:  # refused before the espace was opened: its profile is unknown
        return "norme"
    profil: str = espace.world.profile(opco).profil
    return profil


def _production_quirks(
    opco: str, status: int, problems: Sequence[Problem], body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    if status == 404 and opco in _UNKNOWN_DOSSIER_IS_400:
        if DOSSIER_INCONNU.code in (p.code for p in problems):
            status = 400
    if status == 400 and (key := _TOP_LEVEL_SENTENCE.get(opco)):
        body = body | {key: problems[0].message}
    return status, body


def is_json(content_type: str | None) -> bool:
    """What FastAPI parses as JSON: `application/json`, `application/…+json` (parameters
    such as a charset allowed)."""
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def content_type_detail(received: str | None) -> str:
    """What a `FORMAT_INVALIDE` says of a body sent without a JSON content type."""
    return (
        f"le corps JSON doit être envoyé avec l'en-tête Content-Type: {JSON_CONTENT_TYPE} "
        f"(reçu : {received or 'aucun'})."
    )


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
    # FastAPI hands the body over unparsed (bytes) when its content type is not JSON.
    if any(e.get("loc") == ("body",) and isinstance(e.get("input"), bytes) for e in errors):
        detail = content_type_detail(request.headers.get("content-type"))
        return _answer(request, FORMAT_INVALIDE.status, [FORMAT_INVALIDE.problem(None, detail)])
    return _answer(request, FORMAT_INVALIDE.status, [schema_problem(e) for e in errors])


def schema_problem(error: Any) -> Problem:
    """One pydantic error as `CHAMP_OBLIGATOIRE` or `FORMAT_INVALIDE` with its dotted path."""
    kind = error.get("type", "")
    champ = dotted_path(error.get("loc", ()))
    if kind == "missing":
        return CHAMP_OBLIGATOIRE.problem(champ)
    return FORMAT_INVALIDE.problem(champ, detail=french_detail(error))


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        problem, diagnostic = unknown_route(request)
        request.state.diagnostics = [diagnostic]
    elif exc.status_code == CORPS_TROP_GRAND.status:
        problem = CORPS_TROP_GRAND.problem(limite=exc.detail)
    elif exc.status_code == 400 and exc.detail == "There was an error parsing the body":
        # FastAPI's words for a body it could not decode (bad UTF-8, a number too long for
        # Python, nesting too deep): malformed JSON, in the contract's terms.
        problem = JSON_INVALIDE.problem(detail="il ne se lit pas (encodage, nombre ou profondeur).")
    elif exc.status_code == 405:
        problem = METHODE_NON_AUTORISEE.problem(methode=request.method, chemin=request.url.path)
    else:
        problem = ERREUR_HTTP.problem(raison=str(exc.detail).rstrip("."))
    response = _answer(request, exc.status_code, [problem])
    if exc.headers:
        response.headers.update(exc.headers)
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(allowed_methods(request))
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method the path is served with, each asked of the app's routes. Starlette's
    405 names only the methods of the first route that matches the path, and a path often
    has one route per method."""
    return [method for method in HTTP_METHODS if _served(request, method)]


HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _served(request: Request, method: str) -> bool:
    # A fresh scope per question: the router notes its progress in the one it is given.
    scope = {k: v for k, v in request.scope.items() if not k.startswith("fastapi")}
    scope["method"] = method
    return any(route.matches(dict(scope))[0] is Match.FULL for route in request.app.router.routes)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    return _answer(request, ERREUR_INTERNE.status, [ERREUR_INTERNE.problem()])


async def database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database busy past its bound, or whose connection was lost, is 503
    `SANDBOX_OCCUPE` (retry), anything else 500."""
    if not (is_busy(exc) or is_lost(exc)):
        return await unexpected_error(request, exc)
    return await sandbox_error(request, SANDBOX_OCCUPE.error())


def error_response(
    request: Request, status: int, problems: Sequence[Problem], **beside: Any
) -> JSONResponse:
    """An error answer returned rather than raised: the transaction still commits (a
    rejected invoice is kept). `beside` adds top-level keys beside `errors` (the rejected
    invoice's `numeroInterneFacture`)."""
    return _answer(request, status, problems, beside)
