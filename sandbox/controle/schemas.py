"""Control API's schemas: the summary of a load, the clock, forced decisions."""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from sandbox.core.types import Date
from sandbox.dossiers.schemas import APPAIRE_EXAMPLE
from sandbox.dossiers.states import Etat
from sandbox.factures.schemas import FACTURE_ANSWER_EXAMPLE, EtatFacture
from sandbox.scenarios import demo
from sandbox.scenarios.loader import LoadedScenario, Summary


class Resume(BaseModel):
    """L'état d'un espace après un chargement ou une remise à zéro."""

    espace: str = Field(description="nom de l'espace")
    scenario: str = Field(description="nom du scénario chargé")
    cfas: int = Field(description="nombre de CFA du scénario")
    dossiers: int = Field(description="nombre de dossiers chargés")
    factures: int = Field(description="nombre de factures chargées")
    horloge: date = Field(description="date de l'horloge de l'espace")

    @classmethod
    def of(cls, espace: str, loaded: LoadedScenario, summary: Summary) -> "Resume":
        """What `PUT …/scenario` (or a reset) answers once `loaded` is installed."""
        return cls(
            espace=espace,
            scenario=loaded.scenario.nom,
            cfas=summary.cfas,
            dossiers=summary.dossiers,
            factures=summary.factures,
            horloge=summary.horloge,
        )


class EspaceListe(BaseModel):
    """Un espace du serveur."""

    espace: str = Field(description="nom de l'espace")
    scenario: str = Field(description="nom du scénario chargé")
    horloge: date = Field(description="date de l'horloge de l'espace")
    dossiers: int = Field(description="nombre de dossiers")
    factures: int = Field(description="nombre de factures")


class Espaces(BaseModel):
    """Les espaces du serveur, par nom."""

    espaces: list[EspaceListe] = Field(description="les espaces, par ordre de nom")


class Horloge(BaseModel):
    """L'horloge de l'espace."""

    # Annotated: a default value named `date` would hide the type `date`.
    date: Annotated[date, Field(description="date du jour dans l'espace (AAAA-MM-JJ)")]


# Exactly one of the two, not null: what `_exactly_one` checks, said in the schema.
DATE_OU_JOURS: list[JsonValue] = [
    {
        "required": ["date"],
        "properties": {"date": {"type": "string", "description": "la date, sans jours"}},
    },
    {
        "required": ["jours"],
        "properties": {"jours": {"type": "integer", "description": "les jours, sans date"}},
    },
]


class ChangementHorloge(BaseModel):
    """Soit une date où aller, soit un nombre de jours dont avancer."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": DATE_OU_JOURS})
    date: Date | None = Field(None, description="nouvelle date, jamais avant l'actuelle")
    jours: int | None = Field(
        None, ge=-36500, le=36500, description="nombre de jours dont avancer l'horloge"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> "ChangementHorloge":
        if (self.date is None) == (self.jours is None):
            raise ValueError("donner soit date, soit jours")
        return self


class ChangementEtat(BaseModel):
    """Une transition forcée d'un dossier."""

    model_config = ConfigDict(extra="forbid")
    etat: Etat = Field(description="état visé, selon la table des transitions")
    commentaire: str | None = Field(
        None, max_length=500, description="commentaireEtat du dossier (motifs d'un refus)"
    )


class DecisionFacture(BaseModel):
    """La décision de l'OPCO sur une facture en instruction."""

    model_config = ConfigDict(extra="forbid")
    etat: Literal[EtatFacture.REGLE, EtatFacture.REJETE] = Field(
        description="payer maintenant, ou rejeter"
    )
    motif: str | None = Field(None, max_length=500, description="la raison d'un rejet")


# The documentation's examples: each body, sent as is to an espace holding `demo`, is
# accepted, and each answer is a real one.
RESUME_EXAMPLE = {
    "espace": demo.ESPACE,
    "scenario": "demo",
    "cfas": 2,
    "dossiers": 2,
    "factures": 0,
    "horloge": demo.DATE,
}
ESPACES_EXAMPLE = {
    "espaces": [
        {
            "espace": demo.ESPACE,
            "scenario": "demo",
            "horloge": demo.DATE,
            "dossiers": 2,
            "factures": 0,
        }
    ]
}
CHANGEMENT_HORLOGE_EXAMPLE = {"jours": 1}
HORLOGE_EXAMPLE = {"date": "2026-09-02"}
# The employer's deposit, cancelled.
CHANGEMENT_ETAT_EXAMPLE = {"etat": "ANNULE", "commentaire": "Contrat annulé par l'employeur"}
ANNULE_EXAMPLE = APPAIRE_EXAMPLE | {
    "cerfa": APPAIRE_EXAMPLE["cerfa"]
    | {"numeroInterne": None, "etat": "ANNULE", "commentaireEtat": "Contrat annulé par l'employeur"}
}
# The first invoice (the example of `POST /v1/factures`), paid.
DECISION_EXAMPLE = {"etat": "REGLE"}
REGLE_EXAMPLE = FACTURE_ANSWER_EXAMPLE | {"etatFacture": "REGLE", "dateReglement": demo.DATE}
