"""The shape of a transmitted contract (CERFA 10103*14 data), as the standard names it.

Only the fields the sandbox interprets are typed; every other field is accepted, stored
and returned exactly as sent (`extra="allow"`).
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from sandbox.core.types import PRINTABLE, Date, OpenModel, Siret, Text


class Employeur(OpenModel):
    """L'employeur de l'apprenti."""

    siret: Siret
    denomination: Text = Field(description="raison sociale de l'employeur")


class Apprenti(OpenModel):
    """L'apprenti."""

    nom: Text = Field(description="nom de naissance")
    prenom: Text = Field(description="premier prénom")
    sexe: Literal["M", "F"] = Field(description="M ou F")
    dateNaissance: Date = Field(description="date de naissance (AAAA-MM-JJ)")
    nir: str = Field(description="NIR, 15 caractères clé comprise (contrôlé : NIR_INVALIDE)")
    handicap: bool | None = Field(
        None, description="reconnaissance RQTH : majoration, pas de limite d'âge"
    )
    inscriptionSportifDeHautNiveau: bool | None = Field(
        None, description="sportif de haut niveau : pas de limite d'âge"
    )
    projetCreationRepriseEntreprise: bool | None = Field(
        None, description="projet de création ou de reprise d'entreprise : pas de limite d'âge"
    )


class Maitre(OpenModel):
    """Un maître d'apprentissage."""

    nom: Text = Field(description="nom de naissance")
    prenom: Text = Field(description="prénom")
    dateNaissance: Date = Field(description="date de naissance (18 ans au moins)")


class Contrat(OpenModel):
    """Le contrat d'apprentissage."""

    typeContratApp: int = Field(
        description="11 premier contrat, 21 à 23 contrat successif, 31 à 37 avenant"
    )
    dateConclusion: Date = Field(description="date de signature du contrat")
    dateDebutContrat: Date = Field(description="début d'exécution du contrat")
    dateFinContrat: Date = Field(description="fin du contrat (6 à 54 mois après le début)")
    salaireEmbauche: Decimal = Field(
        ge=0,
        max_digits=12,
        decimal_places=2,
        description="salaire brut mensuel à l'embauche, en euros (minimum légal contrôlé)",
    )
    typeDerogation: int | None = Field(
        None, description="dérogation ; 12 et 50 lèvent la limite d'âge"
    )


class Formation(OpenModel):
    """La formation suivie."""

    rncp: Annotated[str, StringConstraints(pattern=r"^(RNCP)?[0-9]{2,5}$")] = Field(
        description="code RNCP de la certification, avec ou sans le préfixe RNCP"
    )
    intituleQualification: Text = Field(description="intitulé de la certification")
    dateDebutFormation: Date = Field(description="début de la formation")
    dateFinFormation: Date = Field(description="fin de la formation, après son début")


class OrganismeFormation(OpenModel):
    """Le CFA : son SIRET doit être celui de la clé API."""

    siret: Siret
    uaiCfa: Annotated[str, StringConstraints(pattern=r"^[0-9]{7}[A-Za-z]$")] = Field(
        description="code UAI du CFA (7 chiffres et une lettre)"
    )


class Cerfa(OpenModel):
    """Le CERFA 10103*14 : les blocs de la norme, tout autre champ conservé tel quel."""

    employeur: Employeur = Field(description="l'employeur")
    apprenti: Apprenti = Field(description="l'apprenti")
    maitre1: Maitre = Field(description="le premier maître d'apprentissage")
    maitre2: OpenModel | None = Field(None, description="le second maître d'apprentissage")
    contrat: Contrat = Field(description="le contrat")
    formation: Formation = Field(description="la formation")
    organismeFormation: OrganismeFormation = Field(description="le CFA")


class Transmission(BaseModel):
    """Le corps de `POST /v1/dossiers` : le numéro du CFA, le mandat, le CERFA."""

    numeroInterne: Annotated[
        str, StringConstraints(min_length=1, max_length=64, pattern=PRINTABLE)
    ] = Field(description="numéro du dossier chez le CFA, unique pour ce CFA à cet OPCO")
    mandatGestion: bool | None = Field(
        None, description="mandat de gestion de l'employeur ; absent : dossier à régulariser"
    )
    cerfa: Cerfa = Field(description="le contrat, dans la structure du CERFA")


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
