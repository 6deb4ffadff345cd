"""Engine and transactions, on SQLite (default, a file) or PostgreSQL."""

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    make_url,
    select,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from sandbox.config import Limits
from sandbox.core.tables import SCHEMA_VERSION, Base, SchemaRow

try:
    import fcntl
except ImportError:  # Windows: the workers of one server meet on SQLite's lock alone
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("opco_sandbox")


class Database:
    """One engine per process; `transaction()` is the only way to reach the tables."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        readers = self.engine.execution_options(read_only=True)
        if not url.startswith("sqlite"):
            # PostgreSQL's reads see what was committed before each statement, in a
            # transaction or not (READ COMMITTED): without one, a read saves the BEGIN and
            # COMMIT round trips (a read answered from memory has one statement left).
            readers = readers.execution_options(isolation_level="AUTOCOMMIT")
        self._readers = sessionmaker(readers, expire_on_commit=False)
        if url.startswith("sqlite"):
            # The sessions begin SQLite's transactions (`_begin`), not an event of the
            # engine: with one, every statement of the process dispatches the engine's
            # events (one Python call in twelve of a contract's transmission).
            for sessions in (self._sessions, self._readers):
                event.listen(sessions, "after_begin", _begin_session)

    def create_schema(self) -> None:
        """The tables, made anew when the database holds another version of them."""
        try:
            self._create_schema()
        except (IntegrityError, ProgrammingError):
            # Another worker made them at the same moment: they must now be these.
            with self.engine.connect() as connection:
                if connection.scalar(select(SchemaRow.version)) != SCHEMA_VERSION:
                    raise

    def _create_schema(self) -> None:
        with self.engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                _begin(connection)  # workers starting together: one makes the tables
            found = None
            if inspect(connection).has_table(SchemaRow.__tablename__):
                found = connection.scalar(select(SchemaRow.version))
            if found != SCHEMA_VERSION and inspect(connection).has_table("espaces"):
                log.warning(
                    "The database holds the tables of another sandbox version (%s, needed: "
                    "%s): they are made anew and their data is dropped.",
                    found,
                    SCHEMA_VERSION,
                )
                Base.metadata.drop_all(connection)
            Base.metadata.create_all(connection)
            if found != SCHEMA_VERSION:
                connection.execute(delete(SchemaRow))
                connection.execute(insert(SchemaRow).values(version=SCHEMA_VERSION))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed at the end of the block, or rolled back."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite it takes no write lock."""
        with self._readers.begin() as session:
            yield session

    def session(self, read_only: bool = False) -> Session:
        """A session for a caller that commits or rolls back itself (the API's routes);
        `read_only`: it takes no write lock (SQLite) and must not write."""
        return self._readers() if read_only else self._sessions()

    def dispose(self) -> None:
        self.engine.dispose()


def is_lost(exc: BaseException) -> bool:
    """Whether a database error means the connection was lost (PostgreSQL restarted, a
    backend terminated): SQLAlchemy then replaces every pooled connection, and the request
    can be made again on a new one."""
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "busy past the bound, retry": SQLite's lock, or
    PostgreSQL's lock timeout, deadlock or serialization failure."""
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate in {"55P03", "40P01", "40001"}
    return "database is locked" in str(exc.orig) or "database table is locked" in str(exc.orig)


# Connections kept open: as many as requests usually run at once (16 connections), so that
# none is opened and closed per request (a PostgreSQL connection costs milliseconds, a
# SQLite one its PRAGMAs). `sqlite://` (in memory) keeps SQLAlchemy's own pool.
POOL = {"pool_size": 16, "max_overflow": 4}


def _engine(url: str) -> Engine:
    busy_ms = Limits().busy_timeout_ms
    if not url.startswith("sqlite"):
        # A row lock waited for past the bound fails the statement (then 503, retried).
        options = {"options": f"-c lock_timeout={busy_ms}"}
        # No ping before each checkout (a round trip per request): a connection found lost
        # replaces the whole pool; its request is played again when it wrote nothing yet,
        # else answered 503 (`is_lost`).
        return create_engine(url, connect_args=options, **POOL)
    in_memory = url in ("sqlite://", "sqlite:///:memory:")
    pool = {} if in_memory else POOL
    arguments = {
        "check_same_thread": False,
        "timeout": busy_ms / 1000,
        "factory": _taking_turns(busy_ms / 1000, None if in_memory else make_url(url).database),
    }
    engine = create_engine(url, connect_args=arguments, **pool)
    event.listen(engine, "connect", _configure_sqlite)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # The driver opens no transaction by itself: `_begin` does.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL never corrupts the file; a power cut may lose the last requests,
    # which a sandbox can afford, and each commit no longer waits for the disk.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={Limits().busy_timeout_ms}")
    cursor.close()


def _begin_session(_session: Session, _transaction: Any, connection: Connection) -> None:
    _begin(connection)


def _begin(connection: Connection) -> None:
    # A transaction that may write takes the write lock up front: writers then queue rather
    # than fail with "database is locked" midway. They queue first on the process's turn.
    if connection.get_execution_options().get("read_only", False):
        connection.exec_driver_sql("BEGIN")
        return
    dbapi_connection: Any = connection.connection.dbapi_connection  # a `_taking_turns` one
    dbapi_connection.take_turn()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        dbapi_connection.give_turn_back()
        raise


def _taking_turns(timeout: float, path: str | None) -> type[sqlite3.Connection]:
    """SQLite connections whose writing transactions take turns: on one lock of the process
    (one per database), then on a file lock beside the database (`path`, a file database's)
    that the processes of one server (its workers) share. A writer waiting for SQLite's own
    lock polls it, sleeping up to 100 ms between tries; waiting on the process's lock, it
    starts the moment the writer before it ends, and on the file's within half a
    millisecond."""
    turn = threading.Lock()
    between_processes = _FileTurn(f"{path}-turn") if path and fcntl is not None else None

    class TakingTurns(sqlite3.Connection):
        holds_turn = False

        def take_turn(self) -> None:
            deadline = time.monotonic() + timeout
            if not turn.acquire(timeout=timeout):
                raise _locked()
            if between_processes is not None and not between_processes.take(deadline):
                turn.release()
                raise _locked()
            self.holds_turn = True

        def give_turn_back(self) -> None:
            if self.holds_turn:
                self.holds_turn = False
                if between_processes is not None:
                    between_processes.give_back()
                turn.release()

        # However the transaction ends, the turn passes to the next writer.
        def commit(self) -> None:
            self._ending(super().commit)

        def rollback(self) -> None:
            self._ending(super().rollback)

        def close(self) -> None:
            self._ending(super().close)

        def _ending(self, end: Callable[[], None]) -> None:
            try:
                end()
            finally:
                self.give_turn_back()

    return TakingTurns


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked"))


class _FileTurn:
    """An exclusive `flock` on a file, taken by one thread of the process at a time (the
    process's own lock is held around it). Opened once per process: a lock's holder is an
    open file, and a child process inherits its parent's."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._opened: tuple[int, int] | None = None  # (process id, file descriptor)

    def take(self, deadline: float) -> bool:
        """Whether the lock was taken before `deadline` (a process's writer holds it for
        milliseconds: waiting is polling, every half millisecond)."""
        assert fcntl is not None
        descriptor = self._descriptor()
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(0.0005)

    def give_back(self) -> None:
        assert fcntl is not None
        assert self._opened is not None
        fcntl.flock(self._opened[1], fcntl.LOCK_UN)

    def _descriptor(self) -> int:
        if self._opened is None or self._opened[0] != os.getpid():
            self._opened = (os.getpid(), os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        return self._opened[1]
