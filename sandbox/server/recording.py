"""The middleware that journals every OPCO and CFADock request of an espace."""

import re
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from sandbox.core.opcos import OPCOS
from sandbox.journal import service as journal
from sandbox.server.runtime import DEFAULT_ESPACE, Runtime

# /akto/v1/..., /cfadock/..., and the same under /espaces/{espace}/ (no espace name has a NUL)
_JOURNALED = re.compile(
    r"^(?:/espaces/(?P<espace>[^/\x00]+))?/(?P<service>[^/]+)/(?:v1|api)(?:/|$)"
)


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
    entry = journal.Entry(
        methode=request.method,
        chemin=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        statut=status,
        opco=getattr(state, "opco", None),
        cfa=getattr(state, "cfa", None),
        codes=list(getattr(state, "codes", [])),
        diagnostics=list(getattr(state, "diagnostics", [])),
    )
    with runtime.database.transaction() as session:
        journal.write(session, espace, entry)
