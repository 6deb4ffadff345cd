"""`/v1/status` (no key) and `/v1/cfakeyinfo`: is the OPCO there, what does my key say."""

from sandbox.server.dependencies import CallerDep, opco_router
from sandbox.server.openapi import CFA, OPCO, answers, success
from sandbox.statut.schemas import CFAKEYINFO_EXAMPLE, STATUS_EXAMPLE, CfaKeyInfo, Status

public = opco_router(["OPCO"], public=True)
router = opco_router(["OPCO"])


@public.get(
    "/v1/status",
    summary="État du service de l'OPCO",
    responses=success(STATUS_EXAMPLE) | answers(*OPCO),
)
def status(who: CallerDep) -> Status:
    """Répond OK quand l'OPCO est accroché ; ne demande ni clé ni en-têtes logiciel.

    503 `OPCO_NON_ACCROCHE` quand le scénario de l'espace déclare l'OPCO non accroché."""
    return Status(status="OK", opco=who.opco.code, nom=who.opco.nom)


@router.get(
    "/v1/cfakeyinfo",
    summary="Validité de la clé API du CFA",
    responses=success(CFAKEYINFO_EXAMPLE) | answers(*CFA),
)
def cfakeyinfo(who: CallerDep) -> CfaKeyInfo:
    """Le SIRET du CFA de la clé et sa date de fin de validité (null : sans fin)."""
    cfa = who.require_cfa()
    key = cfa.cle(who.opco.code)
    return CfaKeyInfo(
        status="success", siret=cfa.siret, dateFinValidite=key.dateFinValidite if key else None
    )
