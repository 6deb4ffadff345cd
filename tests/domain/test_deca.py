"""DECA numbers: always 15 characters matching the standard's pattern."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.dossiers.deca import DECA_PATTERN, departement_of, numero_deca

METROPOLE = [f"{n:02d}" for n in range(1, 96) if n != 20] + ["2A", "2B"]
OUTRE_MER = ["971", "972", "973", "974", "976"]


def test_the_example_of_the_standard() -> None:
    assert numero_deca("75", date(2026, 9, 14), 123) == "075202609000123"


@pytest.mark.parametrize("departement", METROPOLE + OUTRE_MER)
def test_every_departement_makes_a_valid_number(departement: str) -> None:
    numero = numero_deca(departement, date(2026, 12, 31), 999_999)

    assert DECA_PATTERN.fullmatch(numero)
    assert len(numero) == 15
    assert numero.endswith("202612999999")


@pytest.mark.parametrize(
    ("departement", "code"),
    [
        ("75", "075"),
        ("075", "075"),
        (" 01 ", "001"),
        ("5", "005"),
        ("95", "095"),
        ("2A", "02A"),
        ("2b", "02B"),
        ("02A", "02A"),
        ("974", "974"),
        ("976", "976"),
    ],
)
def test_departement_codes_are_normalised_to_three_characters(departement: str, code: str) -> None:
    assert numero_deca(departement, date(2026, 9, 1), 1)[:3] == code


@pytest.mark.parametrize(
    "departement", ["", "20", "00", "96", "975", "977", "988", "0974", "2C", "abc", "7 5"]
)
def test_unusable_departements_fall_back_to_paris(departement: str) -> None:
    numero = numero_deca(departement, date(2026, 9, 1), 42)

    assert numero == "075202609000042"


@pytest.mark.parametrize("sequence", [0, -1, 1_000_000])
def test_sequence_must_fit_in_six_digits(sequence: int) -> None:
    with pytest.raises(ValueError, match="sequence"):
        numero_deca("75", date(2026, 9, 1), sequence)


@settings(deadline=None, max_examples=200)
@given(
    departement=st.one_of(st.sampled_from(METROPOLE + OUTRE_MER), st.text(max_size=4)),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    sequence=st.integers(1, 999_999),
)
def test_numbers_always_match_the_pattern(departement: str, day: date, sequence: int) -> None:
    numero = numero_deca(departement, day, sequence)

    assert DECA_PATTERN.fullmatch(numero)
    assert len(numero) == 15
    assert numero[3:9] == f"{day.year}{day.month:02d}"
    assert int(numero[9:]) == sequence


@pytest.mark.parametrize(
    ("code_postal", "departement"),
    [
        ("75011", "075"),
        ("01000", "001"),
        ("13001", "013"),
        ("95000", "095"),
        ("20000", "02A"),
        ("20137", "02A"),
        ("20199", "02A"),
        ("20200", "02B"),
        ("20260", "02B"),
        ("20620", "02B"),
        ("97110", "971"),
        ("97411", "974"),
        ("97600", "976"),
        ("97500", "075"),
        ("98000", "075"),
        ("00100", "075"),
        (None, "075"),
        ("", "075"),
        ("7501", "075"),
        ("75O11", "075"),
        (" 69001 ", "069"),
    ],
)
def test_departement_of_a_postal_code(code_postal: str | None, departement: str) -> None:
    assert departement_of(code_postal) == departement


@given(code_postal=st.one_of(st.none(), st.from_regex(r"[0-9]{5}", fullmatch=True), st.text()))
def test_departement_of_always_gives_a_usable_code(code_postal: str | None) -> None:
    code = departement_of(code_postal)

    assert numero_deca(code, date(2026, 9, 1), 1).startswith(code)
