"""The journal of an espace and its conformance report, under `/_sandbox/espaces/{espace}`."""

import base64
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import HTMLResponse, Response

from sandbox.errors import FORMAT_INVALIDE
from sandbox.journal import formats as rapport_formats
from sandbox.journal import rapport
from sandbox.journal.repository import Filters, JournalRepository
from sandbox.journal.schemas import Journal, entree_answer
from sandbox.server.dependencies import CONTROL_PREFIX, EspaceDep, control_router
from sandbox.server.openapi import CONTROL, answers

router = control_router()


@router.get(
    CONTROL_PREFIX + "/journal",
    summary="Journal des requêtes de l'espace",
    responses=answers(*CONTROL, FORMAT_INVALIDE),
)
def journal(
    current: EspaceDep,
    opco: Annotated[str | None, Query(description="code de l'OPCO (akto…)")] = None,
    statut: Annotated[
        int | None, Query(ge=100, le=599, description="statut HTTP de la réponse")
    ] = None,
    depuis: Annotated[
        datetime | None, Query(description="instant (ISO 8601) : les entrées à partir de lui")
    ] = None,
    limite: Annotated[int, Query(ge=1, le=1000, description="entrées par page")] = 100,
    suivant: Annotated[
        str | None, Query(description="curseur rendu par la page précédente")
    ] = None,
) -> Journal:
    """Les requêtes des API OPCO et CFADock (pas celles de l'API de contrôle), de la plus
    ancienne à la plus récente, avec leurs en-têtes, leurs corps (64 Ko au plus), leurs
    codes d'erreur et des diagnostics ; NIR, IBAN, clés, secrets et jetons masqués. Les
    entrées au-delà de la limite de rétention de l'espace sont oubliées."""
    filters = Filters(opco, statut, _utc(depuis), _after(suivant))
    rows = JournalRepository.of(current).matching(filters, limite)
    more = len(rows) > limite
    return Journal(
        entrees=[entree_answer(row) for row in rows[:limite]],
        suivant=_cursor(rows[limite - 1].id) if more else None,
    )


def _cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"j{last_id}".encode()).decode().rstrip("=")


def _after(cursor: str | None) -> int:
    """The last id of the previous page, from its opaque cursor."""
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("j") and text[1:].isdigit():
            return int(text[1:])
    except ValueError:
        pass
    raise FORMAT_INVALIDE.error("suivant", detail="Ce curseur n'a pas été rendu par le journal.")


def _utc(instant: datetime | None) -> datetime | None:
    """As the journal stores instants: UTC, without a zone (one without is taken as UTC)."""
    if instant is None or instant.tzinfo is None:
        return instant
    return instant.astimezone(UTC).replace(tzinfo=None)


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
