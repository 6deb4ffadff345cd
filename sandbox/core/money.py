"""Money: euros exact to the cent, `Decimal` inside, JSON numbers outside."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import Field, PlainSerializer, WithJsonSchema

CENT = Decimal("0.01")
ZERO = Decimal(0)

# Amounts in answers: exact decimals inside, JSON numbers outside (euros, two decimals).
Money = Annotated[Decimal, PlainSerializer(float, return_type=float)]

# Amounts in inputs: at least 0, twelve digits at most, exact to the cent; a JSON number or
# a numeric string, as production clients send them. Their schema says exactly that (a
# generator of valid requests then writes only amounts the sandbox accepts).
EUROS_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 9_999_999_999.99, "multipleOf": 0.01},
        {"type": "string", "pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$"},
    ]
}
Euros = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=2),
    WithJsonSchema(EUROS_SCHEMA, mode="validation"),
]


def to_cent(amount: Decimal) -> Decimal:
    """Rounded half up to the cent, the one rounding of the sandbox (1.5 × 3.33 is 5.00)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
