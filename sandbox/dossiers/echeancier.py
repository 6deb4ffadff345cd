"""Échéancier: how an engaged contract's funding is split into échéances (contract §6, §13).

Each contract year is funded pro rata of its days within the contract, and that year's
amount is paid in tranches (by default 40 % at month 0, 30 % at month 6, 30 % at month 9).
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise

from sandbox.core.dates import add_months
from sandbox.core.money import to_cent

JOURS_ANNEE = 365


@dataclass(frozen=True)
class Tranche:
    """One step of the yearly schedule: an échéance opening `mois` months into each year."""

    mois: int  # month offset inside the contract year (0, 6, 9)
    part: Decimal  # share of that year's amount (0.40, 0.30, 0.30)


DEFAULT_SCHEDULE: tuple[Tranche, ...] = (
    Tranche(0, Decimal("0.40")),
    Tranche(6, Decimal("0.30")),
    Tranche(9, Decimal("0.30")),
)
RQTH_ANNUEL_DEFAUT = Decimal("4000")


@dataclass(frozen=True)
class EcheancePrevue:
    """An échéance as engaged: when it opens, the period it pays for, and its amounts."""

    numero: int  # 1, 2, ...
    codification: str  # "E1", "E2", ...
    date_ouverture: date
    date_debut: date
    date_fin: date
    montant_pedagogique: Decimal
    montant_rqth: Decimal

    @property
    def montant_total(self) -> Decimal:
        """Pedagogical amount plus the RQTH supplement."""
        return self.montant_pedagogique + self.montant_rqth


@dataclass(frozen=True)
class _Versement:
    """One échéance of a contract year before numbering: its opening and its amounts."""

    ouverture: date
    pedagogique: Decimal
    rqth: Decimal


def build_echeancier(
    date_debut: date,
    date_fin: date,
    npec: Decimal,
    rqth_annuel: Decimal = Decimal(0),
    schedule: Sequence[Tranche] = DEFAULT_SCHEDULE,
) -> list[EcheancePrevue]:
    """The échéances of a contract running from `date_debut` to `date_fin` (both included).

    `npec` is the certification's yearly funding, `rqth_annuel` the yearly disability
    supplement (0 without RQTH). The pedagogical amounts add up exactly to the sum of the
    yearly pro-rated amounts, and likewise for the RQTH amounts.
    """
    return list(_echeancier(date_debut, date_fin, npec, rqth_annuel, tuple(schedule)))


# A scenario's thousands of contracts share a few starts, ends and fundings: each
# échéancier is computed once (its échéances are frozen).
@lru_cache(maxsize=4096)
def _echeancier(
    date_debut: date,
    date_fin: date,
    npec: Decimal,
    rqth_annuel: Decimal,
    schedule: tuple[Tranche, ...],
) -> tuple[EcheancePrevue, ...]:
    _check_inputs(date_debut, date_fin, npec, rqth_annuel, schedule)
    versements: list[_Versement] = []
    for year, days in _contract_years(date_debut, date_fin):
        openings, parts = _year_tranches(date_debut, date_fin, year, schedule)
        pedagogique = _split(_prorate(npec, days), parts)
        rqth = _split(_prorate(rqth_annuel, days), parts)
        versements += map(_Versement, openings, pedagogique, rqth)
    return tuple(_number(versements, date_fin))


def engagement(echeances: Sequence[EcheancePrevue]) -> Decimal:
    """The amount engaged for a dossier: the sum of its échéances' totals."""
    return sum((echeance.montant_total for echeance in echeances), Decimal(0))


def _check_inputs(
    date_debut: date,
    date_fin: date,
    npec: Decimal,
    rqth_annuel: Decimal,
    schedule: Sequence[Tranche],
) -> None:
    if date_fin < date_debut:
        raise ValueError(f"contract ends ({date_fin}) before it starts ({date_debut})")
    if npec < 0 or rqth_annuel < 0:
        raise ValueError("yearly amounts must not be negative")
    _check_schedule(schedule)


def _check_schedule(schedule: Sequence[Tranche]) -> None:
    # Month 0 must come first: shares opening after the contract's end merge into an
    # earlier échéance of the same year, so every year needs one opening on its first day.
    months = [tranche.mois for tranche in schedule]
    if not months or months[0] != 0 or months[-1] >= 12:
        raise ValueError("schedule months must start at 0 and stay under 12")
    if any(later <= earlier for earlier, later in pairwise(months)):
        raise ValueError("schedule months must be strictly increasing")
    if any(tranche.part < 0 for tranche in schedule):
        raise ValueError("schedule parts must not be negative")
    if sum((tranche.part for tranche in schedule), Decimal(0)) != 1:
        raise ValueError("schedule parts must add up to 1")


def _contract_years(start: date, end: date) -> Iterator[tuple[int, int]]:
    """(k, days of contract year k within the contract) for each contract year."""
    year = 0
    while (year_start := add_months(start, 12 * year)) <= end:
        year_end = min(add_months(start, 12 * (year + 1)) - timedelta(days=1), end)
        yield year, (year_end - year_start).days + 1
        year += 1


def _year_tranches(
    start: date, end: date, year: int, schedule: Sequence[Tranche]
) -> tuple[list[date], list[Decimal]]:
    """Openings of contract year `year`'s échéances, and the share of the year each gets."""
    openings: list[date] = []
    parts: list[Decimal] = []
    for tranche in schedule:
        opening = add_months(start, 12 * year + tranche.mois)
        if opening <= end:
            openings.append(opening)
            parts.append(tranche.part)
        else:
            # Opens after the contract's end: its money goes to the year's last échéance.
            parts[-1] += tranche.part
    return openings, parts


def _prorate(annuel: Decimal, days: int) -> Decimal:
    # A year holding 29 February has 366 days; it is still one year's funding at most.
    return to_cent(annuel * min(days, JOURS_ANNEE) / JOURS_ANNEE)


def _split(amount: Decimal, parts: Sequence[Decimal]) -> list[Decimal]:
    """`amount` shared by `parts`, each rounded to the cent; the last takes the remainder.

    The remainder is taken within each year, so every year's échéances add up to that
    year's amount, and hence the whole schedule to the sum of the years. Capping each share
    at what is left keeps the remainder from going negative when tiny amounts round up.
    """
    shares: list[Decimal] = []
    left = amount
    for part in parts[:-1]:
        share = min(to_cent(amount * part), left)
        shares.append(share)
        left -= share
    shares.append(left)
    return shares


def _number(versements: Sequence[_Versement], date_fin: date) -> list[EcheancePrevue]:
    """Number the échéances; each pays for the days up to the next one's opening."""
    ends = [nxt.ouverture - timedelta(days=1) for nxt in versements[1:]] + [date_fin]
    return [
        EcheancePrevue(
            numero=numero,
            codification=f"E{numero}",
            date_ouverture=versement.ouverture,
            date_debut=versement.ouverture,
            date_fin=end,
            montant_pedagogique=versement.pedagogique,
            montant_rqth=versement.rqth,
        )
        for numero, (versement, end) in enumerate(zip(versements, ends, strict=True), start=1)
    ]
