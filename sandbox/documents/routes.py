"""Conventions and documents (contract §9b): `POST /v1/conventions`, `POST /v1/documents`,
multipart like invoices; and the control API's view of the files received."""

from typing import Annotated, Any

from fastapi import Depends, Path
from fastapi.responses import Response

from sandbox.documents import service as documents
from sandbox.documents.schemas import (
    ACCUSE_DOCUMENT_EXAMPLE,
    CONVENTION_EXAMPLE,
    DOCUMENTS_EXAMPLE,
    INFOS_FICHIER_EXAMPLE,
    AccuseDocument,
    ConventionBody,
    Documents,
    InfosFichier,
    document_answer,
)
from sandbox.errors import (
    DOCUMENT_INCONNU,
    DOSSIER_INCONNU,
    FICHIER_ABSENT,
    FICHIER_INVALIDE,
    OBJET_INCONNU,
)
from sandbox.server.dependencies import (
    CONTROL_PREFIX,
    CallerDep,
    EspaceDep,
    FilePart,
    JsonText,
    control_router,
    json_form,
    json_part,
    multipart_only,
    opco_router,
    pdf_part,
)
from sandbox.server.openapi import BODY, CFA, CONTROL, answers, success

router = opco_router(["OPCO : documents"])
control = control_router()
FILES = (*CFA, *BODY, FICHIER_ABSENT, FICHIER_INVALIDE)
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "Le PDF reçu."}
}


@router.post(
    "/v1/conventions",
    summary="Transmettre une convention de formation (multipart : convention + fichier)",
    dependencies=[Depends(multipart_only)],
    responses=success(ACCUSE_DOCUMENT_EXAMPLE) | answers(*FILES, DOSSIER_INCONNU),
)
def transmettre_convention(
    who: CallerDep,
    convention: Annotated[JsonText, json_form(CONVENTION_EXAMPLE)],
    fichier: FilePart = None,
) -> AccuseDocument:
    """La partie `convention` (JSON, conservée telle qu'envoyée) d'un dossier du CFA
    (`numeroInterneDossier` ; inconnu : 404 `DOSSIER_INCONNU`) et la partie `fichier` (le
    PDF). `mandatEmployeur: true` lève l'avertissement `MANDAT_GESTION_ABSENT` du dossier,
    qui n'est plus à régulariser."""
    body, raw = json_part(convention, ConventionBody, "convention")
    pdf = pdf_part(fichier)
    row = documents.receive_convention(who.espace, who.opco.code, who.require_cfa(), body, raw, pdf)
    return AccuseDocument(numeroInterneDocument=row.numero_interne)


@router.post(
    "/v1/documents",
    summary="Joindre un document à une facture ou un dossier (multipart : infosFichier + fichier)",
    dependencies=[Depends(multipart_only)],
    responses=success(ACCUSE_DOCUMENT_EXAMPLE) | answers(*FILES, OBJET_INCONNU),
)
def transmettre_document(
    who: CallerDep,
    infosFichier: Annotated[JsonText, json_form(INFOS_FICHIER_EXAMPLE)],
    fichier: FilePart = None,
) -> AccuseDocument:
    """La partie `infosFichier` (`{"typeFichier", "objets": [{"typeObjet", "idObjet"}]}` :
    une facture par son `numeroInterneFacture`, un dossier par son `numeroInterne`, du CFA ;
    sinon 404 `OBJET_INCONNU`) et la partie `fichier` (le PDF)."""
    infos, _ = json_part(infosFichier, InfosFichier, "infosFichier")
    pdf = pdf_part(fichier)
    row = documents.receive_document(who.espace, who.opco.code, who.require_cfa(), infos, pdf)
    return AccuseDocument(numeroInterneDocument=row.numero_interne)


@control.get(
    CONTROL_PREFIX + "/documents",
    summary="Les fichiers reçus (métadonnées)",
    responses=success(DOCUMENTS_EXAMPLE) | answers(*CONTROL),
)
def liste_documents(current: EspaceDep) -> Documents:
    """Tous les fichiers reçus dans l'espace, de tout OPCO et de tout CFA, du plus ancien au
    plus récent : PDF des factures, conventions, documents, avec leur taille, leur SHA-256
    et ce à quoi ils se rattachent."""
    return Documents(documents=[document_answer(row) for row in documents.documents(current)])


@control.get(
    CONTROL_PREFIX + "/documents/{numeroInterneDocument}",
    summary="Un fichier reçu, tel quel",
    response_class=Response,
    responses=PDF | answers(*CONTROL, DOCUMENT_INCONNU),
)
def telecharger_document(
    current: EspaceDep,
    numeroInterneDocument: Annotated[
        str, Path(description="Numéro du document.", examples=["20000001"])
    ],
) -> Response:
    """Le fichier exactement tel que reçu (`application/pdf`)."""
    row = documents.document(current, numeroInterneDocument)
    return Response(
        bytes(row.contenu),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{row.numero_interne}.pdf"'},
    )
