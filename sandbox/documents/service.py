"""Files sent by CFAs (contract §9, §9b): the PDF of an invoice, a convention de formation,
a document attached to an invoice or a dossier. Each is read in chunks, its size and
SHA-256 computed on the way, and kept with what it is attached to."""

import hashlib
from dataclasses import dataclass
from typing import Any, BinaryIO

from sandbox.config import Limits
from sandbox.core.tables import DocumentRow
from sandbox.documents.repository import DocumentRepository
from sandbox.documents.schemas import ConventionBody, InfosFichier
from sandbox.dossiers.repository import DossierRepository
from sandbox.errors import (
    DOCUMENT_INCONNU,
    DOSSIER_INCONNU,
    FICHIER_ABSENT,
    FICHIER_INVALIDE,
    OBJET_INCONNU,
    SandboxError,
)
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository
from sandbox.factures.repository import FactureRepository
from sandbox.scenarios.model import Cfa

CHUNK = 64 * 1024
PDF_MAGIC = b"%PDF-"
# numeroInterneDocument: 8 digits from one sequence of the espace (documents are listed and
# fetched per espace, whatever the OPCO), 20000001 first.
DOCUMENTS = "*"
DOCUMENT_BASE = 20_000_000
FACTURE, DOSSIER = "FACTURE", "DOSSIER_APPRENTISSAGE"


@dataclass(frozen=True)
class Fichier:
    """A PDF as received: read once, into one buffer."""

    nom: str
    taille: int
    sha256: str
    contenu: bytearray


def read_pdf(stream: BinaryIO | None, nom: str | None) -> Fichier:
    """The `fichier` part, checked: present, at most the settings' size, a PDF."""
    if stream is None:
        raise FICHIER_ABSENT.error()
    maximum = Limits().max_fichier_bytes
    megabytes = _megabytes(maximum)
    # From its start: a request played again (a concurrent insert) reads its file again.
    stream.seek(0)
    digest, content = hashlib.sha256(), bytearray()
    while chunk := stream.read(CHUNK):
        content += chunk
        digest.update(chunk)
        if len(content) > maximum:
            detail = f"le fichier dépasse {maximum} octets"
            raise FICHIER_INVALIDE.error(detail=detail, maximum=megabytes)
    if not content.startswith(PDF_MAGIC):
        detail = "le fichier ne commence pas par %PDF-"
        raise FICHIER_INVALIDE.error(detail=detail, maximum=megabytes)
    return Fichier((nom or "fichier.pdf")[:255], len(content), digest.hexdigest(), content)


def not_a_file() -> SandboxError:
    """A `fichier` part sent as a text field, without a file name."""
    return FICHIER_INVALIDE.error(
        detail="la partie « fichier » doit être envoyée comme un fichier",
        maximum=_megabytes(Limits().max_fichier_bytes),
    )


def _megabytes(octets: int) -> str:
    return f"{octets / (1024 * 1024):g}"


def store(
    espace: Espace,
    opco: str,
    siret_cfa: str,
    fichier: Fichier,
    type_fichier: str,
    liens: list[dict[str, str]],
    donnees: dict[str, Any] | None = None,
) -> DocumentRow:
    numero = DOCUMENT_BASE + EspaceRepository.of(espace).next_number(DOCUMENTS, "document")
    row = DocumentRow(
        opco=opco,
        siret_cfa=siret_cfa,
        numero_interne=str(numero),
        type_fichier=type_fichier,
        nom=fichier.nom,
        taille=fichier.taille,
        sha256=fichier.sha256,
        date_reception=espace.today,
        liens=liens,
        donnees=donnees,
        contenu=fichier.contenu,
    )
    return DocumentRepository.of(espace).add(row)


def receive_convention(
    espace: Espace,
    opco: str,
    cfa: Cfa,
    convention: ConventionBody,
    raw: dict[str, Any],
    fichier: Fichier,
) -> DocumentRow:
    """A convention de formation of one of the CFA's dossiers; `mandatEmployeur: true` is the
    employer's mandate the dossier lacked: it is no longer to regularise."""
    numero = convention.numeroInterneDossier
    dossier = DossierRepository.of(espace).of_cfa_by(opco, cfa.siret, "numeroInterne", numero)
    if dossier is None:
        raise DOSSIER_INCONNU.error(
            "convention.numeroInterneDossier", detail=f"aucun dossier {numero} de ce CFA"
        )
    if convention.mandatEmployeur and not dossier.mandat_gestion:
        dossier.mandat_gestion, dossier.a_regulariser = True, False
        dossier.date_mise_a_jour = espace.today
    lien = {"typeObjet": DOSSIER, "idObjet": numero}
    return store(espace, opco, cfa.siret, fichier, "CONVENTION_FORMATION", [lien], raw)


def receive_document(
    espace: Espace, opco: str, cfa: Cfa, infos: InfosFichier, fichier: Fichier
) -> DocumentRow:
    """A document attached to invoices or dossiers of the CFA, every one of them known."""
    factures, dossiers = FactureRepository.of(espace), DossierRepository.of(espace)
    for index, objet in enumerate(infos.objets):
        if objet.typeObjet == FACTURE:
            found: object = factures.of_cfa(opco, cfa.siret, objet.idObjet)
        else:
            found = dossiers.of_cfa_by(opco, cfa.siret, "numeroInterne", objet.idObjet)
        if found is None:
            raise OBJET_INCONNU.error(
                f"infosFichier.objets[{index}].idObjet",
                typeObjet=objet.typeObjet,
                idObjet=objet.idObjet,
            )
    liens = [{"typeObjet": o.typeObjet, "idObjet": o.idObjet} for o in infos.objets]
    return store(espace, opco, cfa.siret, fichier, infos.typeFichier, liens)


def documents(espace: Espace) -> list[DocumentRow]:
    return DocumentRepository.of(espace).every()


def document(espace: Espace, numero_interne: str) -> DocumentRow:
    found = DocumentRepository.of(espace).with_content(numero_interne)
    if found is None:
        raise DOCUMENT_INCONNU.error(numero=numero_interne)
    return found
