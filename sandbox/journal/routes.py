"""The journal of an espace and its conformance report, under `/_sandbox/espaces/{espace}`."""

from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import HTMLResponse, Response

from sandbox.errors import FORMAT_INVALIDE
from sandbox.journal import formats as rapport_formats
from sandbox.journal import rapport
from sandbox.journal.repository import JournalRepository
from sandbox.journal.schemas import Journal, entree_answer
from sandbox.server.dependencies import CONTROL_PREFIX, EspaceDep, control_router
from sandbox.server.openapi import CONTROL, answers

router = control_router()


@router.get(
    CONTROL_PREFIX + "/journal",
    summary="Journal des requêtes de l'espace",
    responses=answers(*CONTROL),
)
def journal(current: EspaceDep) -> Journal:
    """Les requêtes des API OPCO et CFADock (pas celles de l'API de contrôle), de la plus
    ancienne à la plus récente, avec leurs codes d'erreur et des diagnostics."""
    return Journal(entrees=[entree_answer(row) for row in JournalRepository.of(current).entries()])


REPORT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/json": {}, "text/html": {}, "application/xml": {}},
        "description": "le rapport, en JSON, HTML ou JUnit XML",
    }
}


@router.get(
    CONTROL_PREFIX + "/rapport",
    summary="Rapport de conformité",
    response_model=None,
    responses=REPORT | answers(*CONTROL, FORMAT_INVALIDE),
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
    built = rapport.build(JournalRepository.of(current).entries())
    name = current.nom
    if format == "html":
        return HTMLResponse(rapport_formats.as_html(name, built))
    if format == "junit":
        return Response(rapport_formats.as_junit(name, built), media_type="application/xml")
    return rapport_formats.as_json(name, built)
