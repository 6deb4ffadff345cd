"""The middleware that journals every OPCO and CFADock request of an espace."""

import re
from collections.abc import Awaitable, Callable

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from sandbox.core.opcos import OPCOS
from sandbox.journal import service as journal
from sandbox.server.runtime import DEFAULT_ESPACE, Runtime

# Every path below an OPCO's base (/akto/v1/..., /akto/V2/..., /akto/connect/token, unknown
# routes too) or below CFADock's, and the same under /espaces/{espace}/ (no espace name has
# a NUL). The path is the one sent: the canonical spelling is the router's business.
_JOURNALED = re.compile(r"^(?:/espaces/(?P<espace>[^/\x00]+))?/(?P<service>[^/]+)(?:/|$)")


async def record(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """HTTP middleware: answer, then write the journal entry in its own transaction."""
    response = await call_next(request)
    match = _JOURNALED.match(request.url.path)
    if match and (match["service"] in OPCOS or match["service"] == "cfadock"):
        runtime: Runtime = request.app.state.runtime
        await run_in_threadpool(
            _write,
            runtime,
            match["espace"] or DEFAULT_ESPACE,
            match["service"],
            request,
            response.status_code,
        )
    return response


def _write(runtime: Runtime, espace: str, service: str, request: Request, status: int) -> None:
    state = request.state
    # An unknown route never reached the pipeline, which names the OPCO: its path does.
    opco = getattr(state, "opco", None) or (service if service in OPCOS else None)
    entry = journal.Entry(
        methode=request.method,
        chemin=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        statut=status,
        opco=opco,
        cfa=getattr(state, "cfa", None),
        codes=list(getattr(state, "codes", [])),
        diagnostics=list(getattr(state, "diagnostics", [])),
        situations=list(getattr(getattr(state, "caller", None), "situations", [])),
    )
    with runtime.database.transaction() as session:
        journal.write(session, espace, entry)
