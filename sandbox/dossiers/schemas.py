"""Answer shapes of the dossiers, mirroring the contract, and how rows become answers."""

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from sandbox.core.money import Money
from sandbox.core.tables import EcheanceRow
from sandbox.dossiers.details import DetailsFacturation as Details
from sandbox.dossiers.details import ReadDossier
from sandbox.dossiers.repository import EtatRow
from sandbox.dossiers.states import Etat
from sandbox.errors import Problem
from sandbox.scenarios import demo


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


# Real answers of `demo` at AKTO, its first CFA calling: the documentation's examples.
ACCUSE_EXAMPLE = {
    "numeroInterne": "CFA-2026-0001",
    "numeroExterne": "AKTO-2026-000003",
    "etat": "TRANSMIS",
    "avertissements": [],
}
ETAT_EXAMPLE = {
    "numeroInterne": demo.ENGAGE_INTERNE,
    "numeroExterne": demo.ENGAGE_EXTERNE,
    "numeroDeca": demo.ENGAGE_DECA,
    "etat": "ENGAGE",
    "dateMiseAJour": demo.DATE,
}
ETATS_EXAMPLE = {"total": 1, "count": 1, "page": 1, "EtatDossierResult": [ETAT_EXAMPLE]}
# The engaged dossier: CAP Boulanger (NPEC €7,000) over two years, 40/30/30 % a year.
_ECHEANCES = [
    (1, "2026-09-01", "2027-02-28", 2800.0),
    (2, "2027-03-01", "2027-05-31", 2100.0),
    (3, "2027-06-01", "2027-08-31", 2100.0),
    (4, "2027-09-01", "2028-02-29", 2800.0),
    (5, "2028-03-01", "2028-05-31", 2100.0),
    (6, "2028-06-01", "2028-08-31", 2100.0),
]
DOSSIER_EXAMPLE: dict[str, Any] = {
    "cerfa": {
        "employeur": {
            "siret": demo.EMPLOYEUR_SIRET,
            "denomination": demo.EMPLOYEUR,
            "adresse": {"adresse1": "3 rue du Four", "codePostal": "75011", "commune": "Paris"},
        },
        "apprenti": {
            "nom": "Dupont",
            "prenom": "Léa",
            "sexe": "F",
            "dateNaissance": "2007-03-14",
            "nir": "205089205012341",
        },
        "maitre1": {"nom": "Martin", "prenom": "Paul", "dateNaissance": "1975-06-02"},
        "contrat": {
            "typeContratApp": 11,
            "dateConclusion": "2026-08-20",
            "dateDebutContrat": "2026-09-01",
            "dateFinContrat": "2028-08-31",
            "salaireEmbauche": 1000.0,
        },
        "formation": {
            "rncp": "RNCP35185",
            "intituleQualification": "CAP Boulanger",
            "dateDebutFormation": "2026-09-01",
            "dateFinFormation": "2028-06-30",
        },
        "organismeFormation": {"siret": demo.CFA_SIRET, "uaiCfa": demo.CFA_UAI},
        "numeroInterne": demo.ENGAGE_INTERNE,
        "numeroExterne": demo.ENGAGE_EXTERNE,
        "numeroDeca": demo.ENGAGE_DECA,
        "etat": "ENGAGE",
        "commentaireEtat": None,
        "dateMiseAJour": demo.DATE,
        "aRegulariser": False,
    },
    "engagement": 14000.0,
    "echeances": [
        {
            "numero": numero,
            "codification": f"E{numero}",
            "dateOuverture": debut,
            "dateDebut": debut,
            "dateFin": fin,
            "montantTotal": montant,
            "dontMontantPedagogie": montant,
            "dontMajorationRqth": 0.0,
            "montantRegle": 0.0,
            "montantEnCoursInstruction": 0.0,
            "siretCfa": demo.CFA_SIRET,
            "iban": demo.CFA_IBAN,
        }
        for numero, debut, fin, montant in _ECHEANCES
    ],
    "engagementsFraisAnnexe": [
        {
            "natureFrais": "RESTAURATION",
            "quantite": 100.0,
            "prixUnitaire": 3.0,
            "montantTotal": 300.0,
        }
    ],
    "detailsFacturation": {
        "plafondFraisPremierEquipement": None,
        "fraisPremierEquipementRegles": 0.0,
        "plafondFraisMobilite": None,
        "fraisMobiliteRegles": 0.0,
        "iban": demo.CFA_IBAN,
        "periodesFraisAnnexes": [
            {"numeroEcheance": numero, "nature": "RESTAURATION", "iban": demo.CFA_IBAN}
            for numero, *_ in _ECHEANCES
        ],
    },
}


# The dossier the employer deposited, once the CFA paired it: not yet engaged.
APPAIRE_EXAMPLE: dict[str, Any] = {
    "cerfa": {
        "employeur": {"siret": demo.EMPLOYEUR_SIRET, "denomination": demo.EMPLOYEUR},
        "apprenti": {
            "nom": "Bernard",
            "prenom": "Hugo",
            "sexe": "M",
            "dateNaissance": "2008-11-03",
            "nir": "104057511234521",
        },
        "maitre1": {"nom": "Martin", "prenom": "Paul", "dateNaissance": "1975-06-02"},
        "contrat": {
            "typeContratApp": 11,
            "dateConclusion": "2026-08-25",
            "dateDebutContrat": "2026-09-15",
            "dateFinContrat": "2028-09-14",
            "salaireEmbauche": 900.0,
        },
        "formation": {
            "rncp": "RNCP35185",
            "intituleQualification": "CAP Boulanger",
            "dateDebutFormation": "2026-09-15",
            "dateFinFormation": "2028-06-30",
        },
        "organismeFormation": {"siret": demo.CFA_SIRET, "uaiCfa": demo.CFA_UAI},
        "numeroInterne": "DEMO-0002",
        "numeroExterne": demo.DEPOT_EXTERNE,
        "numeroDeca": None,
        "etat": "TRANSMIS",
        "commentaireEtat": None,
        "dateMiseAJour": demo.DATE,
        "aRegulariser": True,
    },
    "engagement": None,
    "echeances": [],
    "engagementsFraisAnnexe": [],
    "detailsFacturation": {
        "plafondFraisPremierEquipement": None,
        "fraisPremierEquipementRegles": 0.0,
        "plafondFraisMobilite": None,
        "fraisMobiliteRegles": 0.0,
        "iban": demo.CFA_IBAN,
        "periodesFraisAnnexes": [],
    },
}


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


def etat_answer(row: EtatRow) -> EtatDossier:
    return EtatDossier(
        numeroInterne=row.numero_interne,
        numeroExterne=row.numero_externe,
        numeroDeca=row.numero_deca,
        etat=row.etat,
        dateMiseAJour=row.date_mise_a_jour,
    )
