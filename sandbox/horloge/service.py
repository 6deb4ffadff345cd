"""The espace's clock: frozen, moved only forward, playing what falls due on the way."""

from datetime import date, timedelta

from sandbox.dossiers import lifecycle
from sandbox.dossiers.cerfa import MAX_YEAR
from sandbox.errors import SandboxError
from sandbox.espaces.espace import Espace
from sandbox.factures import service as facturation


def play_until(espace: Espace, until: date) -> None:
    """Play everything due on or before `until`, day by day: each day the dossiers' steps,
    then the invoices' payments (which may settle a dossier)."""
    store = espace.store
    while (day := _next_due(espace, until)) is not None:
        for dossier in store.dossiers_due_on(day):
            lifecycle.step(espace, dossier, day)
        for facture in store.factures_due_on(day):
            facturation.pay(espace, facture, day)
        store.session.flush()


def _next_due(espace: Espace, until: date) -> date | None:
    dates = [espace.store.next_due_date(until), espace.store.next_payment_date(until)]
    return min((d for d in dates if d is not None), default=None)


def set_clock(espace: Espace, new_date: date) -> date:
    row = espace.store.espace_row(lock=True)
    assert row is not None
    if new_date.year > MAX_YEAR:
        raise SandboxError.of(
            422, "FORMAT_INVALIDE", f"L'horloge ne va pas au-delà de l'an {MAX_YEAR}.", "date"
        )
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
    try:
        target = espace.today + timedelta(days=days)
    except OverflowError:  # past year 9999: refused as any date past MAX_YEAR
        target = date.max
    return set_clock(espace, target)
