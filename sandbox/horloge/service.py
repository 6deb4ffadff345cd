"""The espace's clock: frozen, moved only forward, playing what falls due on the way."""

from datetime import date, timedelta

from sqlalchemy import select

from sandbox.core.tables import EspaceRow
from sandbox.core.types import MAX_YEAR
from sandbox.dossiers import lifecycle
from sandbox.dossiers.repository import NEXT_STEP_DATE, DossierRepository
from sandbox.errors import FORMAT_INVALIDE, HORLOGE_RETOUR_ARRIERE
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository
from sandbox.factures import service as facturation
from sandbox.factures.repository import NEXT_PAYMENT_DATE, FactureRepository


def play_until(espace: Espace, until: date) -> None:
    """Play everything due on or before `until`, day by day: each day the dossiers' steps,
    then the invoices' payments (which may settle a dossier)."""
    dossiers, factures = DossierRepository.of(espace), FactureRepository.of(espace)
    while (day := _next_due(espace, until)) is not None:
        for dossier in dossiers.due_on(day):
            lifecycle.step(espace, dossier, day)
        for facture in factures.due_on(day):
            facturation.pay(espace, facture, day)
        espace.session.flush()


# The next step and the next payment due, in one statement: every write plays what falls
# due, and when nothing does (the usual case) this is all it costs.
_NEXT_DUE = select(NEXT_STEP_DATE.scalar_subquery(), NEXT_PAYMENT_DATE.scalar_subquery())


def _next_due(espace: Espace, until: date) -> date | None:
    dates = espace.session.execute(_NEXT_DUE, {"espace": espace.nom, "until": until}).one()
    return min((d for d in dates if d is not None), default=None)


def _held_clock(espace: Espace) -> EspaceRow:
    """The espace's row, locked: one clock move at a time, and none while a request adds
    dated work (its contracts, its invoices) that the move must play; `espace.today` is
    read afresh under the lock."""
    row = EspaceRepository.of(espace).locked()
    assert row is not None
    espace.today = row.horloge
    return row


def set_clock(espace: Espace, new_date: date) -> date:
    row = _held_clock(espace)
    if new_date.year > MAX_YEAR:
        raise FORMAT_INVALIDE.error(
            "date", detail=f"l'horloge ne va pas au-delà de l'an {MAX_YEAR}."
        )
    if new_date < row.horloge:
        raise HORLOGE_RETOUR_ARRIERE.error(date=row.horloge.isoformat())
    play_until(espace, new_date)
    row.horloge = espace.today = new_date
    return new_date


def advance_clock(espace: Espace, days: int) -> date:
    today = _held_clock(espace).horloge
    try:
        target = today + timedelta(days=days)
    except OverflowError:  # past year 9999: refused as any date past MAX_YEAR
        target = date.max
    return set_clock(espace, target)
