"""The journal as the control API answers it."""

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field

from sandbox.core.tables import JournalRow


class MessageJournal(BaseModel):
    """Ce qui a été reçu ou répondu, NIR, IBAN, clés, secrets et jetons masqués."""

    entetes: dict[str, str] = Field(description="en-têtes, noms en minuscules")
    corps: Any = Field(
        description="le corps : JSON ou formulaire décodé, sinon texte (64 Ko au plus) ; "
        "les fichiers d'un envoi multipart sont remplacés par leur nom, taille et SHA-256"
    )
    tronque: bool = Field(False, description="vrai quand le corps dépassait 64 Ko")
    taille: int | None = Field(None, description="taille du corps tronqué, en octets")


class EntreeJournal(BaseModel):
    """Une requête reçue par l'espace ; ni NIR ni clé n'y figurent."""

    instant: str = Field(description="instant réel de la requête (UTC, ISO 8601)")
    date: Annotated[date, Field(description="date de l'horloge de l'espace à ce moment")]
    opco: str | None = Field(description="code de l'OPCO appelé, ou null (CFADock)")
    cfa: str | None = Field(description="SIRET du CFA appelant quand sa clé est connue")
    logiciel: str | None = Field(description="EDITEUR/LOGICIEL/VERSION envoyés")
    methode: str = Field(description="méthode HTTP")
    chemin: str = Field(description="chemin et paramètres, secrets et NIR masqués")
    statut: int = Field(description="statut HTTP de la réponse")
    codes: list[str] = Field(description="codes d'erreur de la réponse")
    diagnostics: list[str] = Field(
        description="explications que la réponse ne pouvait pas donner au CFA"
    )
    requete: MessageJournal | None = Field(description="la requête reçue")
    reponse: MessageJournal | None = Field(description="la réponse envoyée")


class Journal(BaseModel):
    """Une page du journal de l'espace, de la plus ancienne requête à la plus récente."""

    entrees: list[EntreeJournal] = Field(description="les requêtes, la plus ancienne d'abord")
    suivant: str | None = Field(
        description="curseur de la page suivante (à passer en `?suivant=`), null à la fin"
    )


def entree_answer(row: JournalRow) -> EntreeJournal:
    return EntreeJournal(
        instant=row.instant.isoformat(timespec="milliseconds") + "Z",
        date=row.date,
        opco=row.opco,
        cfa=row.cfa,
        logiciel=row.logiciel,
        methode=row.methode,
        chemin=row.chemin,
        statut=row.statut,
        codes=list(row.codes),
        diagnostics=list(row.diagnostics),
        requete=MessageJournal.model_validate(row.requete) if row.requete else None,
        reponse=MessageJournal.model_validate(row.reponse) if row.reponse else None,
    )
