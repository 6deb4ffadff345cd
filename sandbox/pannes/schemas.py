"""Fault-injection rules as the control API takes and answers them."""

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sandbox.core.tables import PanneRow
from sandbox.pannes.service import SHARE_SCALE


class Panne(BaseModel):
    """Une règle de panne : une latence, un statut d'erreur, ou les deux."""

    model_config = ConfigDict(extra="forbid")
    chemin: str = Field(
        "/v[12]/*",
        pattern=r"^/[\x20-\x7e]*$",
        max_length=200,
        description="motif glob du chemin sous l'URL de l'OPCO, sans égard à la casse, par "
        "exemple /v1/dossiers* ; par défaut /v[12]/* (les deux versions)",
    )
    methode: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] | None = Field(
        None, description="la méthode visée ; toutes quand absente"
    )
    latenceMs: int = Field(0, ge=0, le=60_000, description="délai ajouté à chaque requête visée")
    statut: int | None = Field(None, ge=400, le=599, description="statut d'erreur à répondre")
    proportion: Decimal | None = Field(
        None, gt=0, le=1, decimal_places=4, description="part des requêtes visées en erreur"
    )
    prochaines: int | None = Field(
        None, ge=1, le=1_000_000, description="n'agir que sur les N prochaines requêtes visées"
    )


# The next invoice sent to the OPCO answers 503: the documentation's examples.
PANNES_EXAMPLE = {
    "pannes": [{"chemin": "/v1/factures*", "methode": "POST", "statut": 503, "prochaines": 1}]
}
PANNES_EN_COURS_EXAMPLE = {
    "opco": "akto",
    "pannes": [
        {
            "chemin": "/v1/factures*",
            "methode": "POST",
            "latenceMs": 0,
            "statut": 503,
            "proportion": None,
            "restantes": 1,
            "vues": 0,
        }
    ],
}


class Pannes(BaseModel):
    """Les règles de panne d'un OPCO, qui remplacent les précédentes."""

    model_config = ConfigDict(extra="forbid")
    pannes: list[Panne] = Field(max_length=100, description="remplace les règles de l'OPCO")


class PanneEnCours(BaseModel):
    """Une règle de panne en place, et ce qu'elle a fait."""

    chemin: str = Field(description="motif glob du chemin sous l'URL de l'OPCO")
    methode: str | None = Field(description="la méthode visée, ou null pour toutes")
    latenceMs: int = Field(description="délai ajouté à chaque requête visée")
    statut: int | None = Field(description="statut d'erreur répondu, ou null")
    proportion: float | None = Field(description="part des requêtes visées en erreur")
    restantes: int | None = Field(description="requêtes visées restantes, ou null sans limite")
    vues: int = Field(description="requêtes visées depuis la pose de la règle")


class PannesEnCours(BaseModel):
    """Les règles de panne en place sur un OPCO."""

    opco: str = Field(description="code de l'OPCO")
    pannes: list[PanneEnCours] = Field(description="les règles, dans l'ordre de la demande")


def panne_row(opco: str, panne: Panne) -> PanneRow:
    return PanneRow(
        opco=opco,
        chemin=panne.chemin,
        methode=panne.methode,
        latence_ms=panne.latenceMs,
        statut=panne.statut,
        part=None if panne.proportion is None else int(panne.proportion * SHARE_SCALE),
        restantes=panne.prochaines,
        vues=0,
    )


def pannes_answer(opco: str, rows: list[PanneRow]) -> PannesEnCours:
    return PannesEnCours(
        opco=opco,
        pannes=[
            PanneEnCours(
                chemin=r.chemin,
                methode=r.methode,
                latenceMs=r.latence_ms,
                statut=r.statut,
                proportion=None if r.part is None else r.part / SHARE_SCALE,
                restantes=r.restantes,
                vues=r.vues,
            )
            for r in rows
        ],
    )
