"""The shape of an invoice (`POST /v1/factures`): this sandbox's design, the real one is not
public. The fields the rejection rules judge are optional here, so that the answer names the
rule rather than a missing field."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from sandbox.domain.cerfa import Date, OpenModel

Montant = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
NatureFrais = Literal["RESTAURATION", "HEBERGEMENT", "PREMIER_EQUIPEMENT", "MOBILITE"]


Identifiant = Annotated[str, StringConstraints(max_length=64)]


class Emetteur(OpenModel):
    siret: Identifiant | None = Field(None, description="SIRET du CFA émetteur")
    iban: Identifiant | None = Field(None, description="IBAN du CFA émetteur")


class Ligne(OpenModel):
    numeroExterneDossier: Identifiant | None = Field(
        None, description="numéro du dossier chez l'OPCO"
    )
    numeroEcheance: int | None = Field(
        None, ge=-(2**31), lt=2**31, description="numéro de l'échéance facturée"
    )
    nature: Literal["PEDAGOGIQUE", "RQTH", "FRAIS_ANNEXES"]
    natureFrais: NatureFrais | None = Field(None, description="pour les frais annexes")
    quantite: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    prixUnitaire: Montant | None = None
    montant: Montant

    @model_validator(mode="after")
    def _frais_have_a_nature(self) -> "Ligne":
        if self.nature == "FRAIS_ANNEXES" and self.natureFrais is None:
            raise ValueError("une ligne de frais annexes indique sa natureFrais")
        return self


class FactureBody(BaseModel):
    """Body of `POST /v1/factures`."""

    numeroFacture: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"\S")]
    dateFacture: Date
    montantTotal: Montant
    emetteur: Emetteur | None = None
    lignes: list[Ligne] = Field(min_length=1, max_length=1000)
    certificatRealisation: dict[str, Any] | None = Field(
        None, description="certificat de réalisation, stocké et rendu tel quel"
    )
