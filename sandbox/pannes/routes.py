"""Fault injection, per OPCO and espace: `PUT|GET /_sandbox/espaces/{espace}/{opco}/pannes`."""

from typing import Annotated

from fastapi import Body

from sandbox.core.opcos import opco_named
from sandbox.errors import OPCO_INCONNU
from sandbox.pannes.repository import PanneRepository
from sandbox.pannes.schemas import (
    PANNES_EN_COURS_EXAMPLE,
    PANNES_EXAMPLE,
    Pannes,
    PannesEnCours,
    panne_row,
    pannes_answer,
)
from sandbox.server.dependencies import CONTROL_PREFIX, EspaceDep, control_router
from sandbox.server.openapi import BODY, CONTROL, answers, demo_examples, success

router = control_router()


@router.put(
    CONTROL_PREFIX + "/{opco}/pannes",
    summary="Injecter des pannes sur un OPCO",
    responses=success(PANNES_EN_COURS_EXAMPLE) | answers(*CONTROL, *BODY, OPCO_INCONNU),
)
def put_faults(
    current: EspaceDep,
    opco: str,
    demande: Annotated[
        Pannes, Body(openapi_examples=demo_examples("La prochaine facture en 503", PANNES_EXAMPLE))
    ],
) -> PannesEnCours:
    """Remplace les règles de panne de l'OPCO (une liste vide les retire). Une requête visée
    attend `latenceMs`, puis reçoit `statut` (code `PANNE_SIMULEE`) : à chaque fois, pour les
    `prochaines` N requêtes, ou pour la `proportion` exacte des requêtes visées."""
    code = opco_named(opco).code
    rows = [panne_row(code, panne) for panne in demande.pannes]
    PanneRepository.of(current).replace(code, rows)
    return pannes_answer(code, rows)


@router.get(
    CONTROL_PREFIX + "/{opco}/pannes",
    summary="Lire les pannes d'un OPCO",
    responses=success({"opco": "akto", "pannes": []}) | answers(*CONTROL, OPCO_INCONNU),
)
def get_faults(current: EspaceDep, opco: str) -> PannesEnCours:
    """Les règles en place, avec le nombre de requêtes visées et ce qui reste à agir."""
    code = opco_named(opco).code
    return pannes_answer(code, PanneRepository.of(current).of_opco(code))
