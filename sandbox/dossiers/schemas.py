"""Answer shapes of the dossiers, mirroring the contract, and how rows become answers."""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from sandbox.core.money import Money
from sandbox.core.tables import DossierRow, EcheanceRow
from sandbox.dossiers.states import Etat
from sandbox.errors import Problem


class Avertissement(BaseModel):
    """Une anomalie non bloquante."""

    code: str = Field(description="identifiant stable, par exemple MANDAT_GESTION_ABSENT")
    message: str = Field(description="phrase en français pour une personne")


class Accuse(BaseModel):
    """L'accusé de réception d'un contrat transmis."""

    numeroInterne: str = Field(description="numéro du dossier chez le CFA")
    numeroExterne: str = Field(description="numéro du dossier chez l'OPCO")
    etat: Etat = Field(description="état du dossier : TRANSMIS à sa réception")
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
    etat: Etat = Field(description="état du dossier")
    dateMiseAJour: date = Field(description="date du dernier changement d'état")


class EtatsDossiers(BaseModel):
    """Une page des dossiers du CFA."""

    total: int = Field(description="nombre de dossiers du CFA")
    count: int = Field(description="nombre de dossiers dans cette page")
    page: int = Field(description="numéro de la page, à partir de 1")
    EtatDossierResult: list[EtatDossier] = Field(description="les dossiers de la page")


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
        montantTotal=row.montant_total,
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
