"""Invoices, per OPCO: `POST /v1/factures`, one invoice, the pages of the CFA's invoices."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request

from sandbox.api import schemas
from sandbox.api.errors import error_response
from sandbox.api.opco_routes import (
    CallerDep,
    api_key,
    opco_code,
    page_number,
    page_size,
    raw_body,
    software_headers,
)
from sandbox.api.routing import OpcoRoute
from sandbox.domain import facturation
from sandbox.domain.facture import FactureBody

router = APIRouter(
    route_class=OpcoRoute,
    tags=["OPCO : factures"],
    dependencies=[Depends(opco_code), Depends(api_key), Depends(software_headers)],
)

REJECTED: dict[int | str, dict[str, Any]] = {
    422: {"model": schemas.ErrorBody, "description": "facture rejetée (conservée)"}
}


@router.post("/v1/factures", status_code=201, summary="Transmettre une facture", responses=REJECTED)
def transmettre_facture(
    request: Request,
    who: CallerDep,
    facture: Annotated[FactureBody, Body()],
    raw: Annotated[Any, Depends(raw_body)],
) -> Any:
    """Toutes les règles de rejet sont jugées ; une facture rejetée est conservée
    (`REJETEE`, avec ses motifs) et son numéro peut être renvoyé une fois corrigée."""
    assert who.cfa is not None
    outcome = facturation.submit(who.espace, who.opco.code, who.cfa, facture, raw)
    if outcome.problems:
        return error_response(request, 422, outcome.problems)
    return schemas.AccuseFacture(numeroFacture=facture.numeroFacture, etat=outcome.facture.etat)


@router.get("/v1/factures/etats", summary="États des factures du CFA, par page")
def etats_factures(
    who: CallerDep, numeroPage: page_number = 1, taillePage: page_size = 50
) -> schemas.EtatsFactures:
    """Toutes les factures du CFA chez cet OPCO, rejetées comprises, de la plus ancienne à la
    plus récente."""
    assert who.cfa is not None
    total, rows = facturation.factures_page(
        who.espace, who.opco.code, who.cfa.siret, numeroPage, taillePage
    )
    return schemas.EtatsFactures(
        total=total,
        count=len(rows),
        page=numeroPage,
        factures=[schemas.facture_answer(r) for r in rows],
    )


@router.get("/v1/factures", summary="Lire une facture par son numéro")
def facture(
    who: CallerDep,
    numeroFacture: Annotated[str, Query(min_length=1, description="numéro de la facture")],
) -> schemas.Facture:
    """La dernière facture du CFA sous ce numéro (les précédentes ont été rejetées)."""
    assert who.cfa is not None
    row = facturation.facture_of_cfa(who.espace, who.opco.code, who.cfa.siret, numeroFacture)
    return schemas.facture_answer(row)
