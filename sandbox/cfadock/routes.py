"""The CFADock emulation, under `/cfadock/api` (default espace) or `/espaces/{espace}/cfadock/api`.

No key: CFADock is public. Each answer's `url` is the OPCO's base URL in this sandbox and
this espace, without `/v1`, so a vendor can configure its client from it.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import BaseModel, Field, StringConstraints

from sandbox.cfadock import service as cfadock
from sandbox.cfadock.service import Rattachement
from sandbox.core.opcos import OPCOS
from sandbox.errors import CHAMP_OBLIGATOIRE, FORMAT_INVALIDE, LIMITE_REQUETES, TROP_DE_SIRET
from sandbox.espaces.espace import Espace
from sandbox.scenarios import demo
from sandbox.server.openapi import BODY, answers, demo_examples, success
from sandbox.server.pipeline import WritingRoute, espace

SIRET_OU_SIREN = r"^[0-9]{9}(?:[0-9]{5})?$"
SiretOuSiren = Annotated[
    str,
    StringConstraints(pattern=SIRET_OU_SIREN),
    Field(description="SIRET (14 chiffres) ou SIREN (9 chiffres) de l'employeur"),
]
EspaceDep = Annotated[Espace, Depends(espace)]


def rate_limit(current: EspaceDep) -> None:
    """The scenario's `cfadock.limiteParMinute`, counted before anything else is checked."""
    cfadock.count_request(current, cfadock.now())


router = APIRouter(
    route_class=WritingRoute,
    prefix="/cfadock/api",
    tags=["CFADock"],
    dependencies=[Depends(rate_limit)],
    responses=answers(LIMITE_REQUETES),
)


class Filtres(BaseModel):
    """Les critères de la recherche, tels que reçus."""

    siret: str | None = Field(description="le SIRET ou SIREN cherché, ou null")
    idcc: int | None = Field(description="l'IDCC cherché, ou null")


class RechercheOpco(BaseModel):
    """L'OPCO d'un employeur, dans la forme de CFADock."""

    filters: Filtres = Field(description="les critères de la recherche")
    filterNAFCode: str | None = Field(description="code NAF de l'employeur, ou null")
    filterNAFType: str | None = Field(description="NAF_REV2 quand le code NAF est connu")
    idcc: int | None = Field(description="convention collective (IDCC) de l'employeur")
    opcoName: str | None = Field(description="nom officiel de l'OPCO")
    opcoSiren: str | None = Field(description="SIREN de l'OPCO (valeur de la sandbox)")
    searchStatus: Literal["OK", "NOT_FOUND"] = Field(description="OK seulement quand trouvé")
    url: str | None = Field(description="URL de base de l'OPCO dans la sandbox, sans /v1")


class SiretCherche(BaseModel):
    """Un élément de la recherche groupée."""

    siret: SiretOuSiren


class RechercheGroupee(BaseModel):
    """Le résultat d'une recherche groupée."""

    found: list[RechercheOpco] = Field(description="les SIRET trouvés, dans l'ordre envoyé")
    notFound: list[str] = Field(description="les SIRET inconnus, dans l'ordre envoyé")


class OpcoAccrochage(BaseModel):
    """Un OPCO et son accrochage à l'API dans cet espace."""

    opco: str = Field(description="code de l'OPCO dans les URL de la sandbox")
    nom: str = Field(description="nom officiel de l'OPCO")
    accroche: bool = Field(description="false : ses chemins /v1 répondent 503")
    url: str = Field(description="URL de base de l'OPCO dans la sandbox, sans /v1")
    services: list[str] = Field(description="contrats et factures")


# Real answers of `demo` on a server at 127.0.0.1:8000: the documentation's examples.
BASE_URL_EXAMPLE = "http://127.0.0.1:8000"
RECHERCHE_EXAMPLE = {
    "filters": {"siret": demo.EMPLOYEUR_SIRET, "idcc": None},
    "filterNAFCode": "1071C",
    "filterNAFType": "NAF_REV2",
    "idcc": 843,
    "opcoName": "AKTO",
    "opcoSiren": "900100025",
    "searchStatus": "OK",
    "url": f"{BASE_URL_EXAMPLE}/{demo.OPCO}",
}
UNKNOWN_SIRET = "99999999999999"
RECHERCHE_GROUPEE_EXAMPLE = {"found": [RECHERCHE_EXAMPLE], "notFound": [UNKNOWN_SIRET]}
ACCROCHAGE_EXAMPLE = [
    {
        "opco": code,
        "nom": opco.nom,
        "accroche": code != "constructys",  # demo's OPCO not hooked up
        "url": f"{BASE_URL_EXAMPLE}/{code}",
        "services": ["contrats", "factures"],
    }
    for code, opco in OPCOS.items()
]


async def batch_size(request: Request) -> None:
    """Counts the items before their schema is checked: too many is 400, whatever they hold."""
    try:
        body = await request.json()
    except ValueError:
        return  # the body's own check answers 400 JSON_INVALIDE
    if isinstance(body, list):
        cfadock.check_batch_size(len(body))


@router.get(
    "/opcos",
    summary="OPCO d'un employeur (CFADock)",
    responses=success(RECHERCHE_EXAMPLE) | answers(CHAMP_OBLIGATOIRE, FORMAT_INVALIDE),
)
def opco_employeur(
    request: Request,
    current: EspaceDep,
    siret: Annotated[
        str | None,
        Query(
            pattern=SIRET_OU_SIREN,
            description="SIRET (14 chiffres) ou SIREN (9 chiffres).",
            openapi_examples=demo_examples("Un employeur de demo", demo.EMPLOYEUR_SIRET),
        ),
    ] = None,
    idcc: Annotated[
        int | None, Query(ge=0, le=9999, description="Convention collective (IDCC).")
    ] = None,
) -> RechercheOpco:
    """L'OPCO de l'employeur d'après les employeurs du scénario, par SIRET, par SIREN
    (9 premiers chiffres) ou par IDCC (le premier employeur du scénario sous cette
    convention) : l'un ou l'autre, sinon 400 `CHAMP_OBLIGATOIRE`. Inconnu : 200 avec
    `searchStatus` `NOT_FOUND`. Sans clé API."""
    found = cfadock.search(current.world, siret, idcc)
    return _recherche(request, Filtres(siret=siret, idcc=idcc), found)


@router.post(
    "/opcos",
    summary="OPCO de plusieurs employeurs (CFADock)",
    dependencies=[Depends(batch_size)],
    responses=success(RECHERCHE_GROUPEE_EXAMPLE) | answers(*BODY, TROP_DE_SIRET),
)
def opcos_employeurs(
    request: Request,
    current: EspaceDep,
    sirets: Annotated[
        list[SiretCherche],
        Body(
            openapi_examples=demo_examples(
                "Un employeur de demo et un inconnu",
                [{"siret": demo.EMPLOYEUR_SIRET}, {"siret": UNKNOWN_SIRET}],
            )
        ),
    ],
) -> RechercheGroupee:
    """Jusqu'à 100 `{"siret"}` (au-delà : 400 `TROP_DE_SIRET`). Répond `found`, un résultat
    dans la forme de `GET /cfadock/api/opcos` par SIRET trouvé, et `notFound`, les autres."""
    resultats = [
        _recherche(
            request,
            Filtres(siret=item.siret, idcc=None),
            cfadock.opco_of(current.world, item.siret),
        )
        for item in sirets
    ]
    return RechercheGroupee(
        found=[r for r in resultats if r.searchStatus == "OK"],
        notFound=[r.filters.siret for r in resultats if r.searchStatus != "OK"],
    )


@router.get(
    "/accrochage",
    summary="OPCO accrochés à l'API (CFADock)",
    responses=success(ACCROCHAGE_EXAMPLE),
)
def accrochage(request: Request, current: EspaceDep) -> list[OpcoAccrochage]:
    """Les 11 OPCO, accrochés ou non dans cet espace, avec leur URL de base dans la sandbox."""
    return [
        OpcoAccrochage(
            opco=a.opco.code,
            nom=a.opco.nom,
            accroche=a.accroche,
            url=opco_url(request, a.opco.code),
            services=["contrats", "factures"],
        )
        for a in cfadock.accrochages(current.world)
    ]


def _recherche(request: Request, filtres: Filtres, found: Rattachement | None) -> RechercheOpco:
    if found is None:
        return RechercheOpco(
            filters=filtres,
            filterNAFCode=None,
            filterNAFType=None,
            idcc=None,
            opcoName=None,
            opcoSiren=None,
            searchStatus="NOT_FOUND",
            url=None,
        )
    # A search by IDCC goes through no NAF code.
    by_siret = filtres.siret is not None
    return RechercheOpco(
        filters=filtres,
        filterNAFCode=found.employeur.naf if by_siret else None,
        filterNAFType=found.naf_type if by_siret else None,
        idcc=found.employeur.idcc,
        opcoName=found.opco.nom,
        opcoSiren=found.opco_siren,
        searchStatus="OK",
        url=opco_url(request, found.opco.code),
    )


def opco_url(request: Request, opco: str) -> str:
    """`http://HOST:PORT/akto`, or `…/espaces/{espace}/akto` when the espace is named."""
    base = str(request.base_url).rstrip("/")
    if (nom := request.path_params.get("espace")) is not None:
        base += f"/espaces/{nom}"
    return f"{base}/{opco}"
