"""The journal as the control API answers it."""

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from sandbox.core.tables import JournalRow


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


def entree_answer(row: JournalRow) -> EntreeJournal:
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
