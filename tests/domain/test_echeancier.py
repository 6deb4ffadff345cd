"""The échéancier: pro-rating, the 40/30/30 schedule, merging, remainders, ruptures."""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.core.dates import add_months
from sandbox.dossiers.echeancier import (
    DEFAULT_SCHEDULE,
    RQTH_ANNUEL_DEFAUT,
    EcheancePrevue,
    Tranche,
    build_echeancier,
    engagement,
)

CENT = Decimal("0.01")


def periods(echeances: Sequence[EcheancePrevue]) -> list[tuple[date, date, date]]:
    return [(e.date_ouverture, e.date_debut, e.date_fin) for e in echeances]


def pedagogiques(echeances: Sequence[EcheancePrevue]) -> list[Decimal]:
    return [e.montant_pedagogique for e in echeances]


def test_two_year_contract_has_three_echeances_a_year() -> None:
    echeances = build_echeancier(date(2026, 9, 1), date(2028, 8, 31), Decimal(7000))

    assert [e.numero for e in echeances] == [1, 2, 3, 4, 5, 6]
    assert [e.codification for e in echeances] == ["E1", "E2", "E3", "E4", "E5", "E6"]
    assert periods(echeances) == [
        (date(2026, 9, 1), date(2026, 9, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 3, 1), date(2027, 5, 31)),
        (date(2027, 6, 1), date(2027, 6, 1), date(2027, 8, 31)),
        (date(2027, 9, 1), date(2027, 9, 1), date(2028, 2, 29)),
        (date(2028, 3, 1), date(2028, 3, 1), date(2028, 5, 31)),
        (date(2028, 6, 1), date(2028, 6, 1), date(2028, 8, 31)),
    ]
    assert pedagogiques(echeances) == [Decimal(n) for n in (2800, 2100, 2100) * 2]
    assert all(e.montant_rqth == 0 for e in echeances)
    assert engagement(echeances) == Decimal(14000)


def test_six_month_contract_merges_everything_into_e1() -> None:
    # 181 days: 7000 * 181 / 365 = 3471.2328…; months 6 and 9 open after 2027-02-28.
    echeances = build_echeancier(date(2026, 9, 1), date(2027, 2, 28), Decimal(7000))

    assert periods(echeances) == [(date(2026, 9, 1), date(2026, 9, 1), date(2027, 2, 28))]
    assert pedagogiques(echeances) == [Decimal("3471.23")]


def test_eight_month_contract_merges_month_nine_into_month_six() -> None:
    # 242 days: 7000 * 242 / 365 = 4641.0958… → 4641.10; 40 % = 1856.44, the rest 2784.66.
    echeances = build_echeancier(date(2026, 9, 1), date(2027, 4, 30), Decimal(7000))

    assert periods(echeances) == [
        (date(2026, 9, 1), date(2026, 9, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 3, 1), date(2027, 4, 30)),
    ]
    assert pedagogiques(echeances) == [Decimal("1856.44"), Decimal("2784.66")]


def test_thirteen_month_contract_adds_a_short_second_year() -> None:
    # Year 2 is 30 days: 7000 * 30 / 365 = 575.3424… → 575.34, all on E4.
    echeances = build_echeancier(date(2026, 9, 1), date(2027, 9, 30), Decimal(7000))

    assert periods(echeances)[3:] == [(date(2027, 9, 1), date(2027, 9, 1), date(2027, 9, 30))]
    assert pedagogiques(echeances) == [
        Decimal(2800),
        Decimal(2100),
        Decimal(2100),
        Decimal("575.34"),
    ]


def test_rqth_supplement_follows_the_same_schedule() -> None:
    echeances = build_echeancier(
        date(2026, 9, 1), date(2028, 8, 31), Decimal(7000), RQTH_ANNUEL_DEFAUT
    )

    assert [e.montant_rqth for e in echeances] == [Decimal(n) for n in (1600, 1200, 1200) * 2]
    assert [e.montant_total for e in echeances] == [Decimal(n) for n in (4400, 3300, 3300) * 2]
    assert engagement(echeances) == Decimal(22000)


def test_rqth_supplement_is_pro_rated() -> None:
    # 4000 * 181 / 365 = 1983.5616…
    echeances = build_echeancier(
        date(2026, 9, 1), date(2027, 2, 28), Decimal(7000), RQTH_ANNUEL_DEFAUT
    )

    assert [e.montant_rqth for e in echeances] == [Decimal("1983.56")]
    assert engagement(echeances) == Decimal("5454.79")


def test_a_leap_contract_year_is_capped_at_one_year_of_funding() -> None:
    # 2027-09-01 → 2028-08-31 holds 29 February: 366 days, still 7000 and not 7019.18.
    echeances = build_echeancier(date(2027, 9, 1), date(2028, 8, 31), Decimal(7000))

    assert engagement(echeances) == Decimal(7000)


def test_the_last_echeance_takes_the_rounding_remainder() -> None:
    # 40 % of 1000.12 is 400.048 → 400.05; 30 % is 300.036 → 300.04; the rest is 300.03.
    echeances = build_echeancier(date(2026, 9, 1), date(2027, 8, 31), Decimal("1000.12"))

    assert pedagogiques(echeances) == [Decimal("400.05"), Decimal("300.04"), Decimal("300.03")]


def test_tiny_amounts_never_go_negative() -> None:
    # Four quarters of 0.02 each round up to 0.01: the third is capped, the fourth gets 0.
    quarters = tuple(Tranche(mois, Decimal("0.25")) for mois in (0, 3, 6, 9))
    echeances = build_echeancier(
        date(2026, 9, 1), date(2027, 8, 31), Decimal("0.02"), schedule=quarters
    )

    assert pedagogiques(echeances) == [CENT, CENT, Decimal("0.00"), Decimal("0.00")]


def test_month_ends_are_clamped_from_the_contract_start() -> None:
    echeances = build_echeancier(date(2026, 8, 31), date(2027, 8, 30), Decimal(7000))

    assert periods(echeances) == [
        (date(2026, 8, 31), date(2026, 8, 31), date(2027, 2, 27)),
        (date(2027, 2, 28), date(2027, 2, 28), date(2027, 5, 30)),
        (date(2027, 5, 31), date(2027, 5, 31), date(2027, 8, 30)),
    ]


def test_a_custom_schedule_is_followed() -> None:
    halves = (Tranche(0, Decimal("0.5")), Tranche(6, Decimal("0.5")))
    echeances = build_echeancier(
        date(2026, 9, 1), date(2027, 8, 31), Decimal(7000), schedule=halves
    )

    assert periods(echeances) == [
        (date(2026, 9, 1), date(2026, 9, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 3, 1), date(2027, 8, 31)),
    ]
    assert pedagogiques(echeances) == [Decimal(3500), Decimal(3500)]


def test_a_one_day_contract_has_one_echeance() -> None:
    echeances = build_echeancier(date(2026, 9, 1), date(2026, 9, 1), Decimal(7000))

    assert periods(echeances) == [(date(2026, 9, 1), date(2026, 9, 1), date(2026, 9, 1))]
    assert pedagogiques(echeances) == [Decimal("19.18")]


@pytest.mark.parametrize(
    ("fin", "npec", "rqth"),
    [
        (date(2026, 8, 31), Decimal(7000), Decimal(0)),
        (date(2027, 8, 31), Decimal(-1), Decimal(0)),
        (date(2027, 8, 31), Decimal(7000), Decimal(-1)),
    ],
)
def test_inconsistent_inputs_are_rejected(fin: date, npec: Decimal, rqth: Decimal) -> None:
    with pytest.raises(ValueError, match=r"."):
        build_echeancier(date(2026, 9, 1), fin, npec, rqth)


@pytest.mark.parametrize(
    "schedule",
    [
        (),
        (Tranche(0, Decimal("0.5")), Tranche(6, Decimal("0.4"))),
        (Tranche(1, Decimal("0.5")), Tranche(6, Decimal("0.5"))),
        (Tranche(0, Decimal("0.5")), Tranche(12, Decimal("0.5"))),
        (Tranche(0, Decimal("0.5")), Tranche(6, Decimal("0.2")), Tranche(6, Decimal("0.3"))),
        (Tranche(0, Decimal("0.5")), Tranche(9, Decimal("0.2")), Tranche(6, Decimal("0.3"))),
        (Tranche(0, Decimal("1.5")), Tranche(6, Decimal("-0.5"))),
    ],
)
def test_invalid_schedules_are_rejected(schedule: tuple[Tranche, ...]) -> None:
    with pytest.raises(ValueError, match="schedule"):
        build_echeancier(date(2026, 9, 1), date(2027, 8, 31), Decimal(7000), schedule=schedule)


# --- properties ---------------------------------------------------------------------------


@st.composite
def contracts(draw: st.DrawFn) -> tuple[date, date]:
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
    longest = (add_months(start, 54) - start).days - 1
    return start, start + timedelta(days=draw(st.integers(0, longest)))


def yearly_amounts(start: date, end: date, annuel: Decimal) -> list[Decimal]:
    """The rule of contract §13, written independently of the module."""
    amounts = []
    year = 0
    while (year_start := add_months(start, 12 * year)) <= end:
        year_end = min(add_months(start, 12 * year + 12) - timedelta(days=1), end)
        days = min((year_end - year_start).days + 1, 365)
        amounts.append((annuel * days / 365).quantize(CENT, rounding=ROUND_HALF_UP))
        year += 1
    return amounts


def expected_openings(start: date, end: date) -> list[date]:
    openings = [
        add_months(start, 12 * year + tranche.mois)
        for year in range(5)
        for tranche in DEFAULT_SCHEDULE
    ]
    return [opening for opening in openings if opening <= end]


def sums_by_year(
    echeances: Sequence[EcheancePrevue], start: date, years: int, rqth: bool
) -> list[Decimal]:
    sums = []
    for year in range(years):
        low, high = add_months(start, 12 * year), add_months(start, 12 * year + 12)
        of_year = [e for e in echeances if low <= e.date_ouverture < high]
        amounts = [e.montant_rqth if rqth else e.montant_pedagogique for e in of_year]
        sums.append(sum(amounts, Decimal(0)))
    return sums


@settings(deadline=None, max_examples=200)
@given(
    contract=contracts(),
    npec=st.decimals(min_value=0, max_value=50000, places=2),
    handicap=st.booleans(),
)
def test_echeancier_properties(contract: tuple[date, date], npec: Decimal, handicap: bool) -> None:
    start, end = contract
    rqth_annuel = RQTH_ANNUEL_DEFAUT if handicap else Decimal(0)

    echeances = build_echeancier(start, end, npec, rqth_annuel)

    assert [e.numero for e in echeances] == list(range(1, len(echeances) + 1))
    assert [e.codification for e in echeances] == [f"E{e.numero}" for e in echeances]
    assert [e.date_ouverture for e in echeances] == expected_openings(start, end)
    assert echeances[0].date_debut == start
    assert echeances[-1].date_fin == end
    assert all(e.date_debut == e.date_ouverture <= e.date_fin for e in echeances)
    for before, after in pairwise(echeances):
        assert before.date_fin + timedelta(days=1) == after.date_debut
    amounts = [a for e in echeances for a in (e.montant_pedagogique, e.montant_rqth)]
    assert all(a >= 0 and a == a.quantize(CENT) for a in amounts)
    pedagogique, rqth = yearly_amounts(start, end, npec), yearly_amounts(start, end, rqth_annuel)
    assert sum(pedagogiques(echeances)) == sum(pedagogique)
    assert sum(e.montant_rqth for e in echeances) == sum(rqth)
    assert sums_by_year(echeances, start, len(pedagogique), rqth=False) == pedagogique
    assert sums_by_year(echeances, start, len(rqth), rqth=True) == rqth
    assert engagement(echeances) == sum(pedagogique) + sum(rqth)
