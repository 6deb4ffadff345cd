"""The application factory: one app serving every OPCO, CFADock and the control API."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from sandbox import __version__
from sandbox.appairage import routes as appairage
from sandbox.cfadock import routes as cfadock
from sandbox.config import Limits
from sandbox.controle import routes as controle
from sandbox.core.database import Database
from sandbox.documents import routes as documents
from sandbox.dossiers import routes as dossiers
from sandbox.errors import SandboxError
from sandbox.factures import routes as factures
from sandbox.journal import routes as journal
from sandbox.oauth import routes as oauth
from sandbox.pannes import routes as pannes
from sandbox.scenarios.loader import LoadedScenario
from sandbox.server import docs, handlers, limits, paths, recording
from sandbox.server.runtime import Runtime
from sandbox.statut import routes as statut

# Every OPCO's API, served under each OPCO's base URL, in the default and in named espaces.
# The pages first: their /v1 and /v2 differ, every other path has one function for both.
OPCO_ROUTERS = (
    statut.public,
    statut.router,
    dossiers.pages,
    dossiers.router,
    appairage.router,
    factures.pages,
    factures.router,
    documents.router,
)
CONTROL_ROUTERS = (
    controle.router,
    controle.creating,
    oauth.control,
    pannes.router,
    journal.router,
    documents.control,
)

DESCRIPTION = """\
Bac à sable de l'API d'échange CFA–OPCO : les 11 OPCO dans un seul serveur, avec un état
réel, une horloge pilotable, un journal des requêtes.

* API d'un OPCO : `/{opco}/v1/…` (espace `default`) ou `/espaces/{espace}/{opco}/v1/…`
  (espace nommé : mêmes opérations, mêmes réponses ; un espace inconnu répond 404
  `ESPACE_INCONNU`). Chaque chemin `/v1/…` est aussi servi en `/v2/…`, et y répond de même,
  sauf les deux pages d'états : `/v1/dossiers/etats` et `/v1/factures/etats` répondent un
  tableau JSON de tout, leurs jumeaux `/v2` une page (`numeroPage`, `taillePage`).
  Sous la base d'un OPCO (et de CFADock), les chemins se comparent sans la casse
  (`/v1/Factures`) et une barre oblique finale est ignorée, sans redirection.
* CFADock : `/cfadock/api/…` ou `/espaces/{espace}/cfadock/api/…`.
* API de contrôle : `/_sandbox/espaces/{espace}/…`.

Chaque chemin `/v1` sauf `/v1/status` demande la clé API du CFA pour cet OPCO (`X-API-KEY`)
et les en-têtes `EDITEUR`, `LOGICIEL` et `VERSION`. Contrôles dans cet ordre : OPCO accroché
(503), clé (401), en-têtes logiciel (400), schéma du corps (400), règles métier (400).

Toute erreur, de tout statut, a la même forme, celle de la production :
`{"errors": [{"code": "NIR_INVALIDE", "description": "…", "message": "…", "champ":
"cerfa.apprenti.nir"}]}` (`message` répète `description`). Toute erreur de validation ou
règle métier de l'API d'un OPCO répond 400 (schéma, JSON mal formé, contrôles bloquants,
doublons, rejets de facture) ; un contrat ou une facture accepté répond 200. Le profil
`profil: production` d'un OPCO (scénario) ajoute ses particularités de production : atlas
ajoute `description` à la racine de ses réponses 400, opcoep `comment` et répond 400
`DOSSIER_INCONNU` au lieu de 404 pour un dossier inconnu. L'API de contrôle garde 409 pour
un conflit et 422 pour un scénario invalide.
Une route inconnue répond 404 `ROUTE_INCONNUE` (sa description nomme la route connue la
plus proche), une méthode non prévue 405
`METHODE_NON_AUTORISEE`. Une panne injectée par l'API de contrôle (`PUT …/{opco}/pannes`)
répond, sur les chemins qu'elle vise, le statut qu'elle nomme avec le code `PANNE_SIMULEE` :
ces réponses voulues ne sont pas déclarées opération par opération.
"""
TAGS = [
    {"name": "OPCO", "description": "L'API d'un OPCO : statut, clé, contrats, appairage."},
    {"name": "OPCO : factures", "description": "Les factures du CFA chez un OPCO."},
    {
        "name": "OPCO : documents",
        "description": "Conventions de formation et documents joints à une facture ou un dossier.",
    },
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
    settings = Limits()
    runtime = Runtime(database, default_scenario, admin_token, settings.journal_max_entries)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database.create_schema()
        runtime.ensure_default_espace(date.today())
        # What startup made (routes, schemas, the default world) lives as long as the app:
        # out of the collector's full passes, which would walk all of it and stall requests
        # (p99 of `status` at 16 connections: 50-62 ms frozen, 115-133 ms not). Garbage is
        # collected first: frozen, it would never be.
        gc.collect()
        gc.freeze()
        yield
        runtime.journal.close()  # what the journal's writer holds is written

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
            OperationalError: handlers.database_error,
            Exception: handlers.unexpected_error,
        },
    )
    app.state.runtime = runtime
    # Added before the journal's middleware, hence inside it: the journal keeps the path as
    # sent, the router sees the known route's spelling.
    app.state.paths = known_paths()
    app.add_middleware(paths.CanonicalPaths, paths=app.state.paths)
    # Inside the journal (which records the 413), outside the path rewriting: a body too
    # large is refused before anything reads it.
    app.add_middleware(limits.BodyLimit, limits=settings)
    app.add_middleware(recording.Recorder, limits=settings)
    for prefix in ("/{opco}", "/espaces/{espace}/{opco}"):
        for router in OPCO_ROUTERS:  # the named-espace copies stay out of the spec
            app.include_router(router, prefix=prefix, include_in_schema=prefix == "/{opco}")
        # The token endpoint is unversioned, as production's identity servers are.
        app.include_router(oauth.router, prefix=prefix, include_in_schema=prefix == "/{opco}")
    for prefix in ("", "/espaces/{espace}"):
        app.include_router(cfadock.router, prefix=prefix, include_in_schema=not prefix)
    for router in CONTROL_ROUTERS:
        app.include_router(router)
    docs.install(app)
    return app


def known_paths() -> paths.KnownPaths:
    """Every route served below an OPCO's base, below CFADock's, and the control API's."""
    opco = [route.path for router in (*OPCO_ROUTERS, oauth.router) for route in _routes(router)]
    below_cfadock = [route.path.removeprefix("/cfadock") for route in _routes(cfadock.router)]
    control = [route.path for router in CONTROL_ROUTERS for route in _routes(router)]
    return paths.KnownPaths(
        opco=opco,
        cfadock=below_cfadock,
        others=[*("/{opco}" + p for p in opco), *("/cfadock" + p for p in below_cfadock), *control],
    )


def _routes(router: APIRouter) -> list[APIRoute]:
    return [route for route in router.routes if isinstance(route, APIRoute)]


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, without a database: the spec depends on no data."""
    from sandbox.scenarios.loader import resolve

    return create_app(Database("sqlite://"), resolve("demo")).openapi()
