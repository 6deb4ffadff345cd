"""Who is calling: the OPCO must be hooked up, the key valid there, the software named."""

from collections.abc import Mapping

from sandbox.core.opcos import Opco
from sandbox.errors import (
    CLE_API_EXPIREE,
    CLE_API_INVALIDE,
    ENTETE_LOGICIEL_MANQUANTE,
    OPCO_NON_ACCROCHE,
)
from sandbox.espaces.espace import Espace
from sandbox.espaces.world import ApiKey

SOFTWARE_HEADERS = ("EDITEUR", "LOGICIEL", "VERSION")


def check_hooked_up(espace: Espace, opco: Opco) -> None:
    if not espace.world.profile(opco.code).accroche:
        raise OPCO_NON_ACCROCHE.error(nom=opco.nom)


def authenticate(espace: Espace, opco: Opco, key: str | None) -> ApiKey:
    """The CFA key of that OPCO, valid on the espace's clock, or 401."""
    found = espace.world.api_key(opco.code, key) if key else None
    if found is None:
        raise CLE_API_INVALIDE.error(nom=opco.nom)
    if found.date_fin_validite is not None and found.date_fin_validite < espace.today:
        raise CLE_API_EXPIREE.error(date=found.date_fin_validite.isoformat())
    return found


def check_software_headers(headers: Mapping[str, str]) -> None:
    for name in SOFTWARE_HEADERS:
        if not headers.get(name, "").strip():
            raise ENTETE_LOGICIEL_MANQUANTE.error(name, entete=name)
