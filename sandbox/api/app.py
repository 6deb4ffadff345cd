"""The application factory: one app serving every OPCO, CFADock and the control API."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from sandbox import __version__
from sandbox.api import (
    appairage_routes,
    cfadock_routes,
    control_routes,
    errors,
    facture_routes,
    journal,
    opco_routes,
)
from sandbox.api.runtime import Runtime
from sandbox.errors import SandboxError
from sandbox.scenarios import LoadedScenario
from sandbox.storage.database import Database

DESCRIPTION = """\
Bac à sable de l'API d'échange CFA–OPCO : les 11 OPCO dans un seul serveur, avec un état
réel, une horloge pilotable, un journal des requêtes.

* API d'un OPCO : `/{opco}/v1/…` (espace `default`) ou `/espaces/{espace}/{opco}/v1/…`.
* CFADock : `/cfadock/api/…` ou `/espaces/{espace}/cfadock/api/…`.
* API de contrôle : `/_sandbox/espaces/{espace}/…`.
* Erreurs : `{"errors": [{"code", "message", "champ"}]}` pour tous les statuts.
"""


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
        lifespan=lifespan,
        exception_handlers={
            SandboxError: errors.sandbox_error,
            RequestValidationError: errors.validation_error,
            HTTPException: errors.http_error,
            Exception: errors.unexpected_error,
        },
    )
    app.state.runtime = runtime
    app.middleware("http")(journal.record)
    opco_routers = (
        opco_routes.public,
        opco_routes.router,
        appairage_routes.router,
        facture_routes.router,
    )
    for prefix in ("/{opco}", "/espaces/{espace}/{opco}"):
        for router in opco_routers:  # the named-espace copies stay out of the spec
            app.include_router(router, prefix=prefix, include_in_schema=prefix == "/{opco}")
    for prefix in ("", "/espaces/{espace}"):
        app.include_router(cfadock_routes.router, prefix=prefix, include_in_schema=not prefix)
    app.include_router(control_routes.router)
    app.include_router(control_routes.creating)
    return app


def openapi_document() -> dict[str, object]:
    """The OpenAPI document, without a database: the spec depends on no data."""
    from sandbox.scenarios import resolve

    return create_app(Database("sqlite://"), resolve("demo")).openapi()
