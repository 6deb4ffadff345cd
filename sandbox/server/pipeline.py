"""Route classes that run each request in one transaction, after the access checks.

The checks run before FastAPI reads the body, so the contract's order holds:
OPCO hooked up → key → software headers → body schema → business rules.
"""

import asyncio
import hmac
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sandbox.core.opcos import Opco, opco_named
from sandbox.errors import FORMAT_INVALIDE, JETON_ADMIN_INVALIDE
from sandbox.espaces.access import authenticate, check_hooked_up, check_software_headers
from sandbox.espaces.espace import Espace
from sandbox.oauth import service as oauth
from sandbox.pannes import service as pannes
from sandbox.scenarios.model import Cfa
from sandbox.server.limits import refuse_declared_too_large
from sandbox.server.runtime import DEFAULT_ESPACE, Runtime

# A duplicate inserted by a concurrent request surfaces as an IntegrityError: the request
# is played again, and its checks then see the other one's row.
ATTEMPTS = 3


@dataclass
class Caller:
    espace: Espace
    opco: Opco
    cfa: Cfa | None  # None on the paths that need no key (/v1/status)
    # What the request exercised that its path does not show, for the journal's report.
    situations: list[str] = field(default_factory=list)

    def note(self, situation: str) -> None:
        self.situations.append(situation)

    def require_cfa(self) -> Cfa:
        """The calling CFA, on a path whose route class checked its key."""
        assert self.cfa is not None, "a keyed route without a checked key"
        return self.cfa


class TransactionalRoute(APIRoute):
    """Runs `prepare` then the endpoint in one transaction, committed on success."""

    def prepare(self, request: Request, runtime: Runtime, session: Session) -> None:
        request.state.espace = runtime.open_espace(session, espace_name(request))

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def in_transaction(request: Request) -> Response:
            runtime: Runtime = request.app.state.runtime
            refuse_declared_too_large(request.scope)
            try:
                await self.before_transaction(request, runtime)
                for attempt in range(1, ATTEMPTS + 1):
                    try:
                        return await self._once(handler, request, runtime)
                    except IntegrityError:
                        if attempt == ATTEMPTS:
                            raise
            except DataError:
                # A value the database cannot hold (PostgreSQL: a NUL character in a path or
                # a field): the input is malformed, not the server.
                raise FORMAT_INVALIDE.error(
                    champ=None,
                    detail="la requête contient une valeur que la sandbox ne peut pas enregistrer.",
                ) from None
            raise AssertionError("unreachable")

        return in_transaction

    async def before_transaction(self, request: Request, runtime: Runtime) -> None:
        """Work done before the request's transaction opens (none by default)."""

    async def _once(
        self,
        handler: Callable[[Request], Coroutine[Any, Any, Response]],
        request: Request,
        runtime: Runtime,
    ) -> Response:
        # Database work runs in worker threads: SQLite's lock waits must never block the loop.
        session = await run_in_threadpool(self._open, request, runtime)
        try:
            response = await handler(request)
        except BaseException:
            await run_in_threadpool(_end, session, False)
            raise
        await run_in_threadpool(_end, session, True)
        return response

    def _open(self, request: Request, runtime: Runtime) -> Session:
        """A session in a transaction, the checks passed; closed again when they fail."""
        session = runtime.database.session()
        session.begin()
        request.state.session = session
        try:
            self.prepare(request, runtime, session)
        except BaseException:
            _end(session, False)
            raise
        return session


class FaultyRoute(TransactionalRoute):
    """An OPCO path: the faults injected through the control API act first, as a failing
    server would, and their latency is spent before any lock is taken."""

    async def before_transaction(self, request: Request, runtime: Runtime) -> None:
        match = _OPCO_PATH.match(request.url.path)
        if match is None:
            return
        request.state.opco = match["opco"]
        effet = await run_in_threadpool(
            runtime.fault_effect,
            espace_name(request),
            match["opco"],
            request.method,
            match["chemin"],
        )
        if effet.latence_ms:
            await asyncio.sleep(effet.latence_ms / 1000)
        if effet.statut is not None:
            raise pannes.simulated_failure(effet.statut)


_OPCO_PATH = re.compile(r"^(?:/espaces/[^/]+)?/(?P<opco>[^/]+)(?P<chemin>/v[12]/.*)$")


class OpcoPublicRoute(FaultyRoute):
    """An OPCO path without a key (`/v1/status`): the OPCO must exist and be hooked up."""

    def prepare(self, request: Request, runtime: Runtime, session: Session) -> None:
        espace = request.state.espace = runtime.open_espace(session, espace_name(request))
        opco = opco_named(request.path_params["opco"])
        request.state.opco = opco.code
        check_hooked_up(espace, opco)
        request.state.caller = Caller(espace, opco, None)


class OpcoRoute(FaultyRoute):
    """An OPCO path for a CFA: hooked up, then the OAuth2 token where the OPCO asks for
    one, then the key, then the software headers."""

    def prepare(self, request: Request, runtime: Runtime, session: Session) -> None:
        espace = request.state.espace = runtime.open_espace(session, espace_name(request))
        opco = opco_named(request.path_params["opco"])
        request.state.opco = opco.code
        check_hooked_up(espace, opco)
        if espace.world.requires_token(opco.code):
            oauth.check_bearer(espace, opco, request.headers.get("Authorization"))
        key = authenticate(espace, opco, request.headers.get("X-API-KEY"))
        request.state.cfa = key.cfa.siret
        check_software_headers(request.headers)
        request.state.caller = Caller(espace, opco, key.cfa)


class ControlRoute(TransactionalRoute):
    """The control API: the admin token when the server has one, then the espace."""

    creates_espace = False

    def prepare(self, request: Request, runtime: Runtime, session: Session) -> None:
        check_admin_token(request, runtime.admin_token)
        if not self.creates_espace:
            super().prepare(request, runtime, session)


class ControlCreateRoute(ControlRoute):
    """`PUT …/scenario`: the espace need not exist yet."""

    creates_espace = True


def check_admin_token(request: Request, token: str | None) -> None:
    if token is None:
        return
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise JETON_ADMIN_INVALIDE.error()


def espace_name(request: Request) -> str:
    return str(request.path_params.get("espace", DEFAULT_ESPACE))


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def caller(request: Request) -> Caller:
    """The dependency giving endpoints the checked caller."""
    found: Caller = request.state.caller
    return found


def espace(request: Request) -> Espace:
    found: Espace = request.state.espace
    return found
