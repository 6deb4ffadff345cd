"""Writing one journal entry: what was asked, what was answered, secrets masked."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from sandbox.core.tables import JournalRow
from sandbox.espaces.repository import EspaceRepository
from sandbox.journal.masking import mask
from sandbox.journal.repository import JournalRepository


@dataclass
class Entry:
    methode: str
    chemin: str  # path and query, as received
    statut: int
    opco: str | None = None
    cfa: str | None = None
    codes: list[str] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    situations: list[str] = field(default_factory=list)


def write(session: Session, espace: str, entry: Entry) -> None:
    """Journal `entry` in the espace, dated by its clock; an unknown espace has no journal."""
    row = EspaceRepository(session, espace).row()
    if row is None:
        return
    JournalRepository(session, espace).record(
        JournalRow(
            instant=datetime.now(UTC).replace(tzinfo=None),
            date=row.horloge,
            opco=entry.opco,
            cfa=entry.cfa,
            methode=entry.methode[:10],
            chemin=mask(entry.chemin)[:500],
            statut=entry.statut,
            codes=entry.codes,
            diagnostics=[mask(d) for d in entry.diagnostics],
            situations=entry.situations,
        )
    )
