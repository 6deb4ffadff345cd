"""The shape of an invoice, production's (contract §4, §9): the `facture` part of
`POST /v1/factures` and the invoice answers. The fields the rejection rules judge are
optional here, so that the answer names the rule rather than a missing field."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from sandbox.core.money import Euros, Money
from sandbox.core.tables import FactureRow
from sandbox.core.types import Date, OpenModel
from sandbox.scenarios import demo


class EtatFacture(StrEnum):
    """L'état d'une facture chez l'OPCO."""

    EN_COURS_INSTRUCTION = "EN_COURS_INSTRUCTION"
    REGLE = "REGLE"
    REJETE = "REJETE"


# The natures of production: the échéance's two parts, then the four frais annexes.
PEDAGOGIE, MAJORATION_RQTH = "PEDAGOGIE", "MAJORATION_RQTH"
NatureLigne = Literal[
    "PEDAGOGIE", "MAJORATION_RQTH", "PREMIEREQUIPEMENT", "MOBILITE", "HEBERGEMENT", "RESTAURATION"
]
PARTS_ECHEANCE = (PEDAGOGIE, MAJORATION_RQTH)

# No credit notes in the standard: an amount is never negative.
Montant = Euros
Identifiant = Annotated[str, StringConstraints(max_length=64)]


class LigneFacture(OpenModel):
    """Une ligne de la facture : une part d'une échéance, ou des frais annexes."""

    montant: Montant = Field(description="montant de la ligne, en euros")
    natureLigne: NatureLigne = Field(
        description="PEDAGOGIE, MAJORATION_RQTH, PREMIEREQUIPEMENT, MOBILITE, HEBERGEMENT ou "
        "RESTAURATION"
    )
    quantite: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="informative (repas, nuits…)"
    )
    numeroEcheance: int | None = Field(
        None, ge=-(2**31), lt=2**31, description="numéro de l'échéance facturée"
    )
    codificationEcheance: Identifiant | None = Field(
        None, description="codification de l'échéance (E1…), informative"
    )
    numeroDeca: Identifiant | None = Field(
        None, description="numéro DECA du dossier ; s'il est donné, il doit être le sien"
    )
    numeroDossier: Identifiant | None = Field(
        None, description="numéro externe du dossier chez l'OPCO"
    )


class FactureBody(OpenModel):
    """La partie `facture` (JSON) de `POST /v1/factures`."""

    numero: Identifiant | None = Field(
        None, description="référence de la facture chez le CFA ; vide : l'OPCO en attribue une"
    )
    dateEmission: Date = Field(description="date d'émission de la facture")
    montantTotal: Montant = Field(description="somme des lignes, en euros")
    ibanEmetteur: Identifiant | None = Field(None, description="IBAN du CFA émetteur")
    siretEmetteur: Identifiant | None = Field(None, description="SIRET du CFA émetteur")
    estCertificatRealisation: bool | None = Field(
        None, description="la pièce jointe vaut certificat de réalisation"
    )
    lignes: list[LigneFacture] = Field(
        min_length=1, max_length=1000, description="les lignes facturées, une au moins"
    )


class MotifRejet(BaseModel):
    """Une raison du rejet d'une facture."""

    code: str = Field(description="règle de rejet, ou REJET_OPCO pour un rejet de l'OPCO")
    description: str = Field(description="phrase en français pour une personne")


class OrganismeFormation(BaseModel):
    """Le CFA émetteur, tel que la facture le nomme."""

    siret: str | None = Field(description="SIRET du CFA émetteur")
    IBAN: str | None = Field(description="IBAN du CFA émetteur, tel qu'envoyé")


class DossierFacture(BaseModel):
    """Un dossier facturé : la somme de ses lignes dans la facture."""

    numeroInterneDossier: str | None = Field(description="numéro du dossier chez le CFA")
    numeroExterneDossier: str | None = Field(description="numéro du dossier chez l'OPCO")
    montant: Money = Field(description="somme des lignes de ce dossier, en euros")


class Facture(BaseModel):
    """Une facture du CFA (la forme de production, puis les champs de la sandbox)."""

    numeroInterneFacture: str = Field(description="numéro de la facture chez l'OPCO")
    referenceFactureCFA: str = Field(description="numéro de la facture chez le CFA")
    montantFacture: Money = Field(description="montant total, en euros")
    etatFacture: EtatFacture = Field(description="EN_COURS_INSTRUCTION, REGLE ou REJETE")
    referenceVirement: None = Field(description="toujours null : non communiquée")
    dateReglement: date | None = Field(description="date du paiement, une fois réglée")
    commentaire: str | None = Field(description="les motifs d'un rejet, séparés par « ; »")
    organismeFormation: OrganismeFormation = Field(description="le CFA émetteur")
    dossiers: list[DossierFacture] = Field(description="les dossiers facturés")
    dateEmission: date = Field(description="(sandbox) date d'émission")
    estCertificatRealisation: bool | None = Field(description="(sandbox) tel qu'envoyé")
    lignes: list[dict[str, Any]] = Field(description="(sandbox) les lignes, telles qu'envoyées")
    numeroInterneDocument: str | None = Field(description="(sandbox) le PDF de la facture")
    motifsRejet: list[MotifRejet] = Field(description="(sandbox) les raisons d'un rejet")


class AccuseFacture(BaseModel):
    """L'accusé de réception d'une facture acceptée."""

    numeroInterneFacture: str = Field(description="numéro de la facture chez l'OPCO")
    numeroInterneDocument: str = Field(description="numéro du PDF reçu")
    etatFacture: EtatFacture = Field(description="EN_COURS_INSTRUCTION à l'acceptation")


class EtatsFactures(BaseModel):
    """Une page des factures du CFA."""

    total: int = Field(description="nombre de factures du CFA")
    count: int = Field(description="nombre de factures dans cette page")
    page: int = Field(description="numéro de la page, à partir de 1")
    factures: list[Facture] = Field(description="les factures de la page")


# `demo`'s first CFA bills E1 of its engaged dossier whole, and the meals engaged with it:
# accepted on the scenario's date. Then the answers to it: the documentation's examples.
_LIGNES = [
    {
        "montant": 2800.00,
        "natureLigne": PEDAGOGIE,
        "quantite": 1,
        "numeroEcheance": 1,
        "codificationEcheance": "E1",
        "numeroDeca": demo.ENGAGE_DECA,
        "numeroDossier": demo.ENGAGE_EXTERNE,
    },
    {
        "montant": 300.00,
        "natureLigne": "RESTAURATION",
        "quantite": 100,
        "numeroEcheance": 1,
        "codificationEcheance": "E1",
        "numeroDossier": demo.ENGAGE_EXTERNE,
    },
]
FACTURE_EXAMPLE: dict[str, Any] = {
    "numero": "F-2026-001",
    "dateEmission": demo.DATE,
    "montantTotal": 3100.00,
    "ibanEmetteur": demo.CFA_IBAN,
    "siretEmetteur": demo.CFA_SIRET,
    "estCertificatRealisation": False,
    "lignes": _LIGNES,
}
ACCUSE_FACTURE_EXAMPLE = {
    "numeroInterneFacture": demo.PREMIERE_FACTURE,
    "numeroInterneDocument": demo.PREMIER_DOCUMENT,
    "etatFacture": "EN_COURS_INSTRUCTION",
}
FACTURE_ANSWER_EXAMPLE: dict[str, Any] = {
    "numeroInterneFacture": demo.PREMIERE_FACTURE,
    "referenceFactureCFA": "F-2026-001",
    "montantFacture": 3100.0,
    "etatFacture": "EN_COURS_INSTRUCTION",
    "referenceVirement": None,
    "dateReglement": None,
    "commentaire": None,
    "organismeFormation": {"siret": demo.CFA_SIRET, "IBAN": demo.CFA_IBAN},
    "dossiers": [
        {
            "numeroInterneDossier": demo.ENGAGE_INTERNE,
            "numeroExterneDossier": demo.ENGAGE_EXTERNE,
            "montant": 3100.0,
        }
    ],
    "dateEmission": demo.DATE,
    "estCertificatRealisation": False,
    "lignes": _LIGNES,
    "numeroInterneDocument": demo.PREMIER_DOCUMENT,
    "motifsRejet": [],
}
ETATS_FACTURES_EXAMPLE = {"total": 1, "count": 1, "page": 1, "factures": [FACTURE_ANSWER_EXAMPLE]}


def facture_answer(row: FactureRow, numeros_internes: dict[str, str | None]) -> Facture:
    """`numeros_internes`: the CFA's numeroInterne of each numeroExterne the lines name."""
    sums: dict[str, Decimal] = {}
    for ligne in row.lignes:
        numero = ligne.get("numeroDossier")
        if numero not in (None, ""):
            key = str(numero)
            sums[key] = sums.get(key, Decimal(0)) + Decimal(str(ligne.get("montant", 0)))
    motifs = [MotifRejet(**m) for m in row.motifs_rejet]
    return Facture(
        numeroInterneFacture=row.numero_interne,
        referenceFactureCFA=row.numero_facture,
        montantFacture=row.montant_total,
        etatFacture=EtatFacture(row.etat),
        referenceVirement=None,
        dateReglement=row.date_reglement,
        commentaire=" ; ".join(m.description for m in motifs) or None,
        organismeFormation=OrganismeFormation(siret=row.siret_emetteur, IBAN=row.iban_emetteur),
        dossiers=[
            DossierFacture(
                numeroInterneDossier=numeros_internes.get(numero),
                numeroExterneDossier=numero,
                montant=montant,
            )
            for numero, montant in sums.items()
        ],
        dateEmission=row.date_emission,
        estCertificatRealisation=row.est_certificat,
        lignes=list(row.lignes),
        numeroInterneDocument=row.numero_document,
        motifsRejet=motifs,
    )
