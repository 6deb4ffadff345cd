"""The control API for the vendor's test harness, per espace under `/_sandbox/espaces/{espace}`."""

import re
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from sandbox.core.opcos import opco_named
from sandbox.core.tables import JournalRow
from sandbox.dossiers import lifecycle
from sandbox.dossiers.cerfa import Date
from sandbox.errors import SandboxError
from sandbox.espaces.espace import Espace
from sandbox.factures import service as facturation
from sandbox.horloge import service as clock
from sandbox.scenarios.loader import LoadedScenario, install, load_dict, load_str
from sandbox.scenarios.model import Etat
from sandbox.server import schemas
from sandbox.server.openapi import BODY, CONTROL, errors
from sandbox.server.pipeline import ControlCreateRoute, ControlRoute, espace
from sandbox.server.runtime import DEFAULT_ESPACE

PREFIX = "/_sandbox/espaces/{espace}"
EspaceDep = Annotated[Espace, Depends(espace)]
router = APIRouter(route_class=ControlRoute, tags=["Contrôle"])
creating = APIRouter(route_class=ControlCreateRoute, tags=["Contrôle"])
ESPACE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class Resume(BaseModel):
    """L'état d'un espace après un chargement ou une remise à zéro."""

    espace: str = Field(description="nom de l'espace")
    scenario: str = Field(description="nom du scénario chargé")
    cfas: int = Field(description="nombre de CFA du scénario")
    dossiers: int = Field(description="nombre de dossiers chargés")
    factures: int = Field(description="nombre de factures chargées")
    horloge: date = Field(description="date de l'horloge de l'espace")


class Horloge(BaseModel):
    """L'horloge de l'espace."""

    # Annotated: a default value named `date` would hide the type `date`.
    date: Annotated[date, Field(description="date du jour dans l'espace (AAAA-MM-JJ)")]


class ChangementHorloge(BaseModel):
    """Soit une date où aller, soit un nombre de jours dont avancer."""

    model_config = ConfigDict(extra="forbid")
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


class EntreeJournal(BaseModel):
    """Une requête reçue par l'espace ; ni NIR ni clé n'y figurent."""

    instant: str = Field(description="instant réel de la requête (UTC, ISO 8601)")
    date: Annotated[date, Field(description="date de l'horloge de l'espace à ce moment")]
    opco: str | None = Field(description="code de l'OPCO appelé, ou null (CFADock)")
    cfa: str | None = Field(description="SIRET du CFA appelant quand sa clé est connue")
    methode: str = Field(description="méthode HTTP")
    chemin: str = Field(description="chemin et paramètres, secrets et NIR masqués")
    statut: int = Field(description="statut HTTP de la réponse")
    codes: list[str] = Field(description="codes d'erreur de la réponse")
    diagnostics: list[str] = Field(
        description="explications que la réponse ne pouvait pas donner au CFA"
    )


class Journal(BaseModel):
    """Le journal de l'espace, de la plus ancienne requête à la plus récente."""

    entrees: list[EntreeJournal] = Field(description="les requêtes, la plus ancienne d'abord")


SCENARIO_BODY = {
    "requestBody": {
        "required": True,
        "description": "Le scénario, en YAML ou en JSON (schéma : scenarios/scenario.schema.json)",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


async def body_text(request: Request) -> str:
    return (await request.body()).decode("utf-8", errors="replace")


@creating.put(
    PREFIX + "/scenario",
    summary="Charger un scénario",
    openapi_extra=SCENARIO_BODY,
    responses=errors("JETON_ADMIN_INVALIDE", "SCENARIO_INVALIDE", "FORMAT_INVALIDE"),
)
def put_scenario(request: Request, espace: str, text: Annotated[str, Depends(body_text)]) -> Resume:
    """Remplace tout l'état de l'espace (le crée au besoin).

    Un scénario invalide est refusé en entier (422 `SCENARIO_INVALIDE`, un élément par
    problème, `champ` donnant son chemin dans le fichier) et ne change rien. Un nom d'espace
    invalide : 422 `FORMAT_INVALIDE`.
    """
    if not re.fullmatch(ESPACE_NAME, espace):
        raise SandboxError.of(
            422,
            "FORMAT_INVALIDE",
            "Le nom d'un espace compte 1 à 64 lettres, chiffres, points, tirets ou soulignés.",
            "espace",
        )
    loaded = load_str(text, "corps de la requête")
    return _install(request.state.session, espace, loaded, date.today())


@router.post(PREFIX + "/reset", summary="Revenir à l'état du scénario", responses=errors(*CONTROL))
def reset(current: EspaceDep) -> Resume:
    """Données, horloge et journal reviennent à ce que donne le scénario de l'espace."""
    return _reinstall(current)


@router.delete(PREFIX, status_code=204, summary="Supprimer un espace", responses=errors(*CONTROL))
def drop(current: EspaceDep) -> Response:
    """Supprime l'espace, ses données et son journal ; `default` est seulement remis à zéro."""
    if current.store.espace == DEFAULT_ESPACE:
        _reinstall(current)
    else:
        current.store.drop()
    return Response(status_code=204)


@router.get(PREFIX + "/horloge", summary="Lire l'horloge de l'espace", responses=errors(*CONTROL))
def get_clock(current: EspaceDep) -> Horloge:
    """La date du jour dans l'espace : figée, elle n'avance que par l'API de contrôle."""
    return Horloge(date=current.today)


@router.post(
    PREFIX + "/horloge",
    summary="Régler ou avancer l'horloge",
    responses=errors(*CONTROL, *BODY, "HORLOGE_RETOUR_ARRIERE"),
)
def move_clock(current: EspaceDep, change: Annotated[ChangementHorloge, Body()]) -> Horloge:
    """`{"date": "AAAA-MM-JJ"}` ou `{"jours": N}`, l'un ou l'autre. Jamais en arrière
    (409 `HORLOGE_RETOUR_ARRIERE`) ; les transitions échues en chemin sont jouées dans l'ordre
    des dates."""
    if change.date is not None:
        return Horloge(date=clock.set_clock(current, change.date))
    assert change.jours is not None
    return Horloge(date=clock.advance_clock(current, change.jours))


@router.get(
    PREFIX + "/journal", summary="Journal des requêtes de l'espace", responses=errors(*CONTROL)
)
def journal(current: EspaceDep) -> Journal:
    """Les requêtes des API OPCO et CFADock (pas celles de l'API de contrôle), de la plus
    ancienne à la plus récente, avec leurs codes d'erreur et des diagnostics."""
    return Journal(entrees=[_entree(row) for row in current.store.journal()])


@router.post(
    PREFIX + "/{opco}/dossiers/{numeroExterne}/etat",
    summary="Forcer une transition d'un dossier",
    responses=errors(*CONTROL, *BODY, "OPCO_INCONNU", "DOSSIER_INCONNU", "TRANSITION_INVALIDE"),
)
def force_state(
    current: EspaceDep,
    opco: str,
    numeroExterne: Annotated[
        str, Path(description="Numéro du dossier chez l'OPCO.", examples=["AKTO-2026-000002"])
    ],
    change: Annotated[ChangementEtat, Body()],
) -> schemas.Dossier:
    """Suit la même table que les transitions automatiques (409 `TRANSITION_INVALIDE`) ; un
    `ENGAGE` forcé engage comme l'instruction. Répond le dossier dans la forme de
    `GET /v1/dossiers`."""
    row = current.store.dossier_by_numero_externe(opco_named(opco).code, numeroExterne)
    if row is None:
        raise SandboxError.of(
            404, "DOSSIER_INCONNU", f"Aucun dossier {numeroExterne} chez cet OPCO.", "numeroExterne"
        )
    lifecycle.force(current, row, change.etat, change.commentaire)
    clock.play_until(current, current.today)
    return schemas.dossier_answer(row)


class DecisionFacture(BaseModel):
    """La décision de l'OPCO sur une facture en instruction."""

    model_config = ConfigDict(extra="forbid")
    etat: Literal["REGLEE", "REJETEE"] = Field(description="payer maintenant, ou rejeter")
    motif: str | None = Field(None, max_length=500, description="la raison d'un rejet")


@router.post(
    PREFIX + "/{opco}/factures/{numeroFacture}/etat",
    summary="Régler ou rejeter une facture",
    responses=errors(*CONTROL, *BODY, "OPCO_INCONNU", "FACTURE_INCONNUE", "TRANSITION_INVALIDE"),
)
def decide_invoice(
    current: EspaceDep,
    opco: str,
    numeroFacture: Annotated[str, Path(description="Numéro de la facture.")],
    decision: Annotated[DecisionFacture, Body()],
) -> schemas.Facture:
    """Une facture en instruction est payée tout de suite, ou rejetée (motif `REJET_OPCO`,
    les montants en instruction de l'échéance sont libérés). Une facture qui n'est plus en
    instruction : 409 `TRANSITION_INVALIDE`."""
    row = facturation.decide(
        current, opco_named(opco).code, numeroFacture, decision.etat, decision.motif
    )
    return schemas.facture_answer(row)


def _reinstall(current: Espace) -> Resume:
    row = current.store.espace_row()
    assert row is not None
    loaded = load_dict(row.scenario, "scénario de l'espace")
    return _install(current.store.session, current.store.espace, loaded, row.horloge_initiale)


def _install(session: Session, espace: str, loaded: LoadedScenario, today: date) -> Resume:
    summary = install(session, espace, loaded, today)
    return Resume(
        espace=espace,
        scenario=loaded.scenario.nom,
        cfas=summary.cfas,
        dossiers=summary.dossiers,
        factures=summary.factures,
        horloge=summary.horloge,
    )


def _entree(row: JournalRow) -> EntreeJournal:
    return EntreeJournal(
        instant=row.instant.isoformat(timespec="milliseconds") + "Z",
        date=row.date,
        opco=row.opco,
        cfa=row.cfa,
        methode=row.methode,
        chemin=row.chemin,
        statut=row.statut,
        codes=list(row.codes),
        diagnostics=list(row.diagnostics),
    )
