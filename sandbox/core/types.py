"""The value types every input model shares: dates as the standard writes them, SIRET,
printable text, and the open model that keeps the fields it does not type."""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

MIN_YEAR, MAX_YEAR = 1900, 2999
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:T00:00:00(?:\.0+)?(?:Z|\+0000|\+00:00)?)?")


def parse_date(value: object) -> object:
    """Accept `YYYY-MM-DD` and the standard's `YYYY-MM-DDT00:00:00+0000` (or `+00:00`)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and (match := _DATE.fullmatch(value)):
        try:
            parsed = date.fromisoformat(match.group(1))
        except ValueError:
            raise ValueError(f"la date {match.group(1)} n'existe pas") from None
    else:
        raise ValueError("date attendue au format AAAA-MM-JJ")
    # Far years are typing mistakes, and would overflow the clock's arithmetic.
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"année attendue entre {MIN_YEAR} et {MAX_YEAR}")
    return parsed


Date = Annotated[date, BeforeValidator(parse_date)]
Siret = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{14}$"), Field(description="SIRET, 14 chiffres")
]
# Printable text with at least one visible character (no control character: PostgreSQL
# cannot store a NUL, and none belongs in a name).
PRINTABLE = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PRINTABLE)]


class OpenModel(BaseModel):
    """Un bloc du CERFA : les champs typés sont contrôlés, les autres conservés tels quels."""

    model_config = ConfigDict(extra="allow")
