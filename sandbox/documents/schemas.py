"""The JSON parts of `POST /v1/conventions` and `POST /v1/documents` (production's fields,
contract §9b), and the answers about the files received."""

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from sandbox.core.tables import DocumentRow
from sandbox.core.types import Date, OpenModel
from sandbox.scenarios import demo

Identifiant = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"\S")]
TypeFichier = Literal[
    "CERTIFICAT_REALISATION",
    "CONVENTION_FORMATION",
    "CONVENTION_REDUCTION_DUREE",
    "CONVENTION_MOBILITE",
    "FACTURE",
]
Bloc = dict[str, Any] | None


class ConventionBody(OpenModel):
    """La partie `convention` (JSON) de `POST /v1/conventions` : conservée telle qu'envoyée."""

    numeroInterneDossier: Identifiant = Field(description="numéro du dossier chez le CFA")
    employeur: Bloc = Field(None, description="employeur : siret…")
    apprenti: Bloc = Field(None, description="apprenti : nom, nomUsage, prenom")
    contrat: Bloc = Field(None, description="contrat : dateDebutContrat, dateFinContrat")
    organismeFormation: Bloc = Field(None, description="CFA : siret, uaiCfa")
    formation: Bloc = Field(None, description="formation : rncp, intituleQualification…")
    couts: Bloc = Field(
        None,
        description="coûts : coutTotalPedagogieCFA, montantRQTHAnnee1…4, nombreRepasTotaux, "
        "nombreHebergementTotaux, montantPremierEquipement…",
    )
    mandatEmployeur: bool | None = Field(
        None, description="true : le mandat de gestion de l'employeur est donné"
    )
    dateSignature: Date | None = Field(None, description="date de signature")
    attestationConventionSigneeEntreprise: bool | None = None
    attestationConventionSigneeCFA: bool | None = None
    attestationConventionSignatureProbante: bool | None = None
    attestationConventionConformeJSON: bool | None = None


class ObjetDocument(OpenModel):
    """Ce à quoi le document se rattache."""

    typeObjet: Literal["FACTURE", "DOSSIER_APPRENTISSAGE"] = Field(
        description="FACTURE ou DOSSIER_APPRENTISSAGE"
    )
    idObjet: Identifiant = Field(
        description="numeroInterneFacture, ou numeroInterne du dossier chez le CFA"
    )


class InfosFichier(OpenModel):
    """La partie `infosFichier` (JSON) de `POST /v1/documents`."""

    typeFichier: TypeFichier = Field(description="nature du document")
    objets: list[ObjetDocument] = Field(
        min_length=1, max_length=100, description="les factures ou dossiers concernés"
    )


class AccuseDocument(BaseModel):
    """L'accusé de réception d'un fichier : son numéro chez l'OPCO."""

    numeroInterneDocument: str = Field(description="numéro du document chez l'OPCO")


class Lien(BaseModel):
    """Ce à quoi un fichier se rattache."""

    typeObjet: str = Field(description="FACTURE ou DOSSIER_APPRENTISSAGE")
    idObjet: str = Field(description="numeroInterneFacture, ou numeroInterne du dossier")


class Document(BaseModel):
    """(sandbox) Un fichier reçu, sans son contenu."""

    numeroInterneDocument: str = Field(description="numéro du document chez l'OPCO")
    opco: str = Field(description="l'OPCO qui l'a reçu")
    cfa: str = Field(description="SIRET du CFA qui l'a envoyé")
    typeFichier: str = Field(description="nature du document (FACTURE pour le PDF d'une facture)")
    nom: str = Field(description="nom du fichier envoyé")
    taille: int = Field(description="taille en octets")
    sha256: str = Field(description="empreinte SHA-256 du contenu, en hexadécimal")
    dateReception: date = Field(description="date de réception (horloge de l'espace)")
    objets: list[Lien] = Field(description="les factures ou dossiers auxquels il se rattache")
    donnees: dict[str, Any] | None = Field(description="la partie JSON d'une convention")


class Documents(BaseModel):
    """(sandbox) Les fichiers reçus dans l'espace."""

    documents: list[Document] = Field(
        description="les fichiers reçus, du plus ancien au plus récent"
    )


# The convention of `demo`'s engaged dossier, a certificate attached to it, and the answers:
# the documentation's examples, each accepted as is by an espace holding `demo`.
CONVENTION_EXAMPLE: dict[str, Any] = {
    "numeroInterneDossier": demo.ENGAGE_INTERNE,
    "employeur": {"siret": demo.EMPLOYEUR_SIRET},
    "apprenti": {"nom": "Dupont", "prenom": "Léa"},
    "contrat": {"dateDebutContrat": "2026-09-01", "dateFinContrat": "2028-08-31"},
    "organismeFormation": {"siret": demo.CFA_SIRET, "uaiCfa": demo.CFA_UAI},
    "formation": {"rncp": "RNCP35185", "intituleQualification": "CAP Boulanger"},
    "couts": {"coutTotalPedagogieCFA": 14000.00, "nombreRepasTotaux": 100},
    "mandatEmployeur": True,
    "dateSignature": "2026-08-20",
    "attestationConventionSigneeEntreprise": True,
    "attestationConventionSigneeCFA": True,
    "attestationConventionSignatureProbante": True,
    "attestationConventionConformeJSON": True,
}
INFOS_FICHIER_EXAMPLE: dict[str, Any] = {
    "typeFichier": "CERTIFICAT_REALISATION",
    "objets": [{"typeObjet": "DOSSIER_APPRENTISSAGE", "idObjet": demo.ENGAGE_INTERNE}],
}
ACCUSE_DOCUMENT_EXAMPLE = {"numeroInterneDocument": demo.PREMIER_DOCUMENT}
DOCUMENTS_EXAMPLE = {
    "documents": [
        {
            "numeroInterneDocument": demo.PREMIER_DOCUMENT,
            "opco": demo.OPCO,
            "cfa": demo.CFA_SIRET,
            "typeFichier": "CERTIFICAT_REALISATION",
            "nom": "certificat.pdf",
            "taille": 77,
            "sha256": "56c2ac043c28d3543275a6f50b593a6beb0b6888ed8159ac02e3e7f4a32ccb26",
            "dateReception": demo.DATE,
            "objets": INFOS_FICHIER_EXAMPLE["objets"],
            "donnees": None,
        }
    ]
}


def document_answer(row: DocumentRow) -> Document:
    return Document(
        numeroInterneDocument=row.numero_interne,
        opco=row.opco,
        cfa=row.siret_cfa,
        typeFichier=row.type_fichier,
        nom=row.nom,
        taille=row.taille,
        sha256=row.sha256,
        dateReception=row.date_reception,
        objets=[Lien(**lien) for lien in row.liens],
        donnees=row.donnees,
    )
