"""The eleven OPCOs of the standard, as they appear in URLs and answers."""

from dataclasses import dataclass

from sandbox.errors import SandboxError


@dataclass(frozen=True)
class Opco:
    code: str  # the URL segment: /akto/v1/...
    nom: str  # the official name, answered by /v1/status
    prefixe: str  # the start of the numeroExterne the OPCO gives


OPCOS: dict[str, Opco] = {
    o.code: o
    for o in (
        Opco("afdas", "AFDAS", "AFDAS"),
        Opco("akto", "AKTO", "AKTO"),
        Opco("atlas", "OPCO ATLAS", "ATLAS"),
        Opco("constructys", "Constructys", "CONS"),
        Opco("ocapiat", "OCAPIAT", "OCAP"),
        Opco("opco2i", "OPCO 2i", "O2I"),
        Opco("opcoep", "OPCO EP", "OPEP"),
        Opco("mobilites", "OPCO Mobilités", "MOBI"),
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
        raise SandboxError.of(
            404, "OPCO_INCONNU", f"L'OPCO « {code[:40]} » est inconnu de la sandbox."
        ) from None
