"""CFADock: which OPCO an employer belongs to, and which OPCOs are hooked up (§8).

The employers are the scenario's; an OPCO's SIREN below is a sandbox value, not the real one.
"""

from dataclasses import dataclass

from sandbox.core.opcos import OPCOS, Opco
from sandbox.errors import TROP_DE_SIRET
from sandbox.espaces.world import World
from sandbox.scenarios.model import Employeur

# Sandbox SIRENs (9 digits, valid Luhn key), stable so that a vendor's tests can assert them.
OPCO_SIREN: dict[str, str] = {
    "afdas": "900100017",
    "akto": "900100025",
    "atlas": "900100033",
    "constructys": "900100041",
    "ocapiat": "900100058",
    "opco2i": "900100066",
    "opcoep": "900100074",
    "mobilites": "900100082",
    "sante": "900100090",
    "opcommerce": "900100108",
    "uniformation": "900100116",
}
# The NAF codes of scenarios are those of the NAF rév. 2 nomenclature (e.g. 1071C).
NAF_TYPE = "NAF_REV2"
MAX_SIRETS = 100


@dataclass(frozen=True)
class Rattachement:
    """An employer found in the scenario, and its OPCO."""

    employeur: Employeur
    opco: Opco

    @property
    def opco_siren(self) -> str:
        return OPCO_SIREN[self.opco.code]

    @property
    def naf_type(self) -> str | None:
        return NAF_TYPE if self.employeur.naf else None


@dataclass(frozen=True)
class Accrochage:
    opco: Opco
    accroche: bool


def opco_of(world: World, siret_or_siren: str) -> Rattachement | None:
    """The employer's OPCO, by SIRET or by SIREN (its first 9 digits); None when unknown."""
    employeur = world.employeur(siret_or_siren)
    return Rattachement(employeur, OPCOS[employeur.opco]) if employeur else None


def check_batch_size(count: int) -> None:
    """At most `MAX_SIRETS` SIRETs in one search, else 400 `TROP_DE_SIRET`."""
    if count > MAX_SIRETS:
        raise TROP_DE_SIRET.error(maximum=MAX_SIRETS, recus=count)


def accrochages(world: World) -> list[Accrochage]:
    """Every OPCO, hooked up in this espace or not, in the standard's order."""
    return [Accrochage(opco, world.profile(opco.code).accroche) for opco in OPCOS.values()]
