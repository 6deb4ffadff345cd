"""Pairing, `POST /v1/dossiers/appairage`, served for each OPCO beside the other `/v1` paths."""

from typing import Annotated

from fastapi import Body
from pydantic import BaseModel, Field, StringConstraints

from sandbox.appairage import service as appairage
from sandbox.core.types import Date, Siret, Text
from sandbox.dossiers import details
from sandbox.dossiers.schemas import APPAIRE_EXAMPLE, Dossier, dossier_answer
from sandbox.errors import APPAIRAGE_DEJA_REALISE, DOSSIER_NON_TROUVE, NUMERO_INTERNE_DEJA_UTILISE
from sandbox.scenarios import demo
from sandbox.server.dependencies import CallerDep, opco_router
from sandbox.server.openapi import BODY, CFA, answers, demo_examples, success

NumeroInterne = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"\S")]
router = opco_router(["OPCO"])
# The dossier `demo`'s employer deposited for the first CFA.
APPAIRAGE_EXAMPLE = {
    "numeroInterne": "DEMO-0002",
    "nom": "Bernard",
    "prenom": "Hugo",
    "dateNaissance": "2008-11-03",
    "siretEmployeur": demo.EMPLOYEUR_SIRET,
    "dateDebutContrat": "2026-09-15",
}


class DemandeAppairage(BaseModel):
    """Le corps de `POST /v1/dossiers/appairage` : le numéro à donner au dossier, et les cinq
    valeurs qui le retrouvent."""

    numeroInterne: NumeroInterne = Field(description="numéro que le CFA donne au dossier")
    nom: Text = Field(description="nom de naissance de l'apprenti")
    prenom: Text = Field(description="prénom de l'apprenti")
    dateNaissance: Date = Field(description="date de naissance de l'apprenti")
    siretEmployeur: Siret = Field(description="SIRET de l'employeur")
    dateDebutContrat: Date = Field(description="date de début du contrat")


@router.post(
    "/v1/dossiers/appairage",
    summary="Appairer un dossier non transmis par le CFA",
    responses=answers(
        *CFA,
        *BODY,
        DOSSIER_NON_TROUVE,
        APPAIRAGE_DEJA_REALISE,
        NUMERO_INTERNE_DEJA_UTILISE,
    )
    | success(APPAIRE_EXAMPLE),
)
def appairer(
    who: CallerDep,
    demande: Annotated[
        DemandeAppairage,
        Body(openapi_examples=demo_examples("Le dépôt de l'employeur", APPAIRAGE_EXAMPLE)),
    ],
) -> Dossier:
    """Retrouve le dossier du CFA (même `organismeFormation.siret`) par le nom, le prénom et la
    date de naissance de l'apprenti, le SIRET de l'employeur et la date de début du contrat
    (noms comparés comme pour les doublons), quel que soit son état, qu'il ait été transmis
    par l'API ou déposé par l'employeur. Il répond ensuite à ce `numeroInterne`.

    404 `DOSSIER_NON_TROUVE` quand aucun dossier du CFA ne correspond (le journal dit si un
    dossier correspond sous un autre SIRET CFA) ; 400 `APPAIRAGE_DEJA_REALISE` quand il est
    appairé à un autre numéro ; 400 `NUMERO_INTERNE_DEJA_UTILISE` quand le numéro est celui
    d'un autre dossier du CFA. Redemander le même appairage répond 200 avec le même dossier.
    """
    demande_domaine = appairage.Appairage(
        numero_interne=demande.numeroInterne,
        nom=demande.nom,
        prenom=demande.prenom,
        date_naissance=demande.dateNaissance,
        siret_employeur=demande.siretEmployeur,
        date_debut_contrat=demande.dateDebutContrat,
    )
    row = appairage.pair(who.espace, who.opco.code, who.require_cfa().siret, demande_domaine)
    return dossier_answer(details.read_one(who.espace, row))
