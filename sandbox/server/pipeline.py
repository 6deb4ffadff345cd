"""Route classes that run each request in one transaction, after the access checks.

The checks run before FastAPI reads the body, so the contract's order holds:
OPCO hooked up → key → software headers → body schema → business rules.
"""

import asyncio
import functools
import hmac
import re
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from sandbox.core.database import is_lost
from sandbox.core.opcos import Opco, opco_named
from sandbox.errors import FORMAT_INVALIDE, JETON_ADMIN_INVALIDE
from sandbox.espaces.access import authenticate, check_hooked_up, check_software_headers
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository, EspaceState, Lock
from sandbox.oauth import service as oauth
from sandbox.pannes import service as pannes
from sandbox.scenarios.model import Cfa
from sandbox.server.limits import refuse_declared_too_large
from sandbox.server.runtime import DEFAULT_ESPACE, Runtime

ResultT = TypeVar("ResultT")

# The methods whose calls only read the espace's state.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A duplicate inserted by a concurrent request surfaces as an IntegrityError: the request
# is played again, and its checks then see the other one's row.
ATTEMPTS = 3


class _Reloaded(Exception):
    """The espace was loaded anew between a write's checks and its transaction: the
    request is played again, checked against what the espace now holds."""


class _Lost(Exception):
    """The connection was found lost (PostgreSQL restarted) before the request wrote
    anything: it is played again, on a new connection (SQLAlchemy replaced the pool). Lost
    later, a write is answered 503 `SANDBOX_OCCUPE` (`handlers.database_error`)."""


@contextmanager
def _played_again_when_lost() -> Iterator[None]:
    """Around what a request reads before it writes anything (its checks, its espace's
    state under its lock)."""
    try:
        yield
    except DBAPIError as exc:
        if is_lost(exc):
            raise _Lost() from exc
        raise


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

    def prepare(
        self, request: Request, runtime: Runtime, session: Session, faults: bool
    ) -> pannes.Demande | None:
        """Open the request's espace and run the checks, in its session. A route whose
        requests faults can act on returns the request instead, when `faults` and a fault
        rule aims at it (then before any check: a failing server fails whoever calls)."""
        request.state.espace = runtime.open_espace(
            session, espace_name(request), self.espace_lock(request)
        )
        return None

    def espace_lock(self, request: Request) -> Lock | None:
        """How the request holds its espace's row: not at all by default (it only reads,
        or its writes are arbitrated by the rows they touch)."""
        return None

    # Whether the requests that only read run on the event loop (see `runs_inline`).
    inline_reads = True

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not asyncio.iscoroutinefunction(endpoint):
            endpoint = _committing(endpoint)
        super().__init__(path, endpoint, **kwargs)

    # Whether a write's checks run on the event loop, in a read-only transaction, its write
    # transaction then opened in the thread that runs its endpoint (`_write_transaction`).
    checks_apart = False

    def runs_inline(self, request: Request) -> bool:
        """Whether the request's database work runs on the event loop rather than in a
        worker thread. A read never waits for a lock (SQLite's WAL readers, PostgreSQL's
        plain selects), and a thread hop costs more than its queries (~0.25 ms of CPU on a
        small machine, and the GIL handed back and forth); what may wait for a lock (a
        write, a fault's count) goes to a worker thread, never blocking the loop."""
        return self.inline_reads and self.reads_only(request)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def in_transaction(request: Request) -> Response:
            runtime: Runtime = request.app.state.runtime
            refuse_declared_too_large(request.scope)
            try:
                for attempt in range(1, ATTEMPTS + 1):
                    try:
                        return await self._once(handler, request, runtime, attempt == 1)
                    except (IntegrityError, _Reloaded, _Lost):
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

    async def _once(
        self,
        handler: Callable[[Request], Coroutine[Any, Any, Response]],
        request: Request,
        runtime: Runtime,
        first: bool,
    ) -> Response:
        # In as few thread hops as can be: a read takes none; a write checked apart takes
        # one, its endpoint's, which opens its transaction and commits it (`_committing`);
        # another write takes two (its transaction opened, faults and checks first).
        inline = self.runs_inline(request)
        apart = not inline and self.checks_apart
        opened = await _run(inline or apart, self._open, request, runtime, first)
        if isinstance(opened, pannes.Demande):  # a fault acts before any lock is held
            effet = await run_in_threadpool(runtime.fault_effect, espace_name(request), opened)
            await _suffer(effet)
            opened = await _run(inline or apart, self._open, request, runtime, False)
        assert isinstance(opened, Session)
        revises = None if self.reads_only(request) else espace_name(request)
        pending = _Pending(opened, inline, revises)
        if apart:
            pending.begin_writing = functools.partial(self._write_transaction, request, runtime)
        token = _PENDING.set(pending)
        try:
            response = await self._answer(handler, request, runtime, inline)
        except BaseException:
            await _run(pending.ends_inline, _end, pending.session, False)
            raise
        finally:
            _PENDING.reset(token)
        if pending.committed:
            pending.session.close()
        else:  # an async endpoint, or one that answered from a dependency
            await _run(pending.ends_inline, _end, pending.session, True)
        return response

    def reads_only(self, request: Request) -> bool:
        """Whether the request only reads: its transaction then takes no write lock, and
        reads run side by side (its journal entry is written apart, by the writer)."""
        return request.method in READING_METHODS

    # Whether the answers of the route's reads are kept per revision of their espace's
    # data (`server/answers.py`): once `prepare` has stored the state it read.
    keeps_answers = False

    async def _answer(
        self,
        handler: Callable[[Request], Coroutine[Any, Any, Response]],
        request: Request,
        runtime: Runtime,
        inline: bool,
    ) -> Response:
        """The endpoint's answer; a read's as it was kept, when nothing was written in its
        espace since."""
        if not (self.keeps_answers and inline):
            return await handler(request)
        state: EspaceState = request.state.espace_state
        caller: Caller = request.state.caller
        kept = runtime.answers.find(request, state)
        if kept is not None:
            caller.situations.extend(kept.situations)
            return kept.response()
        noted = len(caller.situations)
        response = await handler(request)
        runtime.answers.keep(request, state, response, caller.situations[noted:])
        return response

    def _open(self, request: Request, runtime: Runtime, faults: bool) -> Session | pannes.Demande:
        """A session in a transaction, the checks passed; closed again when they fail. When
        `faults` and a fault rule aims at the request: the request as the rules see it, and
        no session (the faults are counted in a transaction of their own)."""
        read_only = self.reads_only(request) or self.checks_apart
        session = runtime.database.session(read_only=read_only)
        session.begin()
        request.state.session = session
        try:
            with _played_again_when_lost():
                aimed_at = self.prepare(request, runtime, session, faults)
        except BaseException:
            _end(session, False)
            raise
        if aimed_at is not None:
            _end(session, False)
            return aimed_at
        return session

    def _write_transaction(self, request: Request, runtime: Runtime) -> Session:
        """The write transaction of a request checked apart, in the thread of its endpoint:
        the espace's row read again in it, under the request's lock, so that its clock is
        the one the lock protects. An espace loaded anew since the checks plays the request
        again (`_Reloaded`)."""
        espace: Espace = request.state.espace
        session = runtime.database.session()
        session.begin()
        try:
            with _played_again_when_lost():
                state = runtime.espace_state(session, espace.nom, self.espace_lock(request))
            if runtime.espace(session, espace.nom, state).world is not espace.world:
                raise _Reloaded()
        except BaseException:
            _end(session, False)
            raise
        espace.session, espace.today = session, state.horloge
        request.state.session = session
        return session


async def _run(inline: bool, work: Callable[..., ResultT], *args: Any) -> ResultT:
    """`work(*args)`, on the event loop when `inline`, else in a worker thread."""
    return work(*args) if inline else await run_in_threadpool(work, *args)


async def _suffer(effet: pannes.Effet) -> None:
    if effet.latence_ms:
        await asyncio.sleep(effet.latence_ms / 1000)
    if effet.statut is not None:
        raise pannes.simulated_failure(effet.statut)


@dataclass
class _Pending:
    """The request's open transaction, for the endpoint to commit; `inline`: the endpoint
    runs on the event loop, as the transaction did."""

    session: Session
    inline: bool
    # The espace whose revision the endpoint's commit bumps (None: a read).
    revises: str | None
    committed: bool = False
    # A write checked apart: the checks' read-only session is ended, and this opens the
    # write transaction that replaces it, in the endpoint's thread.
    begin_writing: Callable[[], Session] | None = None
    writing: bool = False  # `session` is that write transaction

    @property
    def ends_inline(self) -> bool:
        """Whether the session ends on the event loop: a read's, or the checks' of a write
        checked apart (whose endpoint never opened its write transaction)."""
        return self.inline or (self.begin_writing is not None and not self.writing)

    def write(self) -> None:
        if self.begin_writing is not None and not self.writing:
            _end(self.session, True)
            self.session = self.begin_writing()
            self.writing = True

    def commit(self) -> None:
        """Commit what the endpoint did; what it wrote makes a new revision of its espace,
        in the same transaction (the answers kept of its reads are then stale)."""
        if self.revises is not None:
            EspaceRepository(self.session, self.revises).revise()
        self.session.commit()
        self.committed = True


_PENDING: ContextVar[_Pending | None] = ContextVar("sandbox_pending", default=None)


def _committing(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A plain endpoint as a coroutine that runs it, then commits its request's
    transaction: in one worker thread, or on the event loop when the request runs inline.
    (FastAPI would run a plain endpoint, then validate its answer, each in a thread hop of
    its own.)"""

    def committed(pending: _Pending | None, args: Any, kwargs: Any) -> Any:
        if pending is not None:
            pending.write()
        result = endpoint(*args, **kwargs)
        if pending is not None:
            pending.commit()
        return result

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        pending = _PENDING.get()
        return await _run(pending is not None and pending.inline, committed, pending, args, kwargs)

    return run


class WritingRoute(TransactionalRoute):
    """A path whose every call writes, reads included (CFADock counts its calls)."""

    def reads_only(self, request: Request) -> bool:
        return False


class FaultyRoute(TransactionalRoute):
    """An OPCO path: the faults injected through the control API act first, as a failing
    server would, and their latency is spent before any lock is held.

    A call that writes holds its espace shared: it adds dated work (a contract's next step,
    an invoice's payment) that a clock move must either see or come before. Its checks run
    apart, on the loop: its write transaction (SQLite's write lock) is held for its
    endpoint's thread hop only, not while the loop parses its body or serves others."""

    checks_apart = True
    keeps_answers = True

    def espace_lock(self, request: Request) -> Lock | None:
        return None if request.method in READING_METHODS else Lock.SHARED

    def prepare(
        self, request: Request, runtime: Runtime, session: Session, faults: bool
    ) -> pannes.Demande | None:
        nom = espace_name(request)
        # Checked apart, the request takes its lock in its write transaction, not here.
        state = runtime.espace_state_on_loop(session, nom)
        if faults and (demande := _as_fault_target(request)) is not None:
            if runtime.faults_concern(session, nom, state, demande):
                return demande
        espace = request.state.espace = runtime.espace(session, nom, state)
        request.state.espace_state = state
        opco = opco_named(request.path_params["opco"])
        request.state.opco = opco.code
        check_hooked_up(espace, opco)
        request.state.caller = self.check(request, espace, opco, state)
        return None

    def check(self, request: Request, espace: Espace, opco: Opco, state: EspaceState) -> Caller:
        """The caller, once the route's own checks have passed (`state`: the espace's, as
        the request read it)."""
        raise NotImplementedError


def _as_fault_target(request: Request) -> pannes.Demande | None:
    match = _OPCO_PATH.match(request.url.path)
    if match is None:
        return None
    request.state.opco = match["opco"]  # for the journal, whatever the faults do
    return pannes.Demande(match["opco"], request.method, match["chemin"])


_OPCO_PATH = re.compile(r"^(?:/espaces/[^/]+)?/(?P<opco>[^/]+)(?P<chemin>/v[12]/.*)$")


class OpcoPublicRoute(FaultyRoute):
    """An OPCO path without a key (`/v1/status`): the OPCO must exist and be hooked up."""

    def check(self, request: Request, espace: Espace, opco: Opco, state: EspaceState) -> Caller:
        return Caller(espace, opco, None)


class OpcoRoute(FaultyRoute):
    """An OPCO path for a CFA: hooked up, then the OAuth2 token where the OPCO asks for
    one, then the key, then the software headers."""

    def check(self, request: Request, espace: Espace, opco: Opco, state: EspaceState) -> Caller:
        if espace.world.requires_token(opco.code):
            runtime: Runtime = request.app.state.runtime
            lookup = runtime.token_lookup(espace, state.generation)
            oauth.check_bearer(espace, opco, request.headers.get("Authorization"), lookup)
        key = authenticate(espace, opco, request.headers.get("X-API-KEY"))
        request.state.cfa = key.cfa.siret
        check_software_headers(request.headers)
        return Caller(espace, opco, key.cfa)


class ControlRoute(TransactionalRoute):
    """The control API: the admin token when the server has one, then the espace. A call
    that writes (a clock move, a decision, a reset…) holds its espace exclusively: it runs
    alone, never beside an API call that adds work to the espace or another such call.

    Its reads run in worker threads too: they wait for the journal's writer first."""

    creates_espace = False
    inline_reads = False

    def espace_lock(self, request: Request) -> Lock | None:
        return None if request.method in READING_METHODS else Lock.EXCLUSIVE

    def prepare(
        self, request: Request, runtime: Runtime, session: Session, faults: bool
    ) -> pannes.Demande | None:
        check_admin_token(request, runtime.admin_token)
        # What the journal's writer holds of the espace goes first: a read finds the calls
        # made before it, a reset or a load empties the journal of them too.
        runtime.journal.flush(espace_name(request))
        if self.creates_espace:
            return None
        return super().prepare(request, runtime, session, faults)


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


# Dependencies that only read `request.state` are coroutines: FastAPI runs a plain
# function in a worker thread, and each such hop costs more than the function itself.
async def caller(request: Request) -> Caller:
    """The dependency giving endpoints the checked caller."""
    found: Caller = request.state.caller
    return found


async def espace(request: Request) -> Espace:
    found: Espace = request.state.espace
    return found
