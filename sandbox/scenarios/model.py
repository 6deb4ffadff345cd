"""The data model of a scenario: one espace's CFAs, keys, employers, référentiel and dossiers.

Its JSON Schema (`scenarios/scenario.schema.json`) is generated from these models.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from sandbox.core.types import Date, Siret, Text
from sandbox.dossiers.echeancier import RQTH_ANNUEL_DEFAUT
from sandbox.dossiers.frais import NatureFrais
from sandbox.dossiers.states import Etat
from sandbox.factures.schemas import EtatFacture, FactureBody

OpcoCode = Literal[
    "afdas",
    "akto",
    "atlas",
    "constructys",
    "ocapiat",
    "opco2i",
    "opcoep",
    "mobilites",
    "sante",
    "opcommerce",
    "uniformation",
]
Days = Annotated[int, Field(ge=0, le=3650)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpcoProfile(Strict):
    """How one OPCO behaves in this espace."""

    accroche: bool = Field(True, description="false: every /v1 path answers 503")
    delaiPriseEnCharge: Days = Field(1, description="days from TRANSMIS to EN_COURS_INSTRUCTION")
    delaiInstruction: Days = Field(2, description="days from EN_COURS_INSTRUCTION to decision")
    delaiPaiement: Days = Field(5, description="days from an accepted invoice to its payment")
    oauth: bool | None = Field(
        None,
        description="true: every API call needs an OAuth2 Bearer token; default: true at "
        "akto, atlas, mobilites, opcoep and afdas",
    )
    dureeJeton: int = Field(
        3600, ge=1, le=86_400, description="seconds of real time an OAuth2 token is valid"
    )
    echeancier: "list[TrancheModel] | None" = Field(
        None, description="this OPCO's yearly schedule; default: the scenario's"
    )
    profil: Literal["norme", "production"] = Field(
        "norme",
        description="production: this OPCO's production quirks (atlas: a top-level "
        "description in 400 answers; opcoep: a top-level comment, and 400 DOSSIER_INCONNU "
        "for an unknown dossier)",
    )


class TrancheModel(Strict):
    """One échéance of each contract year: opens `mois` months in, pays `part` of the year."""

    mois: int = Field(ge=0, le=11)
    part: Decimal = Field(gt=0, le=1, max_digits=5, decimal_places=4)


class Logiciel(Strict):
    """A software vendor's OAuth2 client credentials, valid at every OPCO of the espace."""

    editeur: Text
    clientId: Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S+$")]
    clientSecret: Annotated[str, StringConstraints(min_length=8, max_length=200)]


class CleApi(Strict):
    cle: Annotated[str, StringConstraints(min_length=8, max_length=200)]
    dateFinValidite: Date | None = None


class Cfa(Strict):
    siret: Siret
    uai: Annotated[str, StringConstraints(pattern=r"^[0-9]{7}[A-Za-z]$")]
    denomination: Text
    iban: Annotated[str, StringConstraints(min_length=15, max_length=40)]
    cles: dict[OpcoCode, Annotated[str, StringConstraints(min_length=8)] | CleApi] = Field(
        default_factory=dict, description="the CFA's key at each OPCO"
    )

    def cle(self, opco: str) -> CleApi | None:
        value = self.cles.get(opco)  # type: ignore[call-overload]
        return CleApi(cle=value) if isinstance(value, str) else value


class Employeur(Strict):
    siret: Siret
    denomination: Text
    idcc: int | None = None
    naf: str | None = None
    opco: OpcoCode


class Certification(Strict):
    rncp: Annotated[str, StringConstraints(pattern=r"^(RNCP)?[0-9]{2,5}$")]
    intitule: Text
    npec: Decimal = Field(ge=0, max_digits=9, decimal_places=2)
    actif: bool = True
    eligibleApprentissage: bool = True


class SmicMontant(Strict):
    depuis: Date
    montant: Decimal = Field(gt=0, max_digits=9, decimal_places=2)


class FraisAnnexe(Strict):
    natureFrais: NatureFrais
    quantite: Decimal = Field(gt=0, max_digits=9, decimal_places=2)
    prixUnitaire: Decimal = Field(ge=0, max_digits=9, decimal_places=2)
    montantTotal: Decimal = Field(ge=0, max_digits=11, decimal_places=2)

    @model_validator(mode="after")
    def _total_is_quantity_times_price(self) -> "FraisAnnexe":
        if self.quantite * self.prixUnitaire != self.montantTotal:
            raise ValueError("montantTotal doit valoir quantite × prixUnitaire")
        return self


class ScenarioDossier(Strict):
    """A dossier the OPCO already holds when the scenario is loaded."""

    opco: OpcoCode
    canal: Literal["API", "EMPLOYEUR"] = "API"
    etat: Etat = Etat.TRANSMIS
    commentaireEtat: str | None = None
    numeroInterne: str | None = Field(
        None, description="the CFA's number; absent on an API dossier: the OPCO assigns one"
    )
    numeroExterne: (
        Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{2,39}$")] | None
    ) = None
    mandatGestion: bool | None = True
    cerfa: dict[str, Any] = Field(description="same structure as POST /v1/dossiers")
    engagementsFraisAnnexe: list["FraisAnnexe"] = Field(default_factory=list)
    echeancesReglees: list[Annotated[int, Field(ge=1)]] = Field(
        default_factory=list, description="numbers of the échéances already fully paid"
    )

    @model_validator(mode="after")
    def _employer_deposits_have_no_numero_interne(self) -> "ScenarioDossier":
        # An API dossier without one gets the OPCO's, as a live transmission does.
        if self.canal == "EMPLOYEUR" and self.numeroInterne:
            raise ValueError("un dossier déposé par l'employeur n'a pas de numeroInterne")
        return self


class ScenarioFacture(FactureBody):
    """An invoice the OPCO already holds: the `facture` part of POST /v1/factures (no PDF),
    its OPCO and state.

    It is judged by the same rules as a live one; the emitter (`siretEmetteur`) must be a
    scenario CFA."""

    model_config = ConfigDict(extra="forbid")
    opco: OpcoCode
    etatFacture: EtatFacture = EtatFacture.EN_COURS_INSTRUCTION
    motifRejet: str | None = Field(None, max_length=500, description="for a REJETE invoice")


class CfadockProfile(Strict):
    """How CFADock behaves in this espace."""

    limiteParMinute: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="requests a minute past which CFADock answers 429 (production: about "
        "30); null: no limit",
    )


# At most this many generated dossiers: the load stays within a minute and 250 MB.
MAX_GENERES = 200_000


class Generation(Strict):
    """Synthetic dossiers added to the scenario's own (`sandbox/scenarios/generer.py`)."""

    dossiers: int = Field(0, ge=0, le=MAX_GENERES, description="how many")
    graine: int = Field(
        1, ge=0, le=2**63 - 1, description="the seed: the same one gives the same dossiers"
    )


class Scenario(Strict):
    """A whole sandbox world, loaded into one espace."""

    nom: Text
    description: str = ""
    date: Date | None = Field(None, description="the clock; default: the day it is loaded")
    opcos: dict[OpcoCode, OpcoProfile] = Field(default_factory=dict)
    hotes: dict[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9.-]{1,253}$")], OpcoCode] = (
        Field(
            default_factory=dict,
            description="more production hosts intercepted in tests, each to an OPCO",
        )
    )
    logiciels: list[Logiciel] = Field(
        default_factory=list, description="OAuth2 client credentials of software vendors"
    )
    cfas: list[Cfa] = Field(min_length=1)
    employeurs: list[Employeur] = Field(default_factory=list)
    certifications: list[Certification] = Field(default_factory=list)
    smic: list[SmicMontant] = Field(
        default_factory=list, description="SMIC amounts added to (or replacing) the dated table"
    )
    rqthAnnuel: Decimal = Field(
        RQTH_ANNUEL_DEFAUT,
        ge=0,
        max_digits=9,
        decimal_places=2,
        description="RQTH supplement a year",
    )
    echeancier: list[TrancheModel] | None = Field(
        None, description="yearly schedule of échéances; default 40 % at 0, 30 % at 6 and 9"
    )
    dossiers: list[ScenarioDossier] = Field(default_factory=list)
    factures: list[ScenarioFacture] = Field(default_factory=list)
    generer: Generation = Field(
        default_factory=Generation,
        description="also this many synthetic dossiers, deterministic from the seed: valid, "
        "no two duplicates, spread over the scenario's OPCOs, CFAs, employers, "
        "certifications and states",
    )
    cfadock: CfadockProfile = Field(default_factory=CfadockProfile)

    def profile(self, opco: str) -> OpcoProfile:
        return self.opcos.get(opco) or OpcoProfile()  # type: ignore[call-overload]
