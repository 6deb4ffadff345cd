"""Answers of `/v1/status` and `/v1/cfakeyinfo`."""

from datetime import date

from pydantic import BaseModel, Field

from sandbox.scenarios import demo

# Real answers at AKTO, `demo`'s first CFA calling: the documentation's examples.
STATUS_EXAMPLE = {"status": "OK", "opco": demo.OPCO, "nom": "AKTO"}
CFAKEYINFO_EXAMPLE = {"status": "success", "siret": demo.CFA_SIRET, "dateFinValidite": None}


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
