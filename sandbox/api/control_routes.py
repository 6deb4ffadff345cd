"""The control API for the vendor's test harness, per espace under `/_sandbox/espaces/{espace}`."""

import re
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from sandbox.api import schemas
from sandbox.api.routing import ControlCreateRoute, ControlRoute, espace
from sandbox.api.runtime import DEFAULT_ESPACE
from sandbox.domain import clock, facturation, lifecycle
from sandbox.domain.cerfa import Date
from sandbox.domain.context import Espace
from sandbox.domain.opcos import opco_named
from sandbox.domain.scenario import Etat
from sandbox.errors import SandboxError
from sandbox.scenarios import LoadedScenario, install, load_dict, load_str
from sandbox.storage.tables import JournalRow

PREFIX = "/_sandbox/espaces/{espace}"
EspaceDep = Annotated[Espace, Depends(espace)]
router = APIRouter(route_class=ControlRoute, tags=["Contrôle"])
creating = APIRouter(route_class=ControlCreateRoute, tags=["Contrôle"])
ESPACE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class Resume(BaseModel):
    espace: str
    scenario: str
    cfas: int
    dossiers: int
    factures: int
    horloge: date


class Horloge(BaseModel):
    date: date


class ChangementHorloge(BaseModel):
    """Either a date to move to, or a number of days to advance by."""

    model_config = ConfigDict(extra="forbid")
    date: Date | None = None
    jours: int | None = Field(None, ge=-36500, le=36500)

    @model_validator(mode="after")
    def _exactly_one(self) -> "ChangementHorloge":
        if (self.date is None) == (self.jours is None):
            raise ValueError("donner soit date, soit jours")
        return self


class ChangementEtat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    etat: Etat
    commentaire: str | None = Field(None, max_length=500)


class EntreeJournal(BaseModel):
    instant: str
    date: date
    opco: str | None
    cfa: str | None
    methode: str
    chemin: str
    statut: int
    codes: list[str]
    diagnostics: list[str]


class Journal(BaseModel):
    entrees: list[EntreeJournal]


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


@creating.put(PREFIX + "/scenario", summary="Charger un scénario", openapi_extra=SCENARIO_BODY)
def put_scenario(request: Request, espace: str, text: Annotated[str, Depends(body_text)]) -> Resume:
    """Remplace tout l'état de l'espace (le crée au besoin).

    Un scénario invalide est refusé en entier (422 `SCENARIO_INVALIDE`) et ne change rien.
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


@router.post(PREFIX + "/reset", summary="Revenir à l'état du scénario")
def reset(current: EspaceDep) -> Resume:
    """Données, horloge et journal reviennent à ce que donne le scénario de l'espace."""
    return _reinstall(current)


@router.delete(PREFIX, status_code=204, summary="Supprimer un espace")
def drop(current: EspaceDep) -> Response:
    """`default` est seulement remis à zéro."""
    if current.store.espace == DEFAULT_ESPACE:
        _reinstall(current)
    else:
        current.store.drop()
    return Response(status_code=204)


@router.get(PREFIX + "/horloge", summary="Lire l'horloge de l'espace")
def get_clock(current: EspaceDep) -> Horloge:
    return Horloge(date=current.today)


@router.post(PREFIX + "/horloge", summary="Régler ou avancer l'horloge")
def move_clock(current: EspaceDep, change: Annotated[ChangementHorloge, Body()]) -> Horloge:
    """Jamais en arrière (409) ; les transitions échues sont jouées dans l'ordre."""
    if change.date is not None:
        return Horloge(date=clock.set_clock(current, change.date))
    assert change.jours is not None
    return Horloge(date=clock.advance_clock(current, change.jours))


@router.get(PREFIX + "/journal", summary="Journal des requêtes de l'espace")
def journal(current: EspaceDep) -> Journal:
    """Les requêtes des API OPCO et CFADock, de la plus ancienne à la plus récente."""
    return Journal(entrees=[_entree(row) for row in current.store.journal()])


@router.post(
    PREFIX + "/{opco}/dossiers/{numeroExterne}/etat", summary="Forcer une transition d'un dossier"
)
def force_state(
    current: EspaceDep, opco: str, numeroExterne: str, change: Annotated[ChangementEtat, Body()]
) -> schemas.Dossier:
    """Suit la même table que les transitions automatiques (409 `TRANSITION_INVALIDE`)."""
    row = current.store.dossier_by_numero_externe(opco_named(opco).code, numeroExterne)
    if row is None:
        raise SandboxError.of(
            404, "DOSSIER_INCONNU", f"Aucun dossier {numeroExterne} chez cet OPCO.", "numeroExterne"
        )
    lifecycle.force(current, row, change.etat, change.commentaire)
    clock.play_until(current, current.today)
    return schemas.dossier_answer(row)


class DecisionFacture(BaseModel):
    model_config = ConfigDict(extra="forbid")
    etat: Literal["REGLEE", "REJETEE"] = Field(description="payer maintenant, ou rejeter")
    motif: str | None = Field(None, max_length=500, description="la raison d'un rejet")


@router.post(
    PREFIX + "/{opco}/factures/{numeroFacture}/etat", summary="Régler ou rejeter une facture"
)
def decide_invoice(
    current: EspaceDep, opco: str, numeroFacture: str, decision: Annotated[DecisionFacture, Body()]
) -> schemas.Facture:
    """Une facture en instruction est payée tout de suite, ou rejetée (motif `REJET_OPCO`,
    les montants en instruction de l'échéance sont libérés)."""
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
