"""What routes declare and receive: the checked caller, the espace, the raw body, the
paging parameters, and the one router factory of the OPCO API.

The checks themselves run in the route classes of `pipeline.py`, before the body is read;
the parameters declared here are for the documentation (and FastAPI's parsing).
"""

import json
import math
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.security import APIKeyHeader

from sandbox.core.opcos import OPCOS
from sandbox.errors import JSON_INVALIDE
from sandbox.espaces.espace import Espace
from sandbox.server.pipeline import (
    Caller,
    ControlCreateRoute,
    ControlRoute,
    OpcoPublicRoute,
    OpcoRoute,
    caller,
    espace,
)

api_key = APIKeyHeader(
    name="X-API-KEY",
    scheme_name="X-API-KEY",
    auto_error=False,
    description="Clé API du CFA pour cet OPCO (absente, inconnue ou expirée : 401).",
)


def software_headers(
    editeur: Annotated[
        str | None, Header(alias="EDITEUR", description="Éditeur du logiciel du CFA.")
    ] = None,
    logiciel: Annotated[
        str | None, Header(alias="LOGICIEL", description="Nom du logiciel du CFA.")
    ] = None,
    version: Annotated[
        str | None, Header(alias="VERSION", description="Version du logiciel du CFA.")
    ] = None,
) -> None:
    """Declares the three headers for the documentation; the route class checks them."""


def opco_code(
    opco: Annotated[
        str,
        Path(
            description="Code de l'OPCO dans l'URL (inconnu : 404 `OPCO_INCONNU`).",
            json_schema_extra={"enum": list(OPCOS), "examples": ["akto"]},
        ),
    ],
) -> None:
    """Declares the `{opco}` segment for the documentation; the route class checks it."""


def opco_router(tags: list[str | Enum], *, public: bool = False) -> APIRouter:
    """A router of OPCO paths: `public` ones need only the OPCO hooked up (`/v1/status`),
    the others a CFA's key and the software headers, checked in the contract's order."""
    if public:
        return APIRouter(route_class=OpcoPublicRoute, tags=tags, dependencies=[Depends(opco_code)])
    checks = [Depends(opco_code), Depends(api_key), Depends(software_headers)]
    return APIRouter(route_class=OpcoRoute, tags=tags, dependencies=checks)


async def raw_body(request: Request) -> Any:
    """The body exactly as sent: the fields the sandbox does not interpret are kept as is.

    JSON has no NaN or Infinity (Python's parser accepts them), and a number too large for
    a float would come back as Infinity: both are refused as malformed."""
    try:
        return json.loads(
            await request.body(), parse_constant=_refuse_constant, parse_float=_finite_float
        )
    except ValueError:
        raise JSON_INVALIDE.error() from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large")
    return number


CallerDep = Annotated[Caller, Depends(caller)]
EspaceDep = Annotated[Espace, Depends(espace)]
RawBody = Annotated[Any, Depends(raw_body)]
PageNumber = Annotated[
    int, Query(ge=1, le=1_000_000, description="Numéro de la page, à partir de 1.")
]
PageSize = Annotated[
    int, Query(ge=1, le=500, description="Taille de la page : 50 par défaut, 500 au plus.")
]

# The control API of one espace.
CONTROL_PREFIX = "/_sandbox/espaces/{espace}"


def control_router(*, creates_espace: bool = False) -> APIRouter:
    """A router of the control API: the admin token first, then the espace (which
    `PUT …/scenario` alone may create)."""
    route_class = ControlCreateRoute if creates_espace else ControlRoute
    return APIRouter(route_class=route_class, tags=["Contrôle"])
