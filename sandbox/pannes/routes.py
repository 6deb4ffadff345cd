"""The control API's tools for a vendor's test harness: fault injection and the
conformance report, per espace under `/_sandbox/espaces/{espace}`."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from sandbox.core.opcos import opco_named
from sandbox.core.tables import PanneRow
from sandbox.espaces.espace import Espace
from sandbox.journal import formats as rapport_formats
from sandbox.journal import rapport
from sandbox.pannes import service as pannes
from sandbox.server.openapi import BODY, CONTROL, errors
from sandbox.server.pipeline import ControlRoute, espace

PREFIX = "/_sandbox/espaces/{espace}"
EspaceDep = Annotated[Espace, Depends(espace)]
router = APIRouter(route_class=ControlRoute, tags=["Contrôle"])


class Panne(BaseModel):
    """Une règle de panne : une latence, un statut d'erreur, ou les deux."""

    model_config = ConfigDict(extra="forbid")
    chemin: str = Field(
        "/v1/*",
        pattern=r"^/[\x20-\x7e]*$",
        max_length=200,
        description="motif glob du chemin sous l'URL de l'OPCO, par exemple /v1/dossiers*",
    )
    methode: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] | None = Field(
        None, description="la méthode visée ; toutes quand absente"
    )
    latenceMs: int = Field(0, ge=0, le=60_000, description="délai ajouté à chaque requête visée")
    statut: int | None = Field(None, ge=400, le=599, description="statut d'erreur à répondre")
    proportion: Decimal | None = Field(
        None, gt=0, le=1, decimal_places=4, description="part des requêtes visées en erreur"
    )
    prochaines: int | None = Field(
        None, ge=1, le=1_000_000, description="n'agir que sur les N prochaines requêtes visées"
    )


class Pannes(BaseModel):
    """Les règles de panne d'un OPCO, qui remplacent les précédentes."""

    model_config = ConfigDict(extra="forbid")
    pannes: list[Panne] = Field(max_length=100, description="remplace les règles de l'OPCO")


class PanneEnCours(BaseModel):
    """Une règle de panne en place, et ce qu'elle a fait."""

    chemin: str = Field(description="motif glob du chemin sous l'URL de l'OPCO")
    methode: str | None = Field(description="la méthode visée, ou null pour toutes")
    latenceMs: int = Field(description="délai ajouté à chaque requête visée")
    statut: int | None = Field(description="statut d'erreur répondu, ou null")
    proportion: float | None = Field(description="part des requêtes visées en erreur")
    restantes: int | None = Field(description="requêtes visées restantes, ou null sans limite")
    vues: int = Field(description="requêtes visées depuis la pose de la règle")


class PannesEnCours(BaseModel):
    """Les règles de panne en place sur un OPCO."""

    opco: str = Field(description="code de l'OPCO")
    pannes: list[PanneEnCours] = Field(description="les règles, dans l'ordre de la demande")


@router.put(
    PREFIX + "/{opco}/pannes",
    summary="Injecter des pannes sur un OPCO",
    responses=errors(*CONTROL, *BODY, "OPCO_INCONNU"),
)
def put_faults(current: EspaceDep, opco: str, demande: Annotated[Pannes, Body()]) -> PannesEnCours:
    """Remplace les règles de panne de l'OPCO (une liste vide les retire). Une requête visée
    attend `latenceMs`, puis reçoit `statut` (code `PANNE_SIMULEE`) : à chaque fois, pour les
    `prochaines` N requêtes, ou pour la `proportion` exacte des requêtes visées."""
    code = opco_named(opco).code
    rows = [_row(current, code, panne) for panne in demande.pannes]
    current.store.replace_pannes(code, rows)
    return _answer(code, rows)


@router.get(
    PREFIX + "/{opco}/pannes",
    summary="Lire les pannes d'un OPCO",
    responses=errors(*CONTROL, "OPCO_INCONNU"),
)
def get_faults(current: EspaceDep, opco: str) -> PannesEnCours:
    """Les règles en place, avec le nombre de requêtes visées et ce qui reste à agir."""
    code = opco_named(opco).code
    return _answer(code, current.store.pannes(code))


REPORT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/json": {}, "text/html": {}, "application/xml": {}},
        "description": "le rapport, en JSON, HTML ou JUnit XML",
    }
}


@router.get(
    PREFIX + "/rapport",
    summary="Rapport de conformité",
    response_model=None,
    responses=REPORT | errors(*CONTROL, "FORMAT_INVALIDE"),
)
def report(
    current: EspaceDep,
    format: Annotated[
        Literal["json", "html", "junit"], Query(description="json (par défaut), html ou junit")
    ] = "json",
) -> Response | dict[str, object]:
    """Ce que le journal de l'espace dit de l'intégration : les exigences (en-têtes, clé,
    schéma, routes, erreurs serveur), réussies, échouées ou non exercées, et la couverture
    des situations de la norme (transmission, doublon, appairage, chaque règle de rejet de
    facture…). `?format=junit` se lit dans une CI ; `?format=html` dans un navigateur."""
    built = rapport.build(current.store.journal())
    name = current.store.espace
    if format == "html":
        return HTMLResponse(rapport_formats.as_html(name, built))
    if format == "junit":
        return Response(rapport_formats.as_junit(name, built), media_type="application/xml")
    return rapport_formats.as_json(name, built)


def _row(current: Espace, opco: str, panne: Panne) -> PanneRow:
    return PanneRow(
        espace=current.store.espace,
        opco=opco,
        chemin=panne.chemin,
        methode=panne.methode,
        latence_ms=panne.latenceMs,
        statut=panne.statut,
        part=None if panne.proportion is None else int(panne.proportion * pannes.SHARE_SCALE),
        restantes=panne.prochaines,
        vues=0,
    )


def _answer(opco: str, rows: list[PanneRow]) -> PannesEnCours:
    return PannesEnCours(
        opco=opco,
        pannes=[
            PanneEnCours(
                chemin=r.chemin,
                methode=r.methode,
                latenceMs=r.latence_ms,
                statut=r.statut,
                proportion=None if r.part is None else r.part / pannes.SHARE_SCALE,
                restantes=r.restantes,
                vues=r.vues,
            )
            for r in rows
        ],
    )
