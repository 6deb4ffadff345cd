"""What routes declare and receive: the checked caller, the espace, the raw body, the
paging parameters, and the one router factory of the OPCO API.

The checks themselves run in the route classes of `pipeline.py`, before the body is read;
the parameters declared here are for the documentation (and FastAPI's parsing).
"""

import json
import math
from enum import Enum
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.openapi.models import OAuthFlowClientCredentials
from fastapi.openapi.models import OAuthFlows as OAuthFlowsModel
from fastapi.security import APIKeyHeader, OAuth2
from pydantic import BaseModel, ValidationError

from sandbox.core.opcos import OPCOS
from sandbox.core.types import MAX_DEPTH, too_deep
from sandbox.documents import service as documents
from sandbox.documents.service import Fichier
from sandbox.errors import FORMAT_INVALIDE, JSON_INVALIDE, SandboxError
from sandbox.espaces.espace import Espace
from sandbox.oauth.service import SCOPES
from sandbox.scenarios import demo
from sandbox.server.handlers import content_type_detail, is_json, schema_problem
from sandbox.server.pipeline import (
    Caller,
    ControlCreateRoute,
    ControlRoute,
    OpcoPublicRoute,
    OpcoRoute,
    caller,
    espace,
)
from sandbox.server.versions import BothVersionsRouter

api_key = APIKeyHeader(
    name="X-API-KEY",
    scheme_name="X-API-KEY",
    auto_error=False,
    description="Clé API du CFA pour cet OPCO (absente, inconnue ou expirée : 401). Celle du "
    f"premier CFA de `demo` chez AKTO : `{demo.CFA_KEY}`.",
)


bearer = OAuth2(
    flows=OAuthFlowsModel(
        clientCredentials=OAuthFlowClientCredentials(
            tokenUrl="/akto/connect/token", scopes={scope: scope for scope in SCOPES}
        )
    ),
    scheme_name="OAuth2",
    auto_error=False,
    description="Jeton OAuth2 (client credentials) des OPCO qui le demandent (par défaut akto, "
    "atlas, mobilites, opcoep, afdas) : `POST /{opco}/connect/token`, chaque OPCO le sien "
    "(l'URL ci-dessous est celle d'AKTO). Le logiciel de `demo` : client_id "
    f"`{demo.CLIENT_ID}`, client_secret `{demo.CLIENT_SECRET}`.",
)


# What Swagger UI's Try it out sends (ASCII: a browser sends nothing else in a header).
EDITEUR, LOGICIEL, VERSION = demo.EDITEUR, "ACME Formation", "1.0"


async def software_headers(
    editeur: Annotated[
        str | None,
        Header(alias="EDITEUR", description="Éditeur du logiciel du CFA.", examples=[EDITEUR]),
    ] = None,
    logiciel: Annotated[
        str | None,
        Header(alias="LOGICIEL", description="Nom du logiciel du CFA.", examples=[LOGICIEL]),
    ] = None,
    version: Annotated[
        str | None,
        Header(alias="VERSION", description="Version du logiciel du CFA.", examples=[VERSION]),
    ] = None,
) -> None:
    """Declares the three headers for the documentation; the route class checks them."""


async def opco_code(
    opco: Annotated[
        str,
        Path(
            description="Code de l'OPCO dans l'URL (inconnu : 404 `OPCO_INCONNU`).",
            json_schema_extra={"enum": list(OPCOS), "examples": [demo.OPCO]},
        ),
    ],
) -> None:
    """Declares the `{opco}` segment for the documentation; the route class checks it."""


def opco_router(
    tags: list[str | Enum], *, public: bool = False, token: bool = False, v2_twins: bool = True
) -> APIRouter:
    """A router of OPCO paths: `public` ones (`/v1/status`) and the `token` endpoint need
    only the OPCO hooked up, the others the OAuth2 token where the OPCO asks for one, a
    CFA's key and the software headers, checked in the contract's order.

    Its `/v1/…` routes are served at `/v2/…` too, unless `v2_twins` is false (the pages,
    declared version by version)."""
    router_class = BothVersionsRouter if v2_twins else APIRouter
    if public or token:
        public_checks = [Depends(opco_code)]
        return router_class(route_class=OpcoPublicRoute, tags=tags, dependencies=public_checks)
    checks = [
        Depends(opco_code),
        Depends(bearer),
        Depends(api_key),
        Depends(software_headers),
    ]
    return router_class(route_class=OpcoRoute, tags=tags, dependencies=checks)


async def raw_body(request: Request) -> Any:
    """The body exactly as sent: the fields the sandbox does not interpret are kept as is.

    JSON has no NaN or Infinity (Python's parser accepts them), and a number too large for
    a float would come back as Infinity: both are refused as malformed. A body sent without
    a JSON content type is refused first, naming the one expected (FastAPI would not read
    it: its schema errors would say nothing useful)."""
    body = await request.body()
    content_type = request.headers.get("content-type")
    if body and not is_json(content_type):
        raise FORMAT_INVALIDE.error(None, detail=content_type_detail(content_type))
    try:
        document = json.loads(body, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):  # a number too long for Python is a ValueError
        raise JSON_INVALIDE.error() from None
    if too_deep(document):
        raise JSON_INVALIDE.error(detail=f"il s'imbrique sur plus de {MAX_DEPTH} niveaux.")
    return document


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large")
    return number


# Multipart bodies (invoices, conventions, documents): parsed by FastAPI (python-multipart).
MULTIPART = "multipart/form-data"


async def multipart_only(request: Request) -> None:
    """A body that is not multipart is refused naming the expected form (FastAPI would see
    no part at all, and say only that the parts are missing)."""
    content_type = request.headers.get("content-type") or ""
    if not content_type.lower().startswith(MULTIPART):
        raise FORMAT_INVALIDE.error(
            None,
            detail=f"le corps doit être envoyé en Content-Type: {MULTIPART} "
            f"(reçu : {content_type or 'aucun'}).",
        )


# A JSON part, sent as a field (`-F 'facture={…}'`) or as a file (`-F facture=@f.json`).
JsonText = str | UploadFile


def json_form(example: dict[str, Any]) -> Any:
    """The `Form` of a JSON part, its example the text Swagger UI's Try it out starts from
    (sent as is to an espace holding `demo`, it is accepted)."""
    text = json.dumps(example, ensure_ascii=False)
    return Form(description="Le JSON de la partie.", examples=[text])


# The PDF part; judged by the service (absent: FICHIER_ABSENT, else FICHIER_INVALIDE).
FilePart = Annotated[
    UploadFile | str | None,
    File(description="Le fichier PDF (10 Mo au plus, commençant par %PDF-)."),
]


ModelT = TypeVar("ModelT", bound=BaseModel)


def json_part(value: str | UploadFile, model: type[ModelT], name: str) -> tuple[ModelT, Any]:
    """A multipart JSON part, validated: the model and the JSON as sent. Its errors name
    their field below the part (`facture.lignes[0].montant`), as a JSON body's do."""
    text: str | bytes = value if isinstance(value, str) else _read(value)
    try:
        raw = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, RecursionError):  # UnicodeDecodeError too
        raise JSON_INVALIDE.error(name) from None
    if too_deep(raw):
        raise JSON_INVALIDE.error(name, detail=f"il s'imbrique sur plus de {MAX_DEPTH} niveaux.")
    try:
        return model.model_validate(raw), raw
    except ValidationError as exc:
        problems = [schema_problem(e | {"loc": (name, *e["loc"])}) for e in exc.errors()]
        raise SandboxError(FORMAT_INVALIDE.status, problems) from None


def pdf_part(value: UploadFile | str | None) -> Fichier:
    """The `fichier` part, read and checked (FICHIER_ABSENT, FICHIER_INVALIDE)."""
    if isinstance(value, str):
        raise documents.not_a_file()
    if value is None:
        return documents.read_pdf(None, None)
    return documents.read_pdf(value.file, value.filename)


def _read(upload: UploadFile) -> bytes:
    # From its start: a request played again (a concurrent insert) reads its parts again.
    upload.file.seek(0)
    return upload.file.read()


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
