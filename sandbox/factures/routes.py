"""Invoices, per OPCO: `POST /v1/factures`, one invoice, the pages of the CFA's invoices."""

from typing import Annotated, Any

from fastapi import Body, Query, Request

from sandbox.errors import (
    CHAMP_OBLIGATOIRE,
    ECHEANCE_NON_OUVERTE,
    FACTURE_DEJA_CONNUE,
    FACTURE_INCONNUE,
    FORMAT_INVALIDE,
    IBAN_DIFFERENT,
    MONTANT_TOTAL_INCOHERENT,
)
from sandbox.factures import service as facturation
from sandbox.factures.rules import RULES
from sandbox.factures.schemas import (
    AccuseFacture,
    EtatFacture,
    EtatsFactures,
    Facture,
    FactureBody,
    facture_answer,
)
from sandbox.server.dependencies import CallerDep, PageNumber, PageSize, RawBody, opco_router
from sandbox.server.handlers import error_response
from sandbox.server.openapi import BODY, CFA, answers

router = opco_router(["OPCO : factures"])

ACCEPTED: dict[int | str, dict[str, Any]] = {
    201: {"model": AccuseFacture, "description": "Facture acceptée, en instruction."}
}
REJECTION = (
    "Une facture qui enfreint une règle est rejetée et conservée (`REJETEE`, avec ses motifs) ; "
    "chaque règle enfreinte est un élément de la réponse : "
    + ", ".join(f"`{kind.code}`" for kind in RULES)
    + "."
)


@router.post(
    "/v1/factures",
    status_code=201,
    summary="Transmettre une facture",
    responses=ACCEPTED
    | answers(
        *CFA,
        *BODY,
        FACTURE_DEJA_CONNUE,
        IBAN_DIFFERENT,
        MONTANT_TOTAL_INCOHERENT,
        ECHEANCE_NON_OUVERTE,
        s422=REJECTION,
    ),
)
def transmettre_facture(
    request: Request, who: CallerDep, facture: Annotated[FactureBody, Body()], raw: RawBody
) -> Any:
    """Toutes les règles de rejet sont jugées ; une facture rejetée est conservée
    (`REJETEE`, avec ses motifs) et son numéro peut être renvoyé une fois corrigée."""
    outcome = facturation.submit(who.espace, who.opco.code, who.require_cfa(), facture, raw)
    if outcome.problems:
        return error_response(request, 422, outcome.problems)
    # Accepted means in instruction, even at an OPCO that pays the same day.
    return AccuseFacture(numeroFacture=facture.numeroFacture, etat=EtatFacture.EN_COURS_INSTRUCTION)


@router.get(
    "/v1/factures/etats",
    summary="États des factures du CFA, par page",
    responses=answers(*CFA, FORMAT_INVALIDE),
)
def etats_factures(
    who: CallerDep, numeroPage: PageNumber = 1, taillePage: PageSize = 50
) -> EtatsFactures:
    """Toutes les factures du CFA chez cet OPCO, rejetées comprises, de la plus ancienne à la
    plus récente."""
    page = facturation.factures_page(
        who.espace, who.opco.code, who.require_cfa().siret, numeroPage, taillePage
    )
    return EtatsFactures(
        total=page.total,
        count=len(page.rows),
        page=numeroPage,
        factures=[facture_answer(r) for r in page.rows],
    )


@router.get(
    "/v1/factures",
    summary="Lire une facture par son numéro",
    responses=answers(*CFA, CHAMP_OBLIGATOIRE, FORMAT_INVALIDE, FACTURE_INCONNUE),
)
def facture(
    who: CallerDep,
    numeroFacture: Annotated[str, Query(min_length=1, description="Numéro de la facture.")],
) -> Facture:
    """La dernière facture du CFA sous ce numéro (les précédentes ont été rejetées).

    La facture d'un autre CFA répond comme une facture inexistante : 404 `FACTURE_INCONNUE`."""
    siret = who.require_cfa().siret
    row = facturation.facture_of_cfa(who.espace, who.opco.code, siret, numeroFacture)
    return facture_answer(row)
