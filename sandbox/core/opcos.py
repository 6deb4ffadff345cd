"""The eleven OPCOs of the standard, as they appear in URLs and answers."""

from dataclasses import dataclass

from sandbox.errors import OPCO_INCONNU


@dataclass(frozen=True)
class Opco:
    code: str  # the URL segment: /akto/v1/...
    nom: str  # the official name, answered by /v1/status
    prefixe: str  # the start of the numeroExterne the OPCO gives
    # Whether production asks for an OAuth2 token there (public clients show it); a
    # scenario's OPCO profile may say otherwise.
    oauth: bool = False


OPCOS: dict[str, Opco] = {
    o.code: o
    for o in (
        Opco("afdas", "AFDAS", "AFDAS", oauth=True),
        Opco("akto", "AKTO", "AKTO", oauth=True),
        Opco("atlas", "OPCO ATLAS", "ATLAS", oauth=True),
        Opco("constructys", "Constructys", "CONS"),
        Opco("ocapiat", "OCAPIAT", "OCAP"),
        Opco("opco2i", "OPCO 2i", "O2I"),
        Opco("opcoep", "OPCO EP", "OPEP", oauth=True),
        Opco("mobilites", "OPCO Mobilités", "MOBI", oauth=True),
        Opco("sante", "OPCO Santé", "SANTE"),
        Opco("opcommerce", "L'Opcommerce", "OPCOM"),
        Opco("uniformation", "Uniformation", "UNIF"),
    )
}


def opco_named(code: str) -> Opco:
    """The OPCO of a URL segment, or 404 `OPCO_INCONNU`."""
    try:
        return OPCOS[code]
    except KeyError:
        raise OPCO_INCONNU.error(opco=code[:40]) from None
