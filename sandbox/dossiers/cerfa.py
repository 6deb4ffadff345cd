"""The shape of a transmitted contract (CERFA 10103*14 data), as the standard names it.

Only the fields the sandbox interprets are typed; the CERFA is stored and returned exactly
as sent, typed fields included (`extra="allow"` keeps the others through validation).
"""

import copy
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from sandbox.core.money import Euros
from sandbox.core.types import PRINTABLE, Date, OpenModel, Siret, Text
from sandbox.scenarios import demo


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
    nir: str = Field(
        min_length=1, description="NIR, 15 caractères clé comprise (contrôlé : NIR_INVALIDE)"
    )
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
    salaireEmbauche: Euros = Field(
        description="salaire brut mensuel à l'embauche, en euros (minimum légal contrôlé)"
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


# A new contract of demo's first CFA at AKTO: it passes every blocking control, duplicates
# none of demo's dossiers, and is engaged once instructed.
TRANSMISSION_EXAMPLE: dict[str, Any] = {
    "numeroInterne": "CFA-2026-0001",
    "mandatGestion": True,
    "cerfa": {
        "employeur": {
            "siret": demo.EMPLOYEUR_SIRET,
            "denomination": demo.EMPLOYEUR,
            "adresse": {"adresse1": "3 rue du Four", "codePostal": "75011", "commune": "Paris"},
        },
        "apprenti": {
            "nom": "Petit",
            "prenom": "Inès",
            "sexe": "F",
            "dateNaissance": "2008-05-12",
            "nir": "208057505612328",
        },
        "maitre1": {"nom": "Martin", "prenom": "Paul", "dateNaissance": "1975-06-02"},
        "contrat": {
            "typeContratApp": 11,
            "dateConclusion": "2026-08-28",
            "dateDebutContrat": "2026-09-07",
            "dateFinContrat": "2028-09-06",
            "salaireEmbauche": 1000.00,
        },
        "formation": {
            "rncp": "RNCP35185",
            "intituleQualification": "CAP Boulanger",
            "dateDebutFormation": "2026-09-07",
            "dateFinFormation": "2028-06-30",
        },
        "organismeFormation": {"siret": demo.CFA_SIRET, "uaiCfa": demo.CFA_UAI},
    },
}


class Transmission(OpenModel):
    """Le corps de `POST /v1/dossiers` : le CERFA, et facultativement le numéro du CFA et le
    mandat ; toute autre clé est acceptée."""

    numeroInterne: (
        Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=PRINTABLE)] | None
    ) = Field(
        None,
        description="numéro du dossier chez le CFA, unique pour ce CFA à cet OPCO ; absent : "
        "l'OPCO en attribue un de sept chiffres",
    )
    mandatGestion: bool | None = Field(
        None, description="mandat de gestion de l'employeur ; absent : dossier à régulariser"
    )
    cerfa: Cerfa = Field(description="le contrat, dans la structure du CERFA")


def stored_cerfa(raw: dict[str, Any]) -> dict[str, Any]:
    """The CERFA exactly as sent (contract §13: every date is returned as sent), a copy
    that nothing the sandbox does later can change."""
    copied: dict[str, Any] = _copied(raw)
    return copied


def _copied(value: Any) -> Any:
    """A JSON document's copy: its objects and arrays new, its scalars (immutable) shared;
    several times faster than `copy.deepcopy`, which a bulk install calls per dossier."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    if isinstance(value, str | int | float | bool | None):
        return value
    return copy.deepcopy(value)
