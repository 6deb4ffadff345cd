"""Invoices, per OPCO: `POST /v1/factures`, one invoice, the pages of the CFA's invoices."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request

from sandbox.dossiers.routes import (
    CallerDep,
    api_key,
    opco_code,
    page_number,
    page_size,
    raw_body,
    software_headers,
)
from sandbox.factures import service as facturation
from sandbox.factures.schemas import FactureBody
from sandbox.server import schemas
from sandbox.server.handlers import error_response
from sandbox.server.openapi import BODY, CFA, errors
from sandbox.server.pipeline import OpcoRoute

router = APIRouter(
    route_class=OpcoRoute,
    tags=["OPCO : factures"],
    dependencies=[Depends(opco_code), Depends(api_key), Depends(software_headers)],
)

ACCEPTED: dict[int | str, dict[str, Any]] = {
    201: {"model": schemas.AccuseFacture, "description": "Facture acceptée, en instruction."}
}
REJECTION = (
    "Une facture qui enfreint une règle est rejetée et conservée (`REJETEE`, avec ses motifs) ; "
    "chaque règle enfreinte est un élément de la réponse : `FACTURE_DEJA_CONNUE`, "
    "`IBAN_DIFFERENT`, `FRAIS_ANNEXES_PLAFOND`, `IBAN_ABSENT`, `MONTANT_ECHEANCE_INCORRECT`, "
    "`SIRET_EMETTEUR_INCONNU`, `SIRET_DIFFERENT`, `NUMERO_EXTERNE_ABSENT`, "
    "`ECHEANCE_NON_OUVERTE`, `MONTANT_INCORRECT`, `MONTANT_TOTAL_INCOHERENT`, "
    "`NUMERO_ECHEANCE_INCONNU`, `DOSSIER_INCONNU`, `DOSSIER_NON_FACTURABLE`."
)


@router.post(
    "/v1/factures",
    status_code=201,
    summary="Transmettre une facture",
    responses=ACCEPTED
    | errors(
        *CFA,
        *BODY,
        "FACTURE_DEJA_CONNUE",
        "IBAN_DIFFERENT",
        "MONTANT_TOTAL_INCOHERENT",
        "ECHEANCE_NON_OUVERTE",
        s422=REJECTION,
    ),
)
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
    # Accepted means in instruction, even at an OPCO that pays the same day.
    return schemas.AccuseFacture(numeroFacture=facture.numeroFacture, etat="EN_COURS_INSTRUCTION")


@router.get(
    "/v1/factures/etats",
    summary="États des factures du CFA, par page",
    responses=errors(*CFA, "FORMAT_INVALIDE"),
)
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


@router.get(
    "/v1/factures",
    summary="Lire une facture par son numéro",
    responses=errors(*CFA, "CHAMP_OBLIGATOIRE", "FORMAT_INVALIDE", "FACTURE_INCONNUE"),
)
def facture(
    who: CallerDep,
    numeroFacture: Annotated[str, Query(min_length=1, description="Numéro de la facture.")],
) -> schemas.Facture:
    """La dernière facture du CFA sous ce numéro (les précédentes ont été rejetées).

    La facture d'un autre CFA répond comme une facture inexistante : 404 `FACTURE_INCONNUE`."""
    assert who.cfa is not None
    row = facturation.facture_of_cfa(who.espace, who.opco.code, who.cfa.siret, numeroFacture)
    return schemas.facture_answer(row)
