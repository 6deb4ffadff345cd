"""Regulatory rules the OPCO checks during instruction: ages, certification, minimum pay.

The refusal codes are those of contract §6; the tables come from norme.md.
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sandbox.core.dates import age_on
from sandbox.core.money import to_cent

# Monthly SMIC (35 h), each amount in force from its date until the next one.
SMIC_MENSUEL: tuple[tuple[date, Decimal], ...] = (
    (date(2020, 1, 1), Decimal("1539.42")),
    (date(2021, 1, 1), Decimal("1554.58")),
    (date(2021, 10, 1), Decimal("1589.47")),
    (date(2022, 5, 1), Decimal("1645.58")),
    (date(2022, 8, 1), Decimal("1678.95")),
    (date(2023, 1, 1), Decimal("1709.28")),
    (date(2023, 5, 1), Decimal("1747.20")),
    (date(2024, 1, 1), Decimal("1766.92")),
    (date(2024, 11, 1), Decimal("1801.80")),
    (date(2026, 1, 1), Decimal("1823.03")),
)

# D6222-26: minimum pay in percent of the SMIC. One row per contract year (1, 2, 3 and
# later), one column per age bracket; AGES_TRANCHES holds where brackets 2 to 4 begin.
AGES_TRANCHES: tuple[int, ...] = (18, 21, 26)  # under 18, 18-20, 21-25, 26 and over
TAUX_MINIMUM: tuple[tuple[int, int, int, int], ...] = (
    (27, 43, 53, 100),
    (39, 51, 61, 100),
    (55, 67, 78, 100),
)

AGE_MINIMUM_APPRENTI = 15
AGE_LIMITE_APPRENTI = 30  # refused from this age on, unless exempted
AGE_MINIMUM_MAITRE = 18
DEROGATIONS_SANS_LIMITE_AGE = frozenset({12, 50})  # over 29; combined


@dataclass(frozen=True)
class CertificationStatus:
    """How the scenario's référentiel lists the training's RNCP certification."""

    actif: bool
    eligible_apprentissage: bool


@dataclass(frozen=True)
class ContractFacts:
    """What instruction needs to know about a contract."""

    date_naissance_apprenti: date
    date_naissance_maitre1: date
    date_debut_contrat: date
    salaire_embauche: Decimal
    handicap: bool = False
    sportif_haut_niveau: bool = False
    projet_creation_reprise: bool = False
    type_derogation: int | None = None
    certification: CertificationStatus | None = None  # None: not listed, hence eligible


def smic_at(day: date, table: Sequence[tuple[date, Decimal]] = SMIC_MENSUEL) -> Decimal:
    """The monthly SMIC in force on `day`; before the table's first date, its first amount."""
    if not table:
        raise ValueError("the SMIC table is empty")
    # Sorted, because a scenario's own table may list its entries in any order.
    entries = sorted(table)
    in_force = [montant for depuis, montant in entries if depuis <= day]
    return in_force[-1] if in_force else entries[0][1]


def taux_minimum(age: int, contract_year: int) -> int:
    """The legal minimum pay, in percent of the SMIC, for an age and a contract year (1, 2…)."""
    if contract_year < 1:
        raise ValueError(f"contract years count from 1, not {contract_year}")
    row = TAUX_MINIMUM[min(contract_year, len(TAUX_MINIMUM)) - 1]
    return row[bisect_right(AGES_TRANCHES, age)]


def minimum_salary(age: int, contract_year: int, smic: Decimal) -> Decimal:
    """The legal minimum monthly pay: SMIC times the rate, rounded half-up to the cent."""
    rate = Decimal(taux_minimum(age, contract_year))
    return to_cent(smic * rate / 100)


def refusal_reasons(
    facts: ContractFacts, smic_table: Sequence[tuple[date, Decimal]] = SMIC_MENSUEL
) -> list[str]:
    """The codes for which instruction refuses the contract, in a fixed order; [] = engage."""
    checks = (
        ("AGE_APPRENTI", _age_apprenti_refused(facts)),
        ("AGE_MAITRE", _age_maitre_refused(facts)),
        ("CERTIFICATION_INELIGIBLE", _certification_refused(facts.certification)),
        ("REMUNERATION_INSUFFISANTE", _remuneration_refused(facts, smic_table)),
    )
    return [code for code, refused in checks if refused]


def _age_apprenti_refused(facts: ContractFacts) -> bool:
    age = age_on(facts.date_naissance_apprenti, facts.date_debut_contrat)
    if age < AGE_MINIMUM_APPRENTI:
        return True
    return age >= AGE_LIMITE_APPRENTI and not _sans_limite_age(facts)


def _sans_limite_age(facts: ContractFacts) -> bool:
    """Whether the apprentice escapes the upper age limit (the lower one always applies)."""
    return (
        facts.handicap
        or facts.sportif_haut_niveau
        or facts.projet_creation_reprise
        or facts.type_derogation in DEROGATIONS_SANS_LIMITE_AGE
    )


def _age_maitre_refused(facts: ContractFacts) -> bool:
    return age_on(facts.date_naissance_maitre1, facts.date_debut_contrat) < AGE_MINIMUM_MAITRE


def _certification_refused(certification: CertificationStatus | None) -> bool:
    if certification is None:
        return False
    return not (certification.actif and certification.eligible_apprentissage)


def _remuneration_refused(facts: ContractFacts, smic_table: Sequence[tuple[date, Decimal]]) -> bool:
    # Only year 1 is checked: that is what `salaireEmbauche` pays.
    age = age_on(facts.date_naissance_apprenti, facts.date_debut_contrat)
    smic = smic_at(facts.date_debut_contrat, smic_table)
    return facts.salaire_embauche < minimum_salary(age, 1, smic)
