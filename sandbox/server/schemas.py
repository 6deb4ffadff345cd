"""Answer shapes, mirroring the contract, and how rows become answers."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainSerializer

from sandbox.core.tables import DossierRow, EcheanceRow, FactureRow
from sandbox.errors import Problem

# Amounts are exact decimals inside, JSON numbers outside (euros, two decimals).
Money = Annotated[Decimal, PlainSerializer(float, return_type=float)]


class ErrorItem(BaseModel):
    """Une erreur : un code stable, un message, le champ en cause."""

    code: str = Field(description="identifiant stable, en majuscules", examples=["NIR_INVALIDE"])
    message: str = Field(description="phrase en français pour une personne")
    champ: str | None = Field(
        None,
        description="chemin pointé du champ en cause, ou null",
        examples=["cerfa.apprenti.nir"],
    )


class ErrorBody(BaseModel):
    """La forme de toute erreur, quel que soit son statut."""

    errors: list[ErrorItem] = Field(description="une entrée par erreur constatée")


class Status(BaseModel):
    """L'état du service d'un OPCO."""

    status: str = Field(description="OK quand l'OPCO répond")
    opco: str = Field(description="code de l'OPCO dans l'URL")
    nom: str = Field(description="nom officiel de l'OPCO")


class CfaKeyInfo(BaseModel):
    """Ce que la clé API dit du CFA."""

    status: str = Field(description="success")
    siret: str = Field(description="SIRET du CFA de la clé")
    dateFinValidite: date | None = Field(description="fin de validité de la clé, ou null")


class Avertissement(BaseModel):
    """Une anomalie non bloquante."""

    code: str = Field(description="identifiant stable, par exemple MANDAT_GESTION_ABSENT")
    message: str = Field(description="phrase en français pour une personne")


class Accuse(BaseModel):
    """L'accusé de réception d'un contrat transmis."""

    numeroInterne: str = Field(description="numéro du dossier chez le CFA")
    numeroExterne: str = Field(description="numéro du dossier chez l'OPCO")
    etat: str = Field(description="TRANSMIS")
    avertissements: list[Avertissement] = Field(description="anomalies non bloquantes")


class Echeance(BaseModel):
    """Une échéance de l'engagement : ce que le CFA peut facturer, à partir de quand."""

    numero: int = Field(description="rang de l'échéance, à partir de 1")
    codification: str = Field(description="E1, E2…")
    dateOuverture: date = Field(description="date à partir de laquelle elle se facture")
    dateDebut: date = Field(description="début de la période qu'elle paie")
    dateFin: date = Field(description="fin de la période qu'elle paie")
    montantTotal: Money = Field(description="montantPedagogique + montantRqth, en euros")
    montantPedagogique: Money = Field(description="part pédagogique (NPEC), en euros")
    montantRqth: Money = Field(description="majoration RQTH, 0 sans handicap")
    montantRegle: Money = Field(description="montant déjà payé")
    montantEnCoursInstruction: Money = Field(description="montant facturé, pas encore payé")
    siret: str = Field(description="SIRET du CFA à qui elle est due")
    iban: str = Field(description="IBAN du CFA connu de l'OPCO")


class Dossier(BaseModel):
    """Un dossier, dans la forme de l'API réelle : l'état dans le CERFA, l'argent à côté."""

    cerfa: dict[str, Any] = Field(description="le CERFA transmis, avec l'état du dossier")
    engagement: Money | None = Field(description="montant engagé, null avant l'engagement")
    echeances: list[Echeance] = Field(description="l'échéancier, vide avant l'engagement")
    engagementsFraisAnnexe: list[dict[str, Any]] = Field(description="frais annexes engagés")


class EtatDossier(BaseModel):
    """L'état d'un dossier, dans une page."""

    numeroInterne: str | None = Field(description="numéro du dossier chez le CFA")
    numeroExterne: str = Field(description="numéro du dossier chez l'OPCO")
    numeroDeca: str | None = Field(description="numéro DECA, une fois engagé")
    etat: str = Field(
        description="TRANSMIS, EN_COURS_INSTRUCTION, ENGAGE, REFUSE, ANNULE, RUPTURE ou SOLDE"
    )
    dateMiseAJour: date = Field(description="date du dernier changement d'état")


class EtatsDossiers(BaseModel):
    """Une page des dossiers du CFA."""

    total: int = Field(description="nombre de dossiers du CFA")
    count: int = Field(description="nombre de dossiers dans cette page")
    page: int = Field(description="numéro de la page, à partir de 1")
    EtatDossierResult: list[EtatDossier] = Field(description="les dossiers de la page")


class MotifRejet(BaseModel):
    """Une raison du rejet d'une facture."""

    code: str = Field(description="règle de rejet, ou REJET_OPCO pour un rejet de l'OPCO")
    message: str = Field(description="phrase en français pour une personne")
    champ: str | None = Field(None, description="chemin pointé du champ en cause, ou null")


class Facture(BaseModel):
    """Une facture du CFA, telle qu'envoyée, avec son état."""

    numeroFacture: str = Field(description="numéro de la facture chez le CFA")
    etat: str = Field(description="EN_COURS_INSTRUCTION, REGLEE ou REJETEE")
    dateFacture: date = Field(description="date de la facture")
    montantTotal: Money = Field(description="montant total, en euros")
    montantRegle: Money | None = Field(description="montant payé, une fois réglée")
    dateReglement: date | None = Field(description="date du paiement, une fois réglée")
    emetteur: dict[str, Any] | None = Field(description="émetteur, tel qu'envoyé")
    lignes: list[dict[str, Any]] = Field(description="lignes, telles qu'envoyées")
    motifsRejet: list[MotifRejet] = Field(description="les raisons d'un rejet")
    certificatRealisation: dict[str, Any] | None = Field(description="tel qu'envoyé")


class AccuseFacture(BaseModel):
    """L'accusé de réception d'une facture acceptée."""

    numeroFacture: str = Field(description="numéro de la facture chez le CFA")
    etat: str = Field(description="EN_COURS_INSTRUCTION")


class EtatsFactures(BaseModel):
    """Une page des factures du CFA."""

    total: int = Field(description="nombre de factures du CFA")
    count: int = Field(description="nombre de factures dans cette page")
    page: int = Field(description="numéro de la page, à partir de 1")
    factures: list[Facture] = Field(description="les factures de la page")


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
