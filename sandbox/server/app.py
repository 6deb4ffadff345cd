"""The application factory: one app serving every OPCO, CFADock and the control API."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from sandbox import __version__
from sandbox.appairage import routes as appairage
from sandbox.cfadock import routes as cfadock
from sandbox.controle import routes as controle
from sandbox.core.database import Database
from sandbox.dossiers import routes as dossiers
from sandbox.errors import SandboxError
from sandbox.factures import routes as factures
from sandbox.journal import routes as journal
from sandbox.pannes import routes as pannes
from sandbox.scenarios.loader import LoadedScenario
from sandbox.server import docs, handlers, recording
from sandbox.server.runtime import Runtime
from sandbox.statut import routes as statut

# Every OPCO's API, served under each OPCO's base URL, in the default and in named espaces.
OPCO_ROUTERS = (statut.public, statut.router, dossiers.router, appairage.router, factures.router)
CONTROL_ROUTERS = (controle.router, controle.creating, pannes.router, journal.router)

DESCRIPTION = """\
Bac à sable de l'API d'échange CFA–OPCO : les 11 OPCO dans un seul serveur, avec un état
réel, une horloge pilotable, un journal des requêtes.

* API d'un OPCO : `/{opco}/v1/…` (espace `default`) ou `/espaces/{espace}/{opco}/v1/…`
  (espace nommé : mêmes opérations, mêmes réponses ; un espace inconnu répond 404
  `ESPACE_INCONNU`).
* CFADock : `/cfadock/api/…` ou `/espaces/{espace}/cfadock/api/…`.
* API de contrôle : `/_sandbox/espaces/{espace}/…`.

Chaque chemin `/v1` sauf `/v1/status` demande la clé API du CFA pour cet OPCO (`X-API-KEY`)
et les en-têtes `EDITEUR`, `LOGICIEL` et `VERSION`. Contrôles dans cet ordre : OPCO accroché
(503), clé (401), en-têtes logiciel (400), schéma du corps (422), règles métier.

Toute erreur, de tout statut, a la même forme :
`{"errors": [{"code": "NIR_INVALIDE", "message": "…", "champ": "cerfa.apprenti.nir"}]}`.
Une route inconnue répond 404 `ROUTE_INCONNUE`, une méthode non prévue 405
`METHODE_NON_AUTORISEE`. Une panne injectée par l'API de contrôle (`PUT …/{opco}/pannes`)
répond, sur les chemins qu'elle vise, le statut qu'elle nomme avec le code `PANNE_SIMULEE` :
ces réponses voulues ne sont pas déclarées opération par opération.
"""
TAGS = [
    {"name": "OPCO", "description": "L'API d'un OPCO : statut, clé, contrats, appairage."},
    {"name": "OPCO : factures", "description": "Les factures du CFA chez un OPCO."},
    {"name": "CFADock", "description": "L'OPCO d'un employeur et l'accrochage des OPCO."},
    {
        "name": "Contrôle",
        "description": "Pour le banc de test de l'éditeur : scénario, horloge, transitions "
        "forcées, journal.",
    },
]


def create_app(
    database: Database, default_scenario: LoadedScenario, admin_token: str | None = None
) -> FastAPI:
    """Build the app; the database schema and the `default` espace are made on startup."""
    runtime = Runtime(database, default_scenario, admin_token)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database.create_schema()
        runtime.ensure_default_espace(date.today())
        yield

    app = FastAPI(
        title="opco-sandbox",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,  # served by sandbox.server.docs, with local assets
        redoc_url=None,
        lifespan=lifespan,
        exception_handlers={
            SandboxError: handlers.sandbox_error,
            RequestValidationError: handlers.validation_error,
            HTTPException: handlers.http_error,
            Exception: handlers.unexpected_error,
        },
    )
    app.state.runtime = runtime
    app.middleware("http")(recording.record)
    for prefix in ("/{opco}", "/espaces/{espace}/{opco}"):
        for router in OPCO_ROUTERS:  # the named-espace copies stay out of the spec
            app.include_router(router, prefix=prefix, include_in_schema=prefix == "/{opco}")
    for prefix in ("", "/espaces/{espace}"):
        app.include_router(cfadock.router, prefix=prefix, include_in_schema=not prefix)
    for router in CONTROL_ROUTERS:
        app.include_router(router)
    docs.install(app)
    return app


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, without a database: the spec depends on no data."""
    from sandbox.scenarios.loader import resolve

    return create_app(Database("sqlite://"), resolve("demo")).openapi()
