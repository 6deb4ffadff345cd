"""Fault injection, per OPCO and espace: `PUT|GET /_sandbox/espaces/{espace}/{opco}/pannes`."""

from typing import Annotated

from fastapi import Body

from sandbox.core.opcos import opco_named
from sandbox.core.tables import PanneRow
from sandbox.errors import OPCO_INCONNU
from sandbox.espaces.espace import Espace
from sandbox.pannes import service as pannes
from sandbox.pannes.repository import PanneRepository
from sandbox.pannes.schemas import Panne, PanneEnCours, Pannes, PannesEnCours
from sandbox.server.dependencies import CONTROL_PREFIX, EspaceDep, control_router
from sandbox.server.openapi import BODY, CONTROL, answers

router = control_router()


@router.put(
    CONTROL_PREFIX + "/{opco}/pannes",
    summary="Injecter des pannes sur un OPCO",
    responses=answers(*CONTROL, *BODY, OPCO_INCONNU),
)
def put_faults(current: EspaceDep, opco: str, demande: Annotated[Pannes, Body()]) -> PannesEnCours:
    """Remplace les règles de panne de l'OPCO (une liste vide les retire). Une requête visée
    attend `latenceMs`, puis reçoit `statut` (code `PANNE_SIMULEE`) : à chaque fois, pour les
    `prochaines` N requêtes, ou pour la `proportion` exacte des requêtes visées."""
    code = opco_named(opco).code
    rows = [_row(current, code, panne) for panne in demande.pannes]
    PanneRepository.of(current).replace(code, rows)
    return _answer(code, rows)


@router.get(
    CONTROL_PREFIX + "/{opco}/pannes",
    summary="Lire les pannes d'un OPCO",
    responses=answers(*CONTROL, OPCO_INCONNU),
)
def get_faults(current: EspaceDep, opco: str) -> PannesEnCours:
    """Les règles en place, avec le nombre de requêtes visées et ce qui reste à agir."""
    code = opco_named(opco).code
    return _answer(code, PanneRepository.of(current).of_opco(code))


def _row(current: Espace, opco: str, panne: Panne) -> PanneRow:
    return PanneRow(
        espace=current.nom,
        opco=opco,
        chemin=panne.chemin,
        methode=panne.methode,
        latence_ms=panne.latenceMs,
        statut=panne.statut,
        part=None if panne.proportion is None else int(panne.proportion * pannes.SHARE_SCALE),
        restantes=panne.prochaines,
        vues=0,
    )


def _answer(opco: str, rows: list[PanneRow]) -> PannesEnCours:
    return PannesEnCours(
        opco=opco,
        pannes=[
            PanneEnCours(
                chemin=r.chemin,
                methode=r.methode,
                latenceMs=r.latence_ms,
                statut=r.statut,
                proportion=None if r.part is None else r.part / pannes.SHARE_SCALE,
                restantes=r.restantes,
                vues=r.vues,
            )
            for r in rows
        ],
    )
