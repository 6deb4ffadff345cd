"""The control API for the vendor's test harness, per espace under `/_sandbox/espaces/{espace}`:
scenario, reset, drop, clock, forced decisions on dossiers and invoices."""

import re
from datetime import date
from typing import Annotated

from fastapi import Body, Depends, Path, Request, Response
from sqlalchemy.orm import Session

from sandbox.controle.schemas import (
    ANNULE_EXAMPLE,
    CHANGEMENT_ETAT_EXAMPLE,
    CHANGEMENT_HORLOGE_EXAMPLE,
    DECISION_EXAMPLE,
    ESPACES_EXAMPLE,
    HORLOGE_EXAMPLE,
    REGLE_EXAMPLE,
    RESUME_EXAMPLE,
    ChangementEtat,
    ChangementHorloge,
    DecisionFacture,
    EspaceListe,
    Espaces,
    Horloge,
    Resume,
)
from sandbox.core.opcos import opco_named
from sandbox.dossiers import details, lifecycle
from sandbox.dossiers.repository import DossierRepository
from sandbox.dossiers.schemas import Dossier, dossier_answer
from sandbox.errors import (
    DOSSIER_INCONNU,
    FACTURE_INCONNUE,
    FORMAT_INVALIDE,
    HORLOGE_RETOUR_ARRIERE,
    JETON_ADMIN_INVALIDE,
    OPCO_INCONNU,
    SCENARIO_INVALIDE,
    TRANSITION_INVALIDE,
)
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository, every_espace
from sandbox.factures import service as facturation
from sandbox.factures.schemas import Facture
from sandbox.horloge import service as clock
from sandbox.scenarios.loader import LoadedScenario, install, load_body, load_dict
from sandbox.server.dependencies import CONTROL_PREFIX, EspaceDep, control_router
from sandbox.server.openapi import BODY, CONTROL, answers, demo_examples, success
from sandbox.server.runtime import DEFAULT_ESPACE

router = control_router()
creating = control_router(creates_espace=True)
ESPACE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


# A scenario of one CFA, its key at AKTO and demo's software vendor.
SCENARIO_YAML_EXAMPLE = """nom: un-cfa
date: 2026-09-01
logiciels:
  - {editeur: ACME, clientId: acme-cfa, clientSecret: acme-secret-demo}
cfas:
  - siret: "79012345900014"
    uai: "0751234A"
    denomination: CFA Demo
    iban: FR7630006000011234567890189
    cles: {akto: demo-akto-key}
"""
SCENARIO_BODY = {
    "requestBody": {
        "required": True,
        "description": "Le scénario, en YAML ou en JSON (schéma : scenarios/scenario.schema.json), "
        'ou `{"nom": "refus"}` pour un scénario fourni',
        "content": {
            "application/json": {
                "schema": {"type": "object"},
                "examples": demo_examples("Recharger demo", {"nom": "demo"}),
            },
            "application/yaml": {
                "schema": {"type": "string"},
                "examples": demo_examples("Un CFA et sa clé chez AKTO", SCENARIO_YAML_EXAMPLE),
            },
        },
    }
}


async def body_text(request: Request) -> str:
    return (await request.body()).decode("utf-8", errors="replace")


@creating.get(
    "/_sandbox/espaces",
    summary="Lister les espaces",
    responses=success(ESPACES_EXAMPLE) | answers(JETON_ADMIN_INVALIDE),
)
def list_espaces(request: Request) -> Espaces:
    """Chaque espace du serveur : son scénario, son horloge, ses nombres de dossiers et de
    factures."""
    return Espaces(
        espaces=[
            EspaceListe(
                espace=e.nom,
                scenario=e.scenario,
                horloge=e.horloge,
                dossiers=e.dossiers,
                factures=e.factures,
            )
            for e in every_espace(request.state.session)
        ]
    )


@creating.put(
    CONTROL_PREFIX + "/scenario",
    summary="Charger un scénario",
    openapi_extra=SCENARIO_BODY,
    responses=success(RESUME_EXAMPLE)
    | answers(JETON_ADMIN_INVALIDE, SCENARIO_INVALIDE, FORMAT_INVALIDE),
)
def put_scenario(request: Request, espace: str, text: Annotated[str, Depends(body_text)]) -> Resume:
    """Remplace tout l'état de l'espace (le crée au besoin) : par le scénario du corps (YAML
    ou JSON), ou par un scénario fourni que nomme `{"nom": "refus"}`.

    Un scénario invalide est refusé en entier (422 `SCENARIO_INVALIDE`, un élément par
    problème, `champ` donnant son chemin dans le fichier) et ne change rien. Un nom d'espace
    invalide : 400 `FORMAT_INVALIDE`.
    """
    if not re.fullmatch(ESPACE_NAME, espace):
        raise FORMAT_INVALIDE.error(
            "espace",
            detail="le nom d'un espace compte 1 à 64 lettres, chiffres, points, tirets ou "
            "soulignés.",
        )
    loaded = load_body(text, "corps de la requête")
    return _install(request.state.session, espace, loaded, date.today())


@router.post(
    CONTROL_PREFIX + "/reset",
    summary="Revenir à l'état du scénario",
    responses=success(RESUME_EXAMPLE) | answers(*CONTROL),
)
def reset(current: EspaceDep) -> Resume:
    """Données, horloge et journal reviennent à ce que donne le scénario de l'espace."""
    return _reinstall(current)


@router.delete(
    CONTROL_PREFIX, status_code=204, summary="Supprimer un espace", responses=answers(*CONTROL)
)
def drop(current: EspaceDep) -> Response:
    """Supprime l'espace, ses données et son journal ; `default` est seulement remis à zéro."""
    if current.nom == DEFAULT_ESPACE:
        _reinstall(current)
    else:
        EspaceRepository.of(current).drop()
    return Response(status_code=204)


@router.get(
    CONTROL_PREFIX + "/horloge",
    summary="Lire l'horloge de l'espace",
    responses=success({"date": RESUME_EXAMPLE["horloge"]}) | answers(*CONTROL),
)
def get_clock(current: EspaceDep) -> Horloge:
    """La date du jour dans l'espace : figée, elle n'avance que par l'API de contrôle."""
    return Horloge(date=current.today)


@router.post(
    CONTROL_PREFIX + "/horloge",
    summary="Régler ou avancer l'horloge",
    responses=success(HORLOGE_EXAMPLE) | answers(*CONTROL, *BODY, HORLOGE_RETOUR_ARRIERE),
)
def move_clock(
    current: EspaceDep,
    change: Annotated[
        ChangementHorloge,
        Body(openapi_examples=demo_examples("Un jour plus tard", CHANGEMENT_HORLOGE_EXAMPLE)),
    ],
) -> Horloge:
    """`{"date": "AAAA-MM-JJ"}` ou `{"jours": N}`, l'un ou l'autre. Jamais en arrière
    (409 `HORLOGE_RETOUR_ARRIERE`) ; les transitions échues en chemin sont jouées dans l'ordre
    des dates."""
    if change.date is not None:
        return Horloge(date=clock.set_clock(current, change.date))
    assert change.jours is not None
    return Horloge(date=clock.advance_clock(current, change.jours))


@router.post(
    CONTROL_PREFIX + "/{opco}/dossiers/{numeroExterne}/etat",
    summary="Forcer une transition d'un dossier",
    responses=success(ANNULE_EXAMPLE)
    | answers(*CONTROL, *BODY, OPCO_INCONNU, DOSSIER_INCONNU, TRANSITION_INVALIDE),
)
def force_state(
    current: EspaceDep,
    opco: str,
    numeroExterne: Annotated[
        str, Path(description="Numéro du dossier chez l'OPCO.", examples=["AKTO-2026-000002"])
    ],
    change: Annotated[
        ChangementEtat,
        Body(openapi_examples=demo_examples("Annuler le dépôt", CHANGEMENT_ETAT_EXAMPLE)),
    ],
) -> Dossier:
    """Suit la même table que les transitions automatiques (409 `TRANSITION_INVALIDE`) ; un
    `ENGAGE` forcé engage comme l'instruction. Répond le dossier dans la forme de
    `GET /v1/dossiers`."""
    row = DossierRepository.of(current).by_numero_externe(opco_named(opco).code, numeroExterne)
    if row is None:
        raise DOSSIER_INCONNU.error(
            "numeroExterne", detail=f"aucun dossier {numeroExterne} chez cet OPCO."
        )
    lifecycle.force(current, row, change.etat, change.commentaire)
    clock.play_until(current, current.today)
    return dossier_answer(details.read_one(current, row))


@router.post(
    CONTROL_PREFIX + "/{opco}/factures/{numeroInterneFacture}/etat",
    summary="Régler ou rejeter une facture",
    responses=success(REGLE_EXAMPLE)
    | answers(*CONTROL, *BODY, OPCO_INCONNU, FACTURE_INCONNUE, TRANSITION_INVALIDE),
)
def decide_invoice(
    current: EspaceDep,
    opco: str,
    numeroInterneFacture: Annotated[
        str, Path(description="Numéro de la facture chez l'OPCO.", examples=["10000001"])
    ],
    decision: Annotated[
        DecisionFacture,
        Body(openapi_examples=demo_examples("Payer la première facture", DECISION_EXAMPLE)),
    ],
) -> Facture:
    """Une facture en instruction est réglée tout de suite (`REGLE`), ou rejetée (`REJETE`,
    motif `REJET_OPCO` ; les montants en instruction de l'échéance sont libérés). Une facture
    qui n'est plus en instruction : 409 `TRANSITION_INVALIDE`."""
    row = facturation.decide(
        current, opco_named(opco).code, numeroInterneFacture, decision.etat, decision.motif
    )
    [answered] = facturation.answers(current, [row])
    return answered


def _reinstall(current: Espace) -> Resume:
    row = EspaceRepository.of(current).row()
    assert row is not None
    loaded = load_dict(row.scenario, "scénario de l'espace")
    return _install(current.session, current.nom, loaded, row.horloge_initiale)


def _install(session: Session, espace: str, loaded: LoadedScenario, today: date) -> Resume:
    return Resume.of(espace, loaded, install(session, espace, loaded, today))
