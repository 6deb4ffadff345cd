"""CFADock: which OPCO an employer belongs to, and which OPCOs are hooked up (§8).

The employers are the scenario's; an OPCO's SIREN below is a sandbox value, not the real one.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox.cfadock.repository import QuotaRepository
from sandbox.core.opcos import OPCOS, Opco
from sandbox.core.tables import QuotaRow
from sandbox.errors import CHAMP_OBLIGATOIRE, LIMITE_REQUETES, TROP_DE_SIRET
from sandbox.espaces.espace import Espace
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
CFADOCK = "cfadock"  # the service a QuotaRow counts
MINUTE = timedelta(seconds=60)


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


def search(world: World, siret_or_siren: str | None, idcc: int | None) -> Rattachement | None:
    """The employer's OPCO by exactly one of SIRET (or SIREN) and IDCC; None when unknown."""
    if (siret_or_siren is None) == (idcc is None):
        raise CHAMP_OBLIGATOIRE.error(
            "siret" if idcc is None else "idcc",
            detail="la recherche porte sur un SIRET (ou SIREN) ou sur un IDCC, l'un ou l'autre.",
        )
    if siret_or_siren is not None:
        return opco_of(world, siret_or_siren)
    assert idcc is not None
    return opco_of_idcc(world, idcc)


def opco_of_idcc(world: World, idcc: int) -> Rattachement | None:
    """The OPCO of the scenario's first employer under that collective agreement (IDCC)."""
    employeur = next((e for e in world.scenario.employeurs if e.idcc == idcc), None)
    return Rattachement(employeur, OPCOS[employeur.opco]) if employeur else None


def now() -> datetime:
    """Real time (UTC), not the espace's clock: a rate limit counts real minutes."""
    return datetime.now(UTC).replace(tzinfo=None)


def count_request(espace: Espace, instant: datetime) -> None:
    """One more CFADock request of the espace in its minute; past the scenario's
    `limiteParMinute`, 429 `LIMITE_REQUETES` with the seconds until the minute ends.

    The minute starts at the first request counted and lasts 60 s; a refused request does
    not count. The count is a row of the database, locked by the request, rather than the
    journal's entries of the last minute: the journal is written after the answer, so
    concurrent requests on several workers would all find room in it."""
    limite = espace.world.scenario.cfadock.limiteParMinute
    if limite is None:
        return
    repository = QuotaRepository.of(espace)
    window = repository.window(CFADOCK)
    if window is None:
        repository.add(QuotaRow(service=CFADOCK, debut=instant, requetes=1))
    elif instant >= window.debut + MINUTE:
        window.debut, window.requetes = instant, 1
    elif window.requetes >= limite:
        secondes = max(1, math.ceil((window.debut + MINUTE - instant).total_seconds()))
        raise LIMITE_REQUETES.error(
            headers={"Retry-After": str(secondes)}, limite=limite, secondes=secondes
        )
    else:
        window.requetes += 1


def check_batch_size(count: int) -> None:
    """At most `MAX_SIRETS` SIRETs in one search, else 400 `TROP_DE_SIRET`."""
    if count > MAX_SIRETS:
        raise TROP_DE_SIRET.error(maximum=MAX_SIRETS, recus=count)


def accrochages(world: World) -> list[Accrochage]:
    """Every OPCO, hooked up in this espace or not, in the standard's order."""
    return [Accrochage(opco, world.profile(opco.code).accroche) for opco in OPCOS.values()]
