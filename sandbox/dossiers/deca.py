"""DECA registration numbers (numéro de dépôt) given to engaged contracts (norme.md).

A number is a 3-character département code, the year and month of registration, and a
6-digit sequence: 15 characters, e.g. 075202609000123.
"""

import re
from datetime import date

DECA_PATTERN = re.compile(
    r"^(0[0-9][0-9]|02[AB]|9[012345]|97[12346])([0-9]{4})([0-1][0-9])(NC|[0-9]{2})([0-9]{4})$"
)
DEPARTEMENT_DEFAUT = "075"
SEQUENCE_MAX = 999_999

# Overseas départements the pattern accepts (975, 977, 978 have no 97x alternative).
_OUTRE_MER = frozenset({"971", "972", "973", "974", "976"})
# "20" is not a département since Corsica was split into 2A and 2B.
_METROPOLE = frozenset(f"{number:02d}" for number in range(1, 96) if number != 20)


def numero_deca(departement: str, day: date, sequence: int) -> str:
    """The DECA number of the `sequence`-th contract registered in `departement` that month.

    `departement` may be written "75", "075", "2A", "02A" or "974"; a code that cannot
    make a valid number is replaced by Paris ("075").
    """
    if not 1 <= sequence <= SEQUENCE_MAX:
        raise ValueError(f"DECA sequence must be within 1-{SEQUENCE_MAX}, not {sequence}")
    numero = _compose(_normalise(departement), day, sequence)
    # The pattern's 9[0-5] alternatives are 2 characters; ours are always 3, so check.
    if DECA_PATTERN.fullmatch(numero) is None:
        numero = _compose(DEPARTEMENT_DEFAUT, day, sequence)
    return numero


def departement_of(code_postal: str | None) -> str:
    """The 3-character département code of a French postal code; "075" when unknown."""
    code = (code_postal or "").strip()
    if re.fullmatch(r"[0-9]{5}", code) is None:
        return DEPARTEMENT_DEFAUT
    if code.startswith("20"):
        # Corsica: 200xx and 201xx are Corse-du-Sud, 202xx and above Haute-Corse.
        return "02A" if code[2] in "01" else "02B"
    if code.startswith("97"):
        return code[:3] if code[:3] in _OUTRE_MER else DEPARTEMENT_DEFAUT
    return _normalise(code[:2])


def _normalise(departement: str) -> str:
    """The 3-character form of a département code, or "075" when it is not one."""
    code = departement.strip().upper()
    if code in _OUTRE_MER:
        return code
    if len(code) == 3 and code.startswith("0"):
        code = code[1:]
    if code in {"2A", "2B"}:
        return "0" + code
    if code.isdigit() and code.zfill(2) in _METROPOLE:
        return "0" + code.zfill(2)
    return DEPARTEMENT_DEFAUT


def _compose(departement: str, day: date, sequence: int) -> str:
    return f"{departement}{day.year:04d}{day.month:02d}{sequence:06d}"
