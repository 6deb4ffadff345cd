"""The espace's clock: frozen, moved only forward, playing what falls due on the way."""

from datetime import date, timedelta

from sandbox.domain.context import Espace
from sandbox.domain.lifecycle import play_until
from sandbox.errors import SandboxError


def set_clock(espace: Espace, new_date: date) -> date:
    row = espace.store.espace_row(lock=True)
    assert row is not None
    if new_date < row.horloge:
        raise SandboxError.of(
            409,
            "HORLOGE_RETOUR_ARRIERE",
            f"L'horloge est au {row.horloge.isoformat()} : elle ne recule jamais.",
            "date",
        )
    play_until(espace, new_date)
    row.horloge = espace.today = new_date
    return new_date


def advance_clock(espace: Espace, days: int) -> date:
    return set_clock(espace, espace.today + timedelta(days=days))
