"""Invoices, per OPCO: `POST /v1/factures` (multipart, production's shape), one invoice, the
pages of the CFA's invoices."""

from typing import Annotated, Any

from fastapi import Depends, Query, Request

from sandbox.errors import (
    CHAMP_OBLIGATOIRE,
    FACTURE_INCONNUE,
    FICHIER_ABSENT,
    FICHIER_INVALIDE,
    FORMAT_INVALIDE,
)
from sandbox.factures import service as facturation
from sandbox.factures.rules import RULES
from sandbox.factures.schemas import (
    ACCUSE_FACTURE_EXAMPLE,
    ETATS_FACTURES_EXAMPLE,
    FACTURE_ANSWER_EXAMPLE,
    FACTURE_EXAMPLE,
    AccuseFacture,
    EtatFacture,
    EtatsFactures,
    Facture,
    FactureBody,
)
from sandbox.scenarios import demo
from sandbox.server.dependencies import (
    CallerDep,
    FilePart,
    JsonText,
    PageNumber,
    PageSize,
    json_form,
    json_part,
    multipart_only,
    opco_router,
    pdf_part,
)
from sandbox.server.handlers import error_response
from sandbox.server.openapi import BODY, CFA, answers, demo_examples, success

router = opco_router(["OPCO : factures"])
# The pages: `/v1` a bare array, `/v2` paged (production's two shapes).
pages = opco_router(["OPCO : factures"], v2_twins=False)

REJECTION = (
    "Une facture qui enfreint une règle est rejetée et conservée (`REJETE`, avec ses motifs, "
    "son `numeroInterneFacture` à côté de `errors`) ; chaque règle enfreinte est un élément "
    "de la réponse : " + ", ".join(f"`{kind.code}`" for kind in RULES) + "."
)


ACCEPTED: dict[int | str, dict[str, Any]] = {
    200: {
        "model": AccuseFacture,
        "description": "Facture acceptée, en instruction.",
        "content": {"application/json": {"example": ACCUSE_FACTURE_EXAMPLE}},
    }
}
# DOSSIER_INCONNU, 404 where a dossier is read, is a rejection reason here (400): the note
# names it among the others.
REFUSED = answers(
    *CFA,
    *BODY,
    FICHIER_ABSENT,
    FICHIER_INVALIDE,
    *(kind for kind in RULES if kind.status == 400),
    s400=REJECTION,
)


@router.post(
    "/v1/factures",
    status_code=200,
    summary="Transmettre une facture (multipart : facture + fichier)",
    dependencies=[Depends(multipart_only)],
    responses=ACCEPTED | REFUSED,
)
def transmettre_facture(
    request: Request,
    who: CallerDep,
    facture: Annotated[JsonText, json_form(FACTURE_EXAMPLE)],
    fichier: FilePart = None,
) -> Any:
    """`multipart/form-data` : la partie `facture` (JSON) et la partie `fichier` (le PDF, 10 Mo
    au plus). Toutes les règles de rejet sont jugées ; une facture rejetée est conservée
    (`REJETE`) et son `numero` peut être renvoyé une fois corrigée. Sans `numero`, l'OPCO
    attribue la référence (le `numeroInterneFacture`)."""
    body, raw = json_part(facture, FactureBody, "facture")
    pdf = pdf_part(fichier)
    # The conformance report counts both (the journal keeps no bodies).
    who.note(facturation.situation(body))
    outcome = facturation.submit(who.espace, who.opco.code, who.require_cfa(), body, raw, pdf)
    row = outcome.facture
    if outcome.problems:
        # A rejection answers 400 whatever its rules: DOSSIER_INCONNU, 404 where a dossier
        # is read, is here a reason among others.
        return error_response(
            request, 400, outcome.problems, numeroInterneFacture=row.numero_interne
        )
    # Accepted means in instruction, even at an OPCO that pays the same day.
    return AccuseFacture(
        numeroInterneFacture=row.numero_interne,
        numeroInterneDocument=row.numero_document or "",
        etatFacture=EtatFacture.EN_COURS_INSTRUCTION,
    )


@pages.get(
    "/v1/factures/etats",
    summary="États de toutes les factures du CFA",
    responses=success([FACTURE_ANSWER_EXAMPLE]) | answers(*CFA),
)
def etats_factures(who: CallerDep) -> list[Facture]:
    """Un tableau JSON de toutes les factures du CFA chez cet OPCO, rejetées comprises, de la
    plus ancienne à la plus récente. `/v2/factures/etats` les donne par page."""
    rows = facturation.factures_of_cfa(who.espace, who.opco.code, who.require_cfa().siret)
    return facturation.answers(who.espace, rows)


@pages.get(
    "/v2/factures/etats",
    summary="États des factures du CFA, par page",
    responses=success(ETATS_FACTURES_EXAMPLE) | answers(*CFA, FORMAT_INVALIDE),
)
def etats_factures_par_page(
    who: CallerDep, numeroPage: PageNumber = 1, taillePage: PageSize = 50
) -> EtatsFactures:
    """Toutes les factures du CFA chez cet OPCO, rejetées comprises, de la plus ancienne à la
    plus récente. `FORMAT_INVALIDE` pour une page inférieure à 1 ou une taille hors de 1 à
    500 ; une page au-delà de la dernière est vide, avec le bon `total`."""
    page = facturation.factures_page(
        who.espace, who.opco.code, who.require_cfa().siret, numeroPage, taillePage
    )
    factures = facturation.answers(who.espace, page.rows)
    return EtatsFactures(total=page.total, count=len(factures), page=numeroPage, factures=factures)


Numero = Annotated[str | None, Query(max_length=64)]


@router.get(
    "/v1/factures",
    summary="Lire une facture par son numéro",
    responses=success(FACTURE_ANSWER_EXAMPLE)
    | answers(*CFA, CHAMP_OBLIGATOIRE, FORMAT_INVALIDE, FACTURE_INCONNUE),
)
def facture(
    who: CallerDep,
    numeroInterneFacture: Annotated[
        str | None,
        Query(
            max_length=64,
            openapi_examples=demo_examples(
                "La première facture de l'espace", demo.PREMIERE_FACTURE
            ),
        ),
    ] = None,
    referenceFactureCFA: Numero = None,
) -> Facture:
    """Par `numeroInterneFacture` (le numéro de l'OPCO) ou `referenceFactureCFA` (le `numero`
    du CFA : sa dernière facture sous ce numéro), l'un des deux exactement
    (`CHAMP_OBLIGATOIRE` sinon). La facture d'un autre CFA répond comme une facture
    inexistante : 404 `FACTURE_INCONNUE`."""
    numeros = {
        "numeroInterneFacture": numeroInterneFacture,
        "referenceFactureCFA": referenceFactureCFA,
    }
    row = facturation.facture_of_cfa(who.espace, who.opco.code, who.require_cfa().siret, numeros)
    [answered] = facturation.answers(who.espace, [row])
    return answered
