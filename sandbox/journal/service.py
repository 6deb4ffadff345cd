"""Writing one journal entry: what was asked, what was answered, secrets masked; and the
retention bound that keeps an espace's journal from growing without end."""

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from sandbox.core.tables import EncodedJSON
from sandbox.journal.bodies import BodyCapture, summary_of
from sandbox.journal.masking import Masker, masker
from sandbox.journal.repository import JournalRepository


@dataclass
class Message:
    """A request's or an answer's headers and body, as received and sent."""

    headers: list[tuple[str, str]]
    body: BodyCapture | None

    def stored(self, masking: Masker) -> EncodedJSON:
        """{"entetes", "corps", ["tronque", "taille"]}, masked, encoded as JSON: its body
        from what was kept of the same body (`_stored_body`)."""
        corps = _stored_body(self.body, masking) if self.body else "null"
        stored = f'{{"entetes": {_encoded_headers(masking, tuple(self.headers))}, "corps": {corps}'
        if self.body is not None and self.body.truncated:
            stored += f', "tronque": true, "taille": {self.body.size}'
        return EncodedJSON(stored + "}")


@functools.lru_cache(maxsize=1024)
def _masked_text(masking: Masker, text: str) -> str:
    """A path or a software's name, masked: the same ones come call after call."""
    return masking.text(text)


@functools.lru_cache(maxsize=1024)
def _encoded_headers(masking: Masker, headers: tuple[tuple[str, str], ...]) -> str:
    """Headers masked, as JSON text: a client sends the same ones call after call (its key,
    its token, its software), and an answer the same ones for the same body."""
    return json.dumps(masking.headers(headers))


# Bodies up to this size, journaled again and again (a status, a dossier polled), are
# parsed, masked and encoded once per espace's masker: that was a fifth of a dossier
# read's cost.
REMEMBERED_BODY = 8 * 1024


def _stored_body(body: BodyCapture, masking: Masker) -> str:
    """The body's masked summary, as JSON text."""
    whole = body.whole()
    if whole is None or len(whole) > REMEMBERED_BODY:
        return json.dumps(masking.value(body.summary()))
    return _masked_body(masking, body.media_type, whole)


@functools.lru_cache(maxsize=128)
def _masked_body(masking: Masker, media_type: bytes, whole: bytes) -> str:
    """Shared by every entry of the same body."""
    return json.dumps(masking.value(summary_of(media_type, whole)))


@dataclass
class Entry:
    methode: str
    chemin: str  # path and query, as received
    statut: int
    horloge: date | None = None  # the espace's clock at the request, when it was opened
    opco: str | None = None
    cfa: str | None = None
    logiciel: str | None = None
    codes: list[str] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    situations: list[str] = field(default_factory=list)
    requete: Message | None = None
    reponse: Message | None = None


def write(
    session: Session,
    espace: str,
    horloge: date,
    entries: Sequence[Entry],
    secrets: Sequence[str],
) -> None:
    """Journal `entries` in the espace, whose clock is on `horloge`, every secret in
    `secrets` masked (one insert)."""
    masking = masker(tuple(secrets), keep=espace)
    JournalRepository(session, espace).add_all([row_of(horloge, e, masking) for e in entries])


def row_of(horloge: date, entry: Entry, masking: Masker) -> dict[str, Any]:
    """The columns of `entry`'s row (the espace and the id aside), dated by the espace's
    clock (`horloge`) when the request could not say."""
    return {
        "instant": datetime.now(UTC).replace(tzinfo=None),
        "date": entry.horloge or horloge,
        "opco": entry.opco,
        "cfa": entry.cfa,
        "logiciel": _masked_text(masking, entry.logiciel)[:200] if entry.logiciel else None,
        "methode": entry.methode[:10],
        "chemin": _masked_text(masking, entry.chemin)[:500],
        "statut": entry.statut,
        "codes": entry.codes,
        "diagnostics": [masking.text(d) for d in entry.diagnostics],
        "situations": entry.situations,
        "requete": entry.requete.stored(masking) if entry.requete else None,
        "reponse": entry.reponse.stored(masking) if entry.reponse else None,
    }
