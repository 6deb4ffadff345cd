"""Answer shapes, mirroring the contract, and how rows become answers."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainSerializer

from sandbox.errors import Problem
from sandbox.storage.tables import DossierRow, EcheanceRow, FactureRow

# Amounts are exact decimals inside, JSON numbers outside (euros, two decimals).
Money = Annotated[Decimal, PlainSerializer(float, return_type=float)]


class ErrorItem(BaseModel):
    code: str = Field(description="identifiant stable, en majuscules")
    message: str = Field(description="phrase en français pour une personne")
    champ: str | None = Field(None, description="chemin pointé du champ en cause")


class ErrorBody(BaseModel):
    errors: list[ErrorItem]


class Status(BaseModel):
    status: str = Field(description="OK quand l'OPCO répond")
    opco: str = Field(description="code de l'OPCO dans l'URL")
    nom: str = Field(description="nom officiel de l'OPCO")


class CfaKeyInfo(BaseModel):
    status: str = Field(description="success")
    siret: str = Field(description="SIRET du CFA de la clé")
    dateFinValidite: date | None = Field(description="fin de validité de la clé, ou null")


class Avertissement(BaseModel):
    code: str
    message: str


class Accuse(BaseModel):
    numeroInterne: str = Field(description="numéro du dossier chez le CFA")
    numeroExterne: str = Field(description="numéro du dossier chez l'OPCO")
    etat: str = Field(description="TRANSMIS")
    avertissements: list[Avertissement] = Field(description="anomalies non bloquantes")


class Echeance(BaseModel):
    numero: int
    codification: str
    dateOuverture: date
    dateDebut: date
    dateFin: date
    montantTotal: Money
    montantPedagogique: Money
    montantRqth: Money
    montantRegle: Money
    montantEnCoursInstruction: Money
    siret: str
    iban: str


class Dossier(BaseModel):
    cerfa: dict[str, Any] = Field(description="le CERFA transmis, avec l'état du dossier")
    engagement: Money | None = Field(description="montant engagé, null avant l'engagement")
    echeances: list[Echeance] = Field(description="l'échéancier, vide avant l'engagement")
    engagementsFraisAnnexe: list[dict[str, Any]] = Field(description="frais annexes engagés")


class EtatDossier(BaseModel):
    numeroInterne: str | None
    numeroExterne: str
    numeroDeca: str | None
    etat: str
    dateMiseAJour: date


class EtatsDossiers(BaseModel):
    total: int = Field(description="nombre de dossiers du CFA")
    count: int = Field(description="nombre de dossiers dans cette page")
    page: int = Field(description="numéro de la page, à partir de 1")
    EtatDossierResult: list[EtatDossier]


class MotifRejet(BaseModel):
    code: str = Field(description="règle de rejet, ou REJET_OPCO pour un rejet de l'OPCO")
    message: str
    champ: str | None = None


class Facture(BaseModel):
    numeroFacture: str
    etat: str = Field(description="EN_COURS_INSTRUCTION, REGLEE ou REJETEE")
    dateFacture: date
    montantTotal: Money
    montantRegle: Money | None = Field(description="montant payé, une fois réglée")
    dateReglement: date | None = Field(description="date du paiement, une fois réglée")
    emetteur: dict[str, Any] | None = Field(description="émetteur, tel qu'envoyé")
    lignes: list[dict[str, Any]] = Field(description="lignes, telles qu'envoyées")
    motifsRejet: list[MotifRejet] = Field(description="les raisons d'un rejet")
    certificatRealisation: dict[str, Any] | None = Field(description="tel qu'envoyé")


class AccuseFacture(BaseModel):
    numeroFacture: str
    etat: str = Field(description="EN_COURS_INSTRUCTION")


class EtatsFactures(BaseModel):
    total: int = Field(description="nombre de factures du CFA")
    count: int = Field(description="nombre de factures dans cette page")
    page: int = Field(description="numéro de la page, à partir de 1")
    factures: list[Facture]


def facture_answer(row: FactureRow) -> Facture:
    return Facture(
        numeroFacture=row.numero_facture,
        etat=row.etat,
        dateFacture=row.date_facture,
        montantTotal=row.montant_total,
        montantRegle=row.montant_regle,
        dateReglement=row.date_reglement,
        emetteur=row.emetteur,
        lignes=list(row.lignes),
        motifsRejet=[MotifRejet(**m) for m in row.motifs_rejet],
        certificatRealisation=row.certificat,
    )


def avertissements(problems: list[Problem]) -> list[Avertissement]:
    return [Avertissement(code=p.code, message=p.message) for p in problems]


def dossier_answer(row: DossierRow) -> Dossier:
    cerfa = dict(row.cerfa) | {
        "numeroInterne": row.numero_interne,
        "numeroExterne": row.numero_externe,
        "numeroDeca": row.numero_deca,
        "etat": row.etat,
        "commentaireEtat": row.commentaire_etat,
        "dateMiseAJour": row.date_mise_a_jour.isoformat(),
        "aRegulariser": row.a_regulariser,
    }
    return Dossier(
        cerfa=cerfa,
        engagement=row.engagement,
        echeances=[echeance_answer(e) for e in row.echeances],
        engagementsFraisAnnexe=list(row.frais_annexes),
    )


def echeance_answer(row: EcheanceRow) -> Echeance:
    return Echeance(
        numero=row.numero,
        codification=row.codification,
        dateOuverture=row.date_ouverture,
        dateDebut=row.date_debut,
        dateFin=row.date_fin,
        montantTotal=row.montant_pedagogique + row.montant_rqth,
        montantPedagogique=row.montant_pedagogique,
        montantRqth=row.montant_rqth,
        montantRegle=row.montant_regle,
        montantEnCoursInstruction=row.montant_en_cours,
        siret=row.siret,
        iban=row.iban,
    )


def etat_answer(row: DossierRow) -> EtatDossier:
    return EtatDossier(
        numeroInterne=row.numero_interne,
        numeroExterne=row.numero_externe,
        numeroDeca=row.numero_deca,
        etat=row.etat,
        dateMiseAJour=row.date_mise_a_jour,
    )
