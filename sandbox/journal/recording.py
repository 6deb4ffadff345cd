"""The request journal: every OPCO and CFADock request of an espace, secrets masked."""

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from sandbox.core.opcos import OPCOS
from sandbox.core.repository import Store
from sandbox.core.tables import JournalRow
from sandbox.server.runtime import DEFAULT_ESPACE, Runtime

# /akto/v1/..., /cfadock/..., and the same under /espaces/{espace}/ (no espace name has a NUL)
_JOURNALED = re.compile(
    r"^(?:/espaces/(?P<espace>[^/\x00]+))?/(?P<service>[^/]+)/(?:v1|api)(?:/|$)"
)
# A NIR (13 or 15 characters, Corsica included) anywhere in a path or query.
_NIR = re.compile(
    r"(?<![0-9A-Za-z])[12378][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?(?![0-9])"
)
_SECRET_PARAM = re.compile(r"(?i)((?:api[_-]?key|cle|token|key)=)[^&]*")


def mask(text: str) -> str:
    """What may be written to the journal or a log: no NIR, no key, no NUL (PostgreSQL
    cannot store one)."""
    return _SECRET_PARAM.sub(r"\1***", _NIR.sub("***NIR***", text)).replace("\x00", "")


async def record(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """HTTP middleware: answer, then write the journal entry in its own transaction."""
    response = await call_next(request)
    match = _JOURNALED.match(request.url.path)
    if match and (match["service"] in OPCOS or match["service"] == "cfadock"):
        runtime: Runtime = request.app.state.runtime
        await run_in_threadpool(
            _write, runtime, match["espace"] or DEFAULT_ESPACE, request, response.status_code
        )
    return response


def _write(runtime: Runtime, espace: str, request: Request, status: int) -> None:
    state = request.state
    chemin = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    with runtime.database.transaction() as session:
        store = Store(session, espace)
        row = store.espace_row()
        if row is None:
            return  # an unknown espace has no journal
        store.add_journal(
            JournalRow(
                espace=espace,
                instant=datetime.now(UTC).replace(tzinfo=None),
                date=row.horloge,
                opco=getattr(state, "opco", None),
                cfa=getattr(state, "cfa", None),
                methode=request.method[:10],
                chemin=mask(chemin)[:500],
                statut=status,
                codes=list(getattr(state, "codes", [])),
                diagnostics=[mask(d) for d in getattr(state, "diagnostics", [])],
            )
        )
