"""The shape of a transmitted contract (CERFA 10103*14 data), as the standard names it.

Only the fields the sandbox interprets are typed; every other field is accepted, stored
and returned exactly as sent (`extra="allow"`).
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

MIN_YEAR, MAX_YEAR = 1900, 2999
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:T00:00:00(?:\.0+)?(?:Z|\+0000|\+00:00)?)?")


def parse_date(value: object) -> object:
    """Accept `YYYY-MM-DD` and the standard's `YYYY-MM-DDT00:00:00+0000` (or `+00:00`)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and (match := _DATE.fullmatch(value)):
        try:
            parsed = date.fromisoformat(match.group(1))
        except ValueError:
            raise ValueError(f"la date {match.group(1)} n'existe pas") from None
    else:
        raise ValueError("date attendue au format AAAA-MM-JJ")
    # Far years are typing mistakes, and would overflow the clock's arithmetic.
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"année attendue entre {MIN_YEAR} et {MAX_YEAR}")
    return parsed


Date = Annotated[date, BeforeValidator(parse_date)]
Siret = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{14}$"), Field(description="SIRET, 14 chiffres")
]
# Printable text with at least one visible character (no control character: PostgreSQL
# cannot store a NUL, and none belongs in a name).
PRINTABLE = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PRINTABLE)]


class OpenModel(BaseModel):
    """A CERFA block: the typed fields are checked, the others kept as sent."""

    model_config = ConfigDict(extra="allow")


class Employeur(OpenModel):
    siret: Siret
    denomination: Text


class Apprenti(OpenModel):
    nom: Text
    prenom: Text
    sexe: Literal["M", "F"]
    dateNaissance: Date
    nir: str = Field(description="NIR, 15 caractères clé comprise (contrôlé : NIR_INVALIDE)")
    handicap: bool | None = Field(None, description="Reconnaissance RQTH")
    inscriptionSportifDeHautNiveau: bool | None = None
    projetCreationRepriseEntreprise: bool | None = None


class Maitre(OpenModel):
    nom: Text
    prenom: Text
    dateNaissance: Date


class Contrat(OpenModel):
    typeContratApp: int = Field(
        description="11 premier contrat, 21 à 23 contrat successif, 31 à 37 avenant"
    )
    dateConclusion: Date
    dateDebutContrat: Date
    dateFinContrat: Date
    salaireEmbauche: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    typeDerogation: int | None = None


class Formation(OpenModel):
    rncp: Annotated[str, StringConstraints(pattern=r"^(RNCP)?[0-9]{2,5}$")]
    intituleQualification: Text
    dateDebutFormation: Date
    dateFinFormation: Date


class OrganismeFormation(OpenModel):
    siret: Siret
    uaiCfa: Annotated[str, StringConstraints(pattern=r"^[0-9]{7}[A-Za-z]$")]


class Cerfa(OpenModel):
    employeur: Employeur
    apprenti: Apprenti
    maitre1: Maitre
    maitre2: OpenModel | None = None
    contrat: Contrat
    formation: Formation
    organismeFormation: OrganismeFormation


class Transmission(BaseModel):
    """Body of `POST /v1/dossiers`."""

    numeroInterne: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=PRINTABLE)]
    mandatGestion: bool | None = None
    cerfa: Cerfa


# The date fields the sandbox interprets: stored normalised to YYYY-MM-DD. Every other
# date is stored as sent.
_INTERPRETED_DATES = (
    ("apprenti", "dateNaissance"),
    ("maitre1", "dateNaissance"),
    ("contrat", "dateConclusion"),
    ("contrat", "dateDebutContrat"),
    ("contrat", "dateFinContrat"),
    ("formation", "dateDebutFormation"),
    ("formation", "dateFinFormation"),
)


def stored_cerfa(raw: dict[str, Any], cerfa: Cerfa) -> dict[str, Any]:
    """The CERFA as sent, with the dates the sandbox reads written as YYYY-MM-DD."""
    stored = {key: dict(value) if isinstance(value, dict) else value for key, value in raw.items()}
    for block, field in _INTERPRETED_DATES:
        stored[block][field] = getattr(getattr(cerfa, block), field).isoformat()
    return stored
