"""The shape of an invoice (`POST /v1/factures`): this sandbox's design, the real one is not
public. The fields the rejection rules judge are optional here, so that the answer names the
rule rather than a missing field."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from sandbox.core.money import Money
from sandbox.core.tables import FactureRow
from sandbox.core.types import Date, OpenModel


class EtatFacture(StrEnum):
    """L'état d'une facture chez l'OPCO."""

    EN_COURS_INSTRUCTION = "EN_COURS_INSTRUCTION"
    REGLEE = "REGLEE"
    REJETEE = "REJETEE"


# No credit notes in the standard: an amount is never negative.
Montant = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
NatureFrais = Literal["RESTAURATION", "HEBERGEMENT", "PREMIER_EQUIPEMENT", "MOBILITE"]


Identifiant = Annotated[str, StringConstraints(max_length=64)]


class Emetteur(OpenModel):
    """Le CFA qui facture."""

    siret: Identifiant | None = Field(None, description="SIRET du CFA émetteur")
    iban: Identifiant | None = Field(None, description="IBAN du CFA émetteur")


class Ligne(OpenModel):
    """Une ligne de la facture : une part d'une échéance, ou des frais annexes."""

    numeroExterneDossier: Identifiant | None = Field(
        None, description="numéro du dossier chez l'OPCO"
    )
    numeroEcheance: int | None = Field(
        None, ge=-(2**31), lt=2**31, description="numéro de l'échéance facturée"
    )
    nature: Literal["PEDAGOGIQUE", "RQTH", "FRAIS_ANNEXES"] = Field(
        description="part pédagogique, majoration RQTH ou frais annexes"
    )
    natureFrais: NatureFrais | None = Field(
        None, validate_default=True, description="pour les frais annexes"
    )
    quantite: Decimal | None = Field(
        None, ge=0, max_digits=12, decimal_places=2, description="frais annexes : quantité"
    )
    prixUnitaire: Montant | None = Field(None, description="frais annexes : prix unitaire")
    montant: Montant = Field(description="montant de la ligne, en euros")

    @field_validator("natureFrais")
    @classmethod
    def _frais_have_a_nature(cls, value: str | None, info: ValidationInfo) -> str | None:
        # Required for frais lines only: a missing field, named (CHAMP_OBLIGATOIRE).
        if value is None and info.data.get("nature") == "FRAIS_ANNEXES":
            raise PydanticCustomError(
                "missing", "une ligne de frais annexes indique sa natureFrais"
            )
        return value


class FactureBody(BaseModel):
    """Le corps de `POST /v1/factures`."""

    numeroFacture: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"\S")] = (
        Field(description="numéro de la facture chez le CFA")
    )
    dateFacture: Date = Field(description="date de la facture")
    montantTotal: Montant = Field(description="somme des lignes, en euros")
    emetteur: Emetteur | None = Field(None, description="le CFA émetteur : SIRET et IBAN")
    lignes: list[Ligne] = Field(
        min_length=1, max_length=1000, description="les lignes facturées, une au moins"
    )
    certificatRealisation: dict[str, Any] | None = Field(
        None, description="certificat de réalisation, stocké et rendu tel quel"
    )


class MotifRejet(BaseModel):
    """Une raison du rejet d'une facture."""

    code: str = Field(description="règle de rejet, ou REJET_OPCO pour un rejet de l'OPCO")
    message: str = Field(description="phrase en français pour une personne")
    champ: str | None = Field(None, description="chemin pointé du champ en cause, ou null")


class Facture(BaseModel):
    """Une facture du CFA, telle qu'envoyée, avec son état."""

    numeroFacture: str = Field(description="numéro de la facture chez le CFA")
    etat: EtatFacture = Field(description="état de la facture")
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
    etat: EtatFacture = Field(description="EN_COURS_INSTRUCTION à l'acceptation")


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
