"""The OPCO API of the standard, served for each OPCO under `/{opco}/v1`."""

import json
import math
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request
from fastapi.security import APIKeyHeader

from sandbox.core.opcos import OPCOS
from sandbox.dossiers import service as dossiers
from sandbox.dossiers.cerfa import Transmission
from sandbox.errors import SandboxError
from sandbox.server import schemas
from sandbox.server.openapi import BODY, CFA, OPCO, errors
from sandbox.server.pipeline import Caller, OpcoPublicRoute, OpcoRoute, caller

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


async def raw_body(request: Request) -> Any:
    """The body exactly as sent: the fields the sandbox does not interpret are kept as is.

    JSON has no NaN or Infinity (Python's parser accepts them), and a number too large for
    a float would come back as Infinity: both are refused as malformed."""
    try:
        return json.loads(
            await request.body(), parse_constant=_refuse_constant, parse_float=_finite_float
        )
    except ValueError:
        raise SandboxError.of(
            400, "JSON_INVALIDE", "Le corps de la requête n'est pas du JSON."
        ) from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is too large")
    return number


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


CallerDep = Annotated[Caller, Depends(caller)]
page_number = Annotated[
    int, Query(ge=1, le=1_000_000, description="Numéro de la page, à partir de 1.")
]
page_size = Annotated[
    int, Query(ge=1, le=500, description="Taille de la page : 50 par défaut, 500 au plus.")
]
public = APIRouter(route_class=OpcoPublicRoute, tags=["OPCO"], dependencies=[Depends(opco_code)])
router = APIRouter(
    route_class=OpcoRoute,
    tags=["OPCO"],
    dependencies=[Depends(opco_code), Depends(api_key), Depends(software_headers)],
)


@public.get("/v1/status", summary="État du service de l'OPCO", responses=errors(*OPCO))
def status(who: CallerDep) -> schemas.Status:
    """Répond OK quand l'OPCO est accroché ; ne demande ni clé ni en-têtes logiciel.

    503 `OPCO_NON_ACCROCHE` quand le scénario de l'espace déclare l'OPCO non accroché."""
    return schemas.Status(status="OK", opco=who.opco.code, nom=who.opco.nom)


@router.get("/v1/cfakeyinfo", summary="Validité de la clé API du CFA", responses=errors(*CFA))
def cfakeyinfo(who: CallerDep) -> schemas.CfaKeyInfo:
    """Le SIRET du CFA de la clé et sa date de fin de validité (null : sans fin)."""
    assert who.cfa is not None
    key = who.cfa.cle(who.opco.code)
    return schemas.CfaKeyInfo(
        status="success", siret=who.cfa.siret, dateFinValidite=key.dateFinValidite if key else None
    )


@router.post(
    "/v1/dossiers",
    status_code=201,
    summary="Transmettre un contrat d'apprentissage",
    responses=errors(
        *CFA,
        *BODY,
        "NIR_INVALIDE",
        "SIRET_INVALIDE",
        "DATES_INCOHERENTES",
        "DUREE_CONTRAT_INVALIDE",
        "CONTRAT_ANTERIEUR_2020",
        "SIRET_CFA_DIFFERENT",
        "DOSSIER_DOUBLON",
        "NUMERO_INTERNE_DEJA_UTILISE",
        s422="Les contrôles bloquants sont tous rapportés dans une même réponse.",
    ),
)
def transmettre(
    who: CallerDep,
    transmission: Annotated[Transmission, Body()],
    raw: Annotated[Any, Depends(raw_body)],
) -> schemas.Accuse:
    """Contrôle le schéma (422 `CHAMP_OBLIGATOIRE`, `FORMAT_INVALIDE`), puis les règles
    bloquantes, toutes rapportées ensemble (422), puis les doublons (409 `DOSSIER_DOUBLON`,
    qui l'emporte sur `NUMERO_INTERNE_DEJA_UTILISE`). Accepté : 201, dossier à l'état
    `TRANSMIS`. Sans `mandatGestion: true`, l'avertissement `MANDAT_GESTION_ABSENT`
    accompagne l'accusé et le dossier est à régulariser. Les champs du CERFA que la sandbox
    n'interprète pas sont conservés et rendus tels quels."""
    assert who.cfa is not None
    deposit = dossiers.Deposit(
        opco=who.opco.code,
        cerfa=transmission.cerfa,
        raw_cerfa=raw["cerfa"],
        numero_interne=transmission.numeroInterne,
        mandat_gestion=transmission.mandatGestion,
    )
    done = dossiers.receive(who.espace, deposit, who.cfa.siret)
    return schemas.Accuse(
        numeroInterne=transmission.numeroInterne,
        numeroExterne=done.dossier.numero_externe,
        etat="TRANSMIS",
        avertissements=schemas.avertissements(done.avertissements),
    )


@router.get(
    "/v1/dossiers/etats",
    summary="États des dossiers du CFA, par page",
    responses=errors(*CFA, "FORMAT_INVALIDE"),
)
def etats(
    who: CallerDep,
    numeroPage: page_number = 1,
    taillePage: page_size = 50,
) -> schemas.EtatsDossiers:
    """Les dossiers du CFA connus par un numéro interne (transmis ou appairés), du plus ancien
    au plus récent. 422 `FORMAT_INVALIDE` pour une page inférieure à 1 ou une taille hors de
    1 à 500."""
    assert who.cfa is not None
    total, rows = dossiers.dossiers_page(
        who.espace, who.opco.code, who.cfa.siret, numeroPage, taillePage
    )
    return schemas.EtatsDossiers(
        total=total,
        count=len(rows),
        page=numeroPage,
        EtatDossierResult=[schemas.etat_answer(r) for r in rows],
    )


@router.get(
    "/v1/dossiers",
    summary="Lire un dossier par son numéro interne",
    responses=errors(*CFA, "CHAMP_OBLIGATOIRE", "FORMAT_INVALIDE", "DOSSIER_INCONNU"),
)
def dossier(
    who: CallerDep,
    numeroInterne: Annotated[
        str,
        Query(min_length=1, description="Numéro du dossier chez le CFA.", examples=["DEMO-0001"]),
    ],
) -> schemas.Dossier:
    """Le CERFA avec l'état du dossier, l'engagement, l'échéancier et les frais annexes.

    Le dossier d'un autre CFA répond comme un dossier inexistant : 404 `DOSSIER_INCONNU`."""
    assert who.cfa is not None
    row = dossiers.dossier_of_cfa(who.espace, who.opco.code, who.cfa.siret, numeroInterne)
    return schemas.dossier_answer(row)
