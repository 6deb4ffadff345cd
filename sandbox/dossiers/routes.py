"""Contracts and dossiers of the OPCO API: transmit, read one, the pages of states."""

from typing import Annotated

from fastapi import Body, Query

from sandbox.dossiers import service as dossiers
from sandbox.dossiers.cerfa import Transmission
from sandbox.dossiers.schemas import (
    Accuse,
    Dossier,
    EtatsDossiers,
    avertissements,
    dossier_answer,
    etat_answer,
)
from sandbox.dossiers.states import Etat
from sandbox.errors import (
    CHAMP_OBLIGATOIRE,
    CONTRAT_ANTERIEUR_2020,
    DATES_INCOHERENTES,
    DOSSIER_DOUBLON,
    DOSSIER_INCONNU,
    DUREE_CONTRAT_INVALIDE,
    FORMAT_INVALIDE,
    NIR_INVALIDE,
    NUMERO_INTERNE_DEJA_UTILISE,
    SIRET_CFA_DIFFERENT,
    SIRET_INVALIDE,
)
from sandbox.server.dependencies import CallerDep, PageNumber, PageSize, RawBody, opco_router
from sandbox.server.openapi import BODY, CFA, answers

router = opco_router(["OPCO"])


@router.post(
    "/v1/dossiers",
    status_code=201,
    summary="Transmettre un contrat d'apprentissage",
    responses=answers(
        *CFA,
        *BODY,
        NIR_INVALIDE,
        SIRET_INVALIDE,
        DATES_INCOHERENTES,
        DUREE_CONTRAT_INVALIDE,
        CONTRAT_ANTERIEUR_2020,
        SIRET_CFA_DIFFERENT,
        DOSSIER_DOUBLON,
        NUMERO_INTERNE_DEJA_UTILISE,
        s422="Les contrôles bloquants sont tous rapportés dans une même réponse.",
    ),
)
def transmettre(
    who: CallerDep, transmission: Annotated[Transmission, Body()], raw: RawBody
) -> Accuse:
    """Contrôle le schéma (422 `CHAMP_OBLIGATOIRE`, `FORMAT_INVALIDE`), puis les règles
    bloquantes, toutes rapportées ensemble (422), puis les doublons (409 `DOSSIER_DOUBLON`,
    qui l'emporte sur `NUMERO_INTERNE_DEJA_UTILISE`). Accepté : 201, dossier à l'état
    `TRANSMIS`. Sans `mandatGestion: true`, l'avertissement `MANDAT_GESTION_ABSENT`
    accompagne l'accusé et le dossier est à régulariser. Les champs du CERFA que la sandbox
    n'interprète pas sont conservés et rendus tels quels."""
    deposit = dossiers.Deposit(
        opco=who.opco.code,
        cerfa=transmission.cerfa,
        raw_cerfa=raw["cerfa"],
        numero_interne=transmission.numeroInterne,
        mandat_gestion=transmission.mandatGestion,
    )
    done = dossiers.receive(who.espace, deposit, who.require_cfa().siret)
    return Accuse(
        numeroInterne=transmission.numeroInterne,
        numeroExterne=done.dossier.numero_externe,
        etat=Etat.TRANSMIS,
        avertissements=avertissements(done.avertissements),
    )


@router.get(
    "/v1/dossiers/etats",
    summary="États des dossiers du CFA, par page",
    responses=answers(*CFA, FORMAT_INVALIDE),
)
def etats(who: CallerDep, numeroPage: PageNumber = 1, taillePage: PageSize = 50) -> EtatsDossiers:
    """Les dossiers du CFA connus par un numéro interne (transmis ou appairés), du plus ancien
    au plus récent. 422 `FORMAT_INVALIDE` pour une page inférieure à 1 ou une taille hors de
    1 à 500."""
    page = dossiers.dossiers_page(
        who.espace, who.opco.code, who.require_cfa().siret, numeroPage, taillePage
    )
    return EtatsDossiers(
        total=page.total,
        count=len(page.rows),
        page=numeroPage,
        EtatDossierResult=[etat_answer(r) for r in page.rows],
    )


@router.get(
    "/v1/dossiers",
    summary="Lire un dossier par son numéro interne",
    responses=answers(*CFA, CHAMP_OBLIGATOIRE, FORMAT_INVALIDE, DOSSIER_INCONNU),
)
def dossier(
    who: CallerDep,
    numeroInterne: Annotated[
        str,
        Query(min_length=1, description="Numéro du dossier chez le CFA.", examples=["DEMO-0001"]),
    ],
) -> Dossier:
    """Le CERFA avec l'état du dossier, l'engagement, l'échéancier et les frais annexes.

    Le dossier d'un autre CFA répond comme un dossier inexistant : 404 `DOSSIER_INCONNU`."""
    row = dossiers.dossier_of_cfa(who.espace, who.opco.code, who.require_cfa().siret, numeroInterne)
    return dossier_answer(row)
