"""Instruction's regulatory checks: ages and their exemptions, certification, minimum pay."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from sandbox.dossiers.regulation import (
    SMIC_MENSUEL,
    CertificationStatus,
    ContractFacts,
    minimum_salary,
    refusal_reasons,
    smic_at,
    taux_minimum,
)

DEBUT = date(2026, 9, 1)


def facts(**changes: Any) -> ContractFacts:
    """A contract that engages (apprentice aged 20, maître aged 46), with `changes`."""
    base = ContractFacts(
        date_naissance_apprenti=date(2006, 3, 15),
        date_naissance_maitre1=date(1980, 1, 1),
        date_debut_contrat=DEBUT,
        salaire_embauche=Decimal("2000.00"),
    )
    return replace(base, **changes)


def born_aged(age: int, day_shift: int = 0) -> date:
    """A birth date making someone `age` on DEBUT; day_shift > 0 is later (younger)."""
    return date(DEBUT.year - age, DEBUT.month, DEBUT.day) + timedelta(days=day_shift)


def test_an_ordinary_contract_engages() -> None:
    assert refusal_reasons(facts()) == []


# --- AGE_APPRENTI -------------------------------------------------------------------------


def test_apprentice_under_15_is_refused() -> None:
    assert refusal_reasons(facts(date_naissance_apprenti=date(2012, 1, 1))) == ["AGE_APPRENTI"]


def test_apprentice_aged_30_or_more_is_refused() -> None:
    assert refusal_reasons(facts(date_naissance_apprenti=date(1995, 1, 1))) == ["AGE_APPRENTI"]


def test_apprentice_exactly_15_on_the_start_day_engages() -> None:
    assert refusal_reasons(facts(date_naissance_apprenti=born_aged(15))) == []


def test_apprentice_15_the_day_after_the_start_is_refused() -> None:
    young = facts(date_naissance_apprenti=born_aged(15, day_shift=1))
    assert refusal_reasons(young) == ["AGE_APPRENTI"]


def test_contract_starting_the_day_before_the_30th_birthday_engages() -> None:
    assert refusal_reasons(facts(date_naissance_apprenti=born_aged(30, day_shift=1))) == []


@pytest.mark.parametrize("day_shift", [0, -1])
def test_contract_starting_on_or_after_the_30th_birthday_is_refused(day_shift: int) -> None:
    old = facts(date_naissance_apprenti=born_aged(30, day_shift=day_shift))
    assert refusal_reasons(old) == ["AGE_APPRENTI"]


@pytest.mark.parametrize(
    "exemption",
    [
        {"handicap": True},
        {"sportif_haut_niveau": True},
        {"projet_creation_reprise": True},
        {"type_derogation": 12},
        {"type_derogation": 50},
    ],
)
def test_exemptions_lift_the_upper_age_limit(exemption: dict[str, Any]) -> None:
    assert refusal_reasons(facts(date_naissance_apprenti=born_aged(45), **exemption)) == []


def test_derogation_11_does_not_lift_the_upper_age_limit() -> None:
    derogation = facts(date_naissance_apprenti=born_aged(31), type_derogation=11)
    assert refusal_reasons(derogation) == ["AGE_APPRENTI"]


def test_exemptions_do_not_lift_the_lower_age_limit() -> None:
    child = facts(date_naissance_apprenti=born_aged(14), handicap=True, type_derogation=50)
    assert refusal_reasons(child) == ["AGE_APPRENTI"]


# --- AGE_MAITRE ---------------------------------------------------------------------------


def test_maitre_under_18_is_refused() -> None:
    minor = facts(date_naissance_maitre1=born_aged(18, day_shift=1))
    assert refusal_reasons(minor) == ["AGE_MAITRE"]


def test_maitre_exactly_18_on_the_start_day_engages() -> None:
    assert refusal_reasons(facts(date_naissance_maitre1=born_aged(18))) == []


# --- CERTIFICATION_INELIGIBLE -------------------------------------------------------------


@pytest.mark.parametrize(
    "certification",
    [
        CertificationStatus(actif=False, eligible_apprentissage=True),
        CertificationStatus(actif=True, eligible_apprentissage=False),
    ],
)
def test_inactive_or_ineligible_certification_is_refused(
    certification: CertificationStatus,
) -> None:
    assert refusal_reasons(facts(certification=certification)) == ["CERTIFICATION_INELIGIBLE"]


@pytest.mark.parametrize(
    "certification", [None, CertificationStatus(actif=True, eligible_apprentissage=True)]
)
def test_active_or_unlisted_certification_engages(
    certification: CertificationStatus | None,
) -> None:
    assert refusal_reasons(facts(certification=certification)) == []


# --- REMUNERATION_INSUFFISANTE ------------------------------------------------------------


def test_salary_at_the_minimum_engages_and_a_cent_less_is_refused() -> None:
    # Aged 20 in year 1: 43 % of 1823.03 = 783.9029 → 783.90.
    assert refusal_reasons(facts(salaire_embauche=Decimal("783.90"))) == []
    assert refusal_reasons(facts(salaire_embauche=Decimal("783.89"))) == [
        "REMUNERATION_INSUFFISANTE"
    ]


@pytest.mark.parametrize(
    ("debut", "expected"),
    [(date(2025, 12, 31), []), (date(2026, 1, 1), ["REMUNERATION_INSUFFISANTE"])],
)
def test_the_smic_in_force_at_the_contract_start_applies(debut: date, expected: list[str]) -> None:
    # Aged 26+: 100 % of the SMIC, 1801.80 until 2025-12-31, 1823.03 from 2026-01-01.
    adult = facts(
        date_naissance_apprenti=date(1999, 1, 1),
        date_debut_contrat=debut,
        salaire_embauche=Decimal("1801.80"),
    )
    assert refusal_reasons(adult) == expected


def test_a_scenario_smic_table_replaces_the_legal_one() -> None:
    table = [(date(2020, 1, 1), Decimal("3000.00"))]
    # Aged 20: 43 % of 3000 = 1290, above the 1000 paid.
    assert refusal_reasons(facts(salaire_embauche=Decimal(1000)), table) == [
        "REMUNERATION_INSUFFISANTE"
    ]


def test_every_reason_is_given_once_in_a_fixed_order() -> None:
    everything_wrong = facts(
        date_naissance_apprenti=born_aged(14),
        date_naissance_maitre1=born_aged(17),
        certification=CertificationStatus(actif=False, eligible_apprentissage=False),
        salaire_embauche=Decimal(100),
    )
    assert refusal_reasons(everything_wrong) == [
        "AGE_APPRENTI",
        "AGE_MAITRE",
        "CERTIFICATION_INELIGIBLE",
        "REMUNERATION_INSUFFISANTE",
    ]


# --- tables -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "smic"),
    [
        (date(2019, 6, 1), "1539.42"),
        (date(2020, 1, 1), "1539.42"),
        (date(2021, 9, 30), "1554.58"),
        (date(2021, 10, 1), "1589.47"),
        (date(2024, 10, 31), "1766.92"),
        (date(2024, 11, 1), "1801.80"),
        (date(2025, 12, 31), "1801.80"),
        (date(2026, 1, 1), "1823.03"),
        (date(2030, 1, 1), "1823.03"),
    ],
)
def test_smic_at_reads_the_dated_table(day: date, smic: str) -> None:
    assert smic_at(day) == Decimal(smic)


def test_smic_at_accepts_an_unsorted_table() -> None:
    table = list(reversed(SMIC_MENSUEL))
    assert smic_at(date(2023, 6, 1), table) == Decimal("1747.20")


def test_smic_at_needs_a_table() -> None:
    with pytest.raises(ValueError, match="empty"):
        smic_at(DEBUT, [])


@pytest.mark.parametrize(
    ("age", "year", "rate"),
    [
        (15, 1, 27),
        (17, 1, 27),
        (18, 1, 43),
        (20, 1, 43),
        (21, 1, 53),
        (25, 1, 53),
        (26, 1, 100),
        (17, 2, 39),
        (18, 2, 51),
        (21, 2, 61),
        (40, 2, 100),
        (17, 3, 55),
        (20, 3, 67),
        (25, 3, 78),
        (26, 3, 100),
        (25, 4, 78),
    ],
)
def test_minimum_rate_by_age_and_contract_year(age: int, year: int, rate: int) -> None:
    assert taux_minimum(age, year) == rate


def test_contract_years_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        minimum_salary(20, 0, Decimal(1823))


def test_minimum_salary_rounds_half_up_to_the_cent() -> None:
    # 27 % of 1001.50 = 270.405: half-up gives 270.41 (banker's rounding would give 270.40).
    assert minimum_salary(17, 1, Decimal("1001.50")) == Decimal("270.41")
    assert minimum_salary(22, 1, Decimal("1823.03")) == Decimal("966.21")
