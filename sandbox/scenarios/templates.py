"""A scenario's installed state, computed once, aside, and kept for the next loads.

Installing a scenario runs every domain rule on each dossier and invoice. That work happens
in a private in-memory SQLite database, never in the shared one: a 10,000-dossier load no
longer holds the shared database's write lock (other espaces go on), and a load that fails
leaves nothing behind. The result, a `Snapshot` of rows, is then inserted in one short
transaction, and kept (bounded) for the next load of the same document on the same date:
thousands of tests loading `demo` pay for its install once.
"""

import hashlib
import json
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from sandbox.core.database import Database
from sandbox.espaces.snapshot import Snapshot, stream, take

# Snapshots kept, and the largest one kept (in rows): the bundled grand-volume is not.
KEPT = 32
KEPT_ROWS = 20_000
# Past this many dossiers, an install is built in a file and streamed (see `built_in_file`).
STREAMED = 5_000
SCRATCH_ESPACE = "scenario"  # the espace a private database builds

Builder = Callable[[Session, str], None]


class Templates:
    """The snapshots of the scenarios loaded lately, by document and date."""

    def __init__(self) -> None:
        self._kept: OrderedDict[str, Snapshot] = OrderedDict()
        self._lock = threading.Lock()

    @contextmanager
    def snapshot(
        self, document: object, horloge: date, build: Builder, dossiers: int
    ) -> Iterator[Snapshot]:
        """The rows `build` makes for this document on this date, `dossiers` the number of
        dossiers it makes: built aside once, and kept; past `STREAMED` dossiers, built in a
        private file and streamed from it during the block, never held whole in memory."""
        key = _key(document, horloge)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
        if kept is not None:
            yield kept
            return
        if dossiers > STREAMED:
            with built_in_file(build) as streamed:
                yield streamed
            return
        built = build_aside(build)
        if built.size <= KEPT_ROWS:
            with self._lock:
                self._kept[key] = built
                while len(self._kept) > KEPT:
                    self._kept.popitem(last=False)
        yield built


@contextmanager
def private_database(url: str, made: bool = False) -> Iterator[Database]:
    """A private SQLite database (in memory, or in a file) for the block: its schema
    created, unless `made` (by another process), and its engine disposed of after."""
    database = Database(url)
    try:
        if not made:
            database.create_schema()
        yield database
    finally:
        database.dispose()


def build_aside(build: Builder) -> Snapshot:
    """Run `build` in a private in-memory database and lift out what it made."""
    with private_database("sqlite://") as scratch, scratch.transaction() as session:
        build(session, SCRATCH_ESPACE)
        return take(session, SCRATCH_ESPACE)


@contextmanager
def built_in_file(build: Builder) -> Iterator[Snapshot]:
    """Run `build` in a private database in a temporary file (its pages live in the
    system's file cache, not in this process), and stream what it made during the block."""
    with (
        tempfile.TemporaryDirectory(prefix="opco-sandbox-") as directory,
        private_database(f"sqlite:///{Path(directory) / 'scenario.db'}") as scratch,
        scratch.transaction() as session,
    ):
        build(session, SCRATCH_ESPACE)
        session.flush()
        yield stream(session, SCRATCH_ESPACE)


def _key(document: object, horloge: date) -> str:
    text = json.dumps(document, sort_keys=True, default=str, separators=(",", ":"))
    return f"{horloge.isoformat()}:{hashlib.sha256(text.encode()).hexdigest()}"


TEMPLATES = Templates()  # one per process: what a document gives does not depend on a server
