"""Names, duplicate keys and contract lengths, as pure functions (§5, §13)."""

from datetime import date
from typing import Any

import pytest

from sandbox.core.dates import add_months, full_months
from sandbox.dossiers.cerfa import Cerfa
from sandbox.dossiers.controls import blocking_problems, duplicate_key, normalize_name
from tests.builders import CFA_SIRET, EMPLOYER_SIRET, OTHER_EMPLOYER_SIRET, cerfa

BIRTH, START = date(2009, 1, 20), date(2026, 9, 1)


def key(**changes: Any) -> str:
    values: dict[str, Any] = {
        "nom": "Dupont",
        "prenom": "Éloïse",
        "date_naissance": BIRTH,
        "siret_employeur": EMPLOYER_SIRET,
        "date_debut": START,
    }
    return duplicate_key(**(values | changes))


def codes_for(**blocks: dict[str, Any]) -> list[str]:
    problems = blocking_problems(Cerfa.model_validate(cerfa(**blocks)), CFA_SIRET)
    return [p.code for p in problems]


# normalize_name


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        (" Éloïse ", "eloise"),
        ("ELOISE", "eloise"),
        ("Le   Bihan", "le bihan"),
        ("\tNoël\n", "noel"),
        ("Çağlar", "caglar"),
        ("Anaïs-Zoé", "anais-zoe"),
        ("ŒUVRE", "œuvre"),
    ],
)
def test_normalize_name(name: str, normal: str) -> None:
    assert normalize_name(name) == normal


def test_normalize_name_keeps_spelling() -> None:
    assert normalize_name("Dupond") != normalize_name("Dupont")


def test_normalize_name_keeps_inner_word_boundaries() -> None:
    assert normalize_name("Le Bihan") != normalize_name("Lebihan")


# duplicate_key


@pytest.mark.parametrize(
    "changes",
    [
        {"prenom": " ELOISE "},
        {"prenom": "éloïse"},
        {"nom": "  DUPONT"},
        {"nom": "dupont", "prenom": "Eloise"},
    ],
)
def test_duplicate_key_ignores_case_accents_and_spaces(changes: dict[str, Any]) -> None:
    assert key(**changes) == key()


@pytest.mark.parametrize(
    "changes",
    [
        {"nom": "Dupond"},
        {"prenom": "Elouise"},
        {"nom": "Éloïse", "prenom": "Dupont"},
        {"date_naissance": date(2009, 1, 21)},
        {"siret_employeur": OTHER_EMPLOYER_SIRET},
        {"date_debut": date(2026, 9, 2)},
    ],
    ids=["nom", "prenom", "swapped", "birth", "employer", "start"],
)
def test_duplicate_key_differs_when_one_value_differs(changes: dict[str, Any]) -> None:
    assert key(**changes) != key()


def test_duplicate_key_separates_its_parts() -> None:
    assert key(nom="Jeanpierre", prenom="Marc") != key(nom="Jean", prenom="Pierremarc")


def test_duplicate_key_fits_its_column() -> None:
    assert len(key()) == 64


# full_months and add_months


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2026, 9, 1), date(2027, 2, 28), 6),
        (date(2026, 9, 1), date(2027, 2, 27), 5),
        (date(2026, 9, 1), date(2026, 9, 30), 1),
        (date(2026, 9, 1), date(2026, 9, 29), 0),
        (date(2026, 9, 15), date(2027, 3, 14), 6),
        (date(2026, 9, 15), date(2027, 3, 13), 5),
        (date(2026, 9, 1), date(2031, 2, 28), 54),
        (date(2026, 9, 1), date(2031, 3, 1), 54),
        (date(2026, 9, 1), date(2031, 3, 31), 55),
        (date(2027, 8, 31), date(2028, 2, 29), 6),
    ],
)
def test_full_months_count_the_end_day(start: date, end: date, months: int) -> None:
    assert full_months(start, end) == months


@pytest.mark.parametrize(
    ("day", "months", "later"),
    [
        (date(2026, 9, 1), 54, date(2031, 3, 1)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_end_of_shorter_months(
    day: date, months: int, later: date
) -> None:
    assert add_months(day, months) == later


# Contract length, through the blocking controls


@pytest.mark.parametrize(
    ("end", "codes"),
    [
        ("2027-02-27", ["DUREE_CONTRAT_INVALIDE"]),
        ("2027-02-28", []),
        ("2031-02-28", []),
        ("2031-03-01", ["DUREE_CONTRAT_INVALIDE"]),
        ("2026-09-01", ["DATES_INCOHERENTES"]),
    ],
)
def test_contract_length_boundaries(end: str, codes: list[str]) -> None:
    assert codes_for(contrat={"dateFinContrat": end}) == codes


def test_valid_contract_breaks_no_rule() -> None:
    assert codes_for() == []


def test_employer_deposit_is_not_checked_against_a_cfa() -> None:
    block = {"siret": "41234567000019"}
    problems = blocking_problems(Cerfa.model_validate(cerfa(organismeFormation=block)), None)
    assert problems == []
