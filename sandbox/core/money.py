"""Money: euros exact to the cent, `Decimal` inside, JSON numbers outside."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import PlainSerializer

CENT = Decimal("0.01")
ZERO = Decimal(0)

# Amounts in answers: exact decimals inside, JSON numbers outside (euros, two decimals).
Money = Annotated[Decimal, PlainSerializer(float, return_type=float)]


def to_cent(amount: Decimal) -> Decimal:
    """Rounded half up to the cent, the one rounding of the sandbox (1.5 × 3.33 is 5.00)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
