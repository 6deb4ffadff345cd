"""Who is calling: the OPCO must be hooked up, the key valid there, the software named."""

from collections.abc import Mapping

from sandbox.core.opcos import Opco
from sandbox.errors import SandboxError
from sandbox.espaces.espace import Espace
from sandbox.espaces.world import ApiKey

SOFTWARE_HEADERS = ("EDITEUR", "LOGICIEL", "VERSION")


def check_hooked_up(espace: Espace, opco: Opco) -> None:
    if not espace.world.profile(opco.code).accroche:
        raise SandboxError.of(
            503,
            "OPCO_NON_ACCROCHE",
            f"{opco.nom} n'est pas encore accroché à l'API inter-OPCO.",
        )


def authenticate(espace: Espace, opco: Opco, key: str | None) -> ApiKey:
    """The CFA key of that OPCO, valid on the espace's clock, or 401."""
    found = espace.world.api_key(opco.code, key) if key else None
    if found is None:
        raise SandboxError.of(
            401, "CLE_API_INVALIDE", f"La clé API (X-API-KEY) n'est pas valide pour {opco.nom}."
        )
    if found.date_fin_validite is not None and found.date_fin_validite < espace.today:
        raise SandboxError.of(
            401,
            "CLE_API_EXPIREE",
            f"La clé API a expiré le {found.date_fin_validite.isoformat()}.",
        )
    return found


def check_software_headers(headers: Mapping[str, str]) -> None:
    for name in SOFTWARE_HEADERS:
        if not headers.get(name, "").strip():
            raise SandboxError.of(
                400,
                "ENTETE_LOGICIEL_MANQUANTE",
                f"L'en-tête {name} est obligatoire (éditeur, logiciel et version).",
                name,
            )
