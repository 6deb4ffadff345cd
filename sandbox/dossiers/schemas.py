"""Answer shapes of the dossiers, mirroring the contract, and how rows become answers."""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from sandbox.core.money import Money
from sandbox.core.tables import DossierRow, EcheanceRow
from sandbox.dossiers.details import DetailsFacturation as Details
from sandbox.dossiers.details import ReadDossier
from sandbox.dossiers.states import Etat
from sandbox.errors import Problem


class Avertissement(BaseModel):
    """Une anomalie non bloquante."""

    code: str = Field(description="identifiant stable, par exemple MANDAT_GESTION_ABSENT")
    description: str = Field(description="phrase en français pour une personne")


class Accuse(BaseModel):
    """L'accusé de réception d'un contrat transmis."""

    numeroInterne: str = Field(
        description="numéro du dossier chez le CFA, ou celui que l'OPCO a attribué (sept "
        "chiffres) à un contrat transmis sans"
    )
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
    montantTotal: Money = Field(description="dontMontantPedagogie + dontMajorationRqth, en euros")
    dontMontantPedagogie: Money = Field(description="part pédagogique (NPEC), en euros")
    dontMajorationRqth: Money = Field(description="majoration RQTH, 0 sans handicap")
    montantRegle: Money = Field(description="montant déjà payé")
    montantEnCoursInstruction: Money = Field(description="montant facturé, pas encore payé")
    siretCfa: str = Field(description="SIRET du CFA à qui elle est due")
    iban: str = Field(description="IBAN du CFA connu de l'OPCO (sandbox)")


class FraisAnnexe(BaseModel):
    """Des frais annexes engagés pour le dossier."""

    natureFrais: str = Field(description="RESTAURATION, HEBERGEMENT, PREMIEREQUIPEMENT, MOBILITE")
    quantite: Money = Field(description="nombre de repas, de nuits…")
    prixUnitaire: Money = Field(description="prix unitaire, en euros")
    montantTotal: Money = Field(description="quantite × prixUnitaire, en euros")


class PeriodeFraisAnnexes(BaseModel):
    """Une échéance sur laquelle une nature de frais annexes se facture."""

    numeroEcheance: int = Field(description="numéro de l'échéance")
    nature: str = Field(description="nature des frais : PREMIEREQUIPEMENT sur l'échéance 1 seule")
    iban: str = Field(description="IBAN de l'échéance")


class DetailsFacturation(BaseModel):
    """Ce qui se facture des frais annexes, et où."""

    plafondFraisPremierEquipement: Money | None = Field(
        description="premier équipement engagé, 500 € au plus ; null sans premier équipement"
    )
    fraisPremierEquipementRegles: Money = Field(description="premier équipement déjà payé")
    plafondFraisMobilite: Money | None = Field(description="mobilité engagée ; null sans mobilité")
    fraisMobiliteRegles: Money = Field(description="mobilité déjà payée")
    iban: str | None = Field(description="IBAN du CFA connu de l'OPCO")
    periodesFraisAnnexes: list[PeriodeFraisAnnexes] = Field(
        description="les échéances où chaque nature engagée se facture"
    )


class Dossier(BaseModel):
    """Un dossier, dans la forme de l'API réelle : l'état dans le CERFA, l'argent à côté."""

    cerfa: dict[str, Any] = Field(description="le CERFA transmis, avec l'état du dossier")
    engagement: Money | None = Field(description="montant engagé, null avant l'engagement")
    echeances: list[Echeance] = Field(description="l'échéancier, vide avant l'engagement")
    engagementsFraisAnnexe: list[FraisAnnexe] = Field(description="frais annexes engagés")
    detailsFacturation: DetailsFacturation = Field(
        description="frais annexes : plafonds, montants payés, échéances où ils se facturent"
    )


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
    return [Avertissement(code=p.code, description=p.message) for p in problems]


def dossier_answer(read: ReadDossier) -> Dossier:
    row = read.row
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
        engagementsFraisAnnexe=[FraisAnnexe.model_validate(f) for f in row.frais_annexes],
        detailsFacturation=details_answer(read.details),
    )


def details_answer(details: Details) -> DetailsFacturation:
    return DetailsFacturation(
        plafondFraisPremierEquipement=details.plafond_premier_equipement,
        fraisPremierEquipementRegles=details.premier_equipement_regles,
        plafondFraisMobilite=details.plafond_mobilite,
        fraisMobiliteRegles=details.mobilite_regles,
        iban=details.iban,
        periodesFraisAnnexes=[
            PeriodeFraisAnnexes(numeroEcheance=p.numero_echeance, nature=p.nature, iban=p.iban)
            for p in details.periodes
        ],
    )


def echeance_answer(row: EcheanceRow) -> Echeance:
    return Echeance(
        numero=row.numero,
        codification=row.codification,
        dateOuverture=row.date_ouverture,
        dateDebut=row.date_debut,
        dateFin=row.date_fin,
        montantTotal=row.montant_total,
        dontMontantPedagogie=row.montant_pedagogique,
        dontMajorationRqth=row.montant_rqth,
        montantRegle=row.montant_regle,
        montantEnCoursInstruction=row.montant_en_cours,
        siretCfa=row.siret,
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
