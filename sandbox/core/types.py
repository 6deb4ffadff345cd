"""The value types every input model shares: dates as production clients write them, SIRET,
printable text, and the open model that keeps the fields it does not type and takes values
as production clients send them."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

MIN_YEAR, MAX_YEAR = 1900, 2999
# A day, alone or followed by a time of day (seconds, their fractions and the offset
# optional): `2026-09-01`, `2026-09-01T00:00:00+02:00`, `…+0000`, `…Z`, `…T10:30:00.123`.
_DATE = re.compile(
    r"(\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?"
    r"(?:[Zz]|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?)?",
    re.ASCII,
)
FORMAT = "AAAA-MM-JJ"


def parse_date(value: object) -> object:
    """Accept `YYYY-MM-DD` and ISO 8601 date-times with any offset or none. The date is the
    day as written: `2026-09-01T00:00:00+02:00` is 2026-09-01 (converted to UTC it would be
    the evening before, which is not what the client meant)."""
    if isinstance(value, datetime):
        parsed = value.date()
    elif isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and (match := _DATE.fullmatch(value)):
        try:
            parsed = date.fromisoformat(match.group(1))
        except ValueError:
            raise ValueError(f"la date {match.group(1)} n'existe pas (format {FORMAT})") from None
    else:
        raise ValueError(f"date attendue au format {FORMAT} (ou date-heure ISO 8601)")
    # Far years are typing mistakes, and would overflow the clock's arithmetic.
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"année attendue entre {MIN_YEAR} et {MAX_YEAR} (format {FORMAT})")
    return parsed


# Its schema gives the years accepted (a date-time is accepted too, as the day it names).
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": r"^(19[0-9]{2}|2[0-9]{3})-"}
Date = Annotated[date, BeforeValidator(parse_date), WithJsonSchema(DATE_SCHEMA, mode="validation")]
Siret = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{14}$"), Field(description="SIRET, 14 chiffres")
]
# Printable text with at least one visible character (no control character: PostgreSQL
# cannot store a NUL, and none belongs in a name).
PRINTABLE = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
Text = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=PRINTABLE)]


class OpenModel(BaseModel):
    """Un bloc du CERFA : les champs typés sont contrôlés, les autres conservés tels quels."""

    # Production clients send numbers for codes (`"codePostal": 75011`), and numbers and
    # booleans as strings (`"1200.00"`, `"true"`: pydantic's lax mode takes those).
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_absent(cls, data: Any) -> Any:
        """`""` is how production clients leave a field empty: absent, as if not sent (a
        required field is then missing)."""
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value != ""}
        return data


# JSON nesting a document may have: the CERFA is four levels deep; far deeper is an attack,
# and would exhaust Python's recursion when stored or answered.
MAX_DEPTH = 64


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether a parsed JSON or YAML document nests deeper than `limit` (iteratively:
    a deep document must not exhaust the recursion that this check guards)."""
    if not isinstance(value, dict | list):
        return limit < 1
    todo: list[tuple[dict[Any, Any] | list[Any], int]] = [(value, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > limit:
            return True
        # Only objects and arrays are walked, not the scalars (most of a document): a child
        # of a node at the limit, whatever it is, is one level too deep.
        for child in node.values() if isinstance(node, dict) else node:
            if depth == limit:
                return True
            if isinstance(child, dict | list):
                todo.append((child, depth + 1))
    return False
