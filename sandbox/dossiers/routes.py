"""Contracts and dossiers of the OPCO API: transmit, read one, the pages of states."""

from typing import Annotated

from fastapi import Body, Query

from sandbox.dossiers import service as dossiers
from sandbox.dossiers.cerfa import TRANSMISSION_EXAMPLE, Transmission
from sandbox.dossiers.repository import Numero
from sandbox.dossiers.schemas import (
    ACCUSE_EXAMPLE,
    DOSSIER_EXAMPLE,
    ETAT_EXAMPLE,
    ETATS_EXAMPLE,
    Accuse,
    Dossier,
    EtatDossier,
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
    TROP_DE_DOSSIERS,
)
from sandbox.journal.rapport import SANS_NUMERO_INTERNE
from sandbox.scenarios import demo
from sandbox.server.dependencies import CallerDep, PageNumber, PageSize, RawBody, opco_router
from sandbox.server.openapi import BODY, CFA, answers, demo_examples, success

router = opco_router(["OPCO"])
# The pages: `/v1` a bare array, `/v2` paged (production's two shapes).
pages = opco_router(["OPCO"], v2_twins=False)


@router.post(
    "/v1/dossiers",
    status_code=200,
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
        s400="Les contrôles bloquants sont tous rapportés dans une même réponse.",
    )
    | success(ACCUSE_EXAMPLE),
)
def transmettre(
    who: CallerDep,
    transmission: Annotated[
        Transmission,
        Body(openapi_examples=demo_examples("Un contrat du CFA de demo", TRANSMISSION_EXAMPLE)),
    ],
    raw: RawBody,
) -> Accuse:
    """Contrôle le schéma (400 `CHAMP_OBLIGATOIRE`, `FORMAT_INVALIDE`), puis les règles
    bloquantes, toutes rapportées ensemble (400), puis les doublons (400 `DOSSIER_DOUBLON`,
    qui l'emporte sur `NUMERO_INTERNE_DEJA_UTILISE`). Accepté : 200, dossier à l'état
    `TRANSMIS`. Sans `numeroInterne`, l'OPCO en attribue un de sept chiffres (1000001,
    1000002… par OPCO et par espace), rendu dans l'accusé. Sans `mandatGestion: true`,
    l'avertissement `MANDAT_GESTION_ABSENT` accompagne l'accusé et le dossier est à
    régulariser. Le CERFA est conservé et rendu tel qu'envoyé (dates comprises) ; les dates
    s'écrivent `AAAA-MM-JJ` ou en date-heure ISO 8601 (`2026-09-01T00:00:00+02:00`), dont
    seule la date écrite compte ; une chaîne vide vaut un champ absent ; nombres et booléens
    peuvent venir en chaînes (`"1200.00"`, `"true"`)."""
    deposit = dossiers.Deposit(
        opco=who.opco.code,
        cerfa=transmission.cerfa,
        raw_cerfa=raw["cerfa"],
        numero_interne=transmission.numeroInterne,
        mandat_gestion=transmission.mandatGestion,
    )
    done = dossiers.receive(who.espace, deposit, who.require_cfa().siret)
    if transmission.numeroInterne is None:
        who.note(SANS_NUMERO_INTERNE)
    return Accuse(
        numeroInterne=done.numero_interne,
        numeroExterne=done.dossier.numero_externe,
        etat=Etat.TRANSMIS,
        avertissements=avertissements(done.avertissements),
    )


@pages.get(
    "/v1/dossiers/etats",
    summary="États de tous les dossiers du CFA",
    responses=success([ETAT_EXAMPLE]) | answers(*CFA),
)
def etats(who: CallerDep) -> list[EtatDossier]:
    """Un tableau JSON de tous les dossiers du CFA connus par un numéro interne (transmis ou
    appairés), par numéro interne, comme en production. `/v2/dossiers/etats` les donne par
    page."""
    rows = dossiers.states_of_cfa(who.espace, who.opco.code, who.require_cfa().siret)
    return [etat_answer(r) for r in rows]


@pages.get(
    "/v2/dossiers/etats",
    summary="États des dossiers du CFA, par page",
    responses=success(ETATS_EXAMPLE) | answers(*CFA, FORMAT_INVALIDE),
)
def etats_par_page(
    who: CallerDep, numeroPage: PageNumber = 1, taillePage: PageSize = 50
) -> EtatsDossiers:
    """Les dossiers du CFA connus par un numéro interne (transmis ou appairés), par numéro
    interne. `FORMAT_INVALIDE` pour une page inférieure à 1 ou une taille hors de 1 à 500 ;
    une page au-delà de la dernière est vide, avec le bon `total`."""
    page = dossiers.states_page(
        who.espace, who.opco.code, who.require_cfa().siret, numeroPage, taillePage
    )
    return EtatsDossiers(
        total=page.total,
        count=len(page.rows),
        page=numeroPage,
        EtatDossierResult=[etat_answer(r) for r in page.rows],
    )


@router.get(
    "/v1/dossiers/liste",
    summary="Lire plusieurs dossiers par leurs numéros internes",
    responses=success([DOSSIER_EXAMPLE]) | answers(*CFA, CHAMP_OBLIGATOIRE, TROP_DE_DOSSIERS),
)
def liste(
    who: CallerDep,
    numerosInternes: Annotated[
        list[str],
        Query(
            description="Numéros internes, séparés par des virgules, ou le paramètre répété ; "
            "100 au plus.",
            examples=[["DEMO-0001,CFA-0002"]],
            openapi_examples=demo_examples("Le dossier engagé de demo", [demo.ENGAGE_INTERNE]),
        ),
    ] = [],  # noqa: B006 (FastAPI copies the default)
) -> list[Dossier]:
    """Les dossiers du CFA trouvés, dans l'ordre demandé, les inconnus omis (ceux d'un autre
    CFA aussi). Plus de 100 numéros : 400 `TROP_DE_DOSSIERS`."""
    found = dossiers.dossiers_listed(
        who.espace, who.opco.code, who.require_cfa().siret, numerosInternes
    )
    return [dossier_answer(read) for read in found]


@router.get(
    "/v1/dossiers",
    summary="Lire un dossier par son numéro interne, externe ou DECA",
    responses=success(DOSSIER_EXAMPLE) | answers(*CFA, CHAMP_OBLIGATOIRE, DOSSIER_INCONNU),
)
def dossier(
    who: CallerDep,
    numeroInterne: Annotated[
        str | None,
        Query(
            description="Numéro du dossier chez le CFA.",
            examples=[demo.ENGAGE_INTERNE],
            openapi_examples=demo_examples("Le dossier engagé de demo", demo.ENGAGE_INTERNE),
        ),
    ] = None,
    numeroExterne: Annotated[
        str | None,
        Query(description="Numéro du dossier chez l'OPCO.", examples=["AKTO-2026-000001"]),
    ] = None,
    numeroDeca: Annotated[str | None, Query(description="Numéro DECA du dossier.")] = None,
) -> Dossier:
    """Le CERFA avec l'état du dossier, l'engagement, l'échéancier, les frais annexes et le
    détail de leur facturation. Un seul des trois numéros, sinon 400 `CHAMP_OBLIGATOIRE`.

    Le dossier d'un autre CFA répond comme un dossier inexistant : 404 `DOSSIER_INCONNU`."""
    numeros: dict[Numero, str | None] = {
        "numeroInterne": numeroInterne,
        "numeroExterne": numeroExterne,
        "numeroDeca": numeroDeca,
    }
    read = dossiers.dossier_of_cfa(who.espace, who.opco.code, who.require_cfa().siret, numeros)
    return dossier_answer(read)
