"""The journal's background writer: entries are written in batches, off the requests' path.

Writing each entry in its own transaction made every request, reads included, wait for
the database's write lock. Requests now hand their entry to one thread per process, which
writes whatever has gathered in one transaction, at most `DELAY` after the first. Before
the control API answers anything (a journal or report read, a reset, a load), the writer
is flushed, so a read right after a call finds it. What a crash (`kill -9`) can lose is the
last `DELAY` of journal entries, never business data: those are committed before their
answer leaves.
"""

import logging
import queue
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sandbox.core.database import Database
from sandbox.espaces.repository import EspaceRepository, EspaceState, Lock
from sandbox.journal import service as journal
from sandbox.journal.repository import JournalRepository

log = logging.getLogger("opco_sandbox")

DELAY = 0.05  # seconds an entry may wait for its batch
BATCH = 500  # entries written in one transaction at most
# An espace's retention bound is enforced each time this process has written this many of
# its entries since it last did: about once every hundred of its entries (each worker
# counts its own, so an espace holds at most its bound and this much per worker).
PRUNE_EVERY = 100
# The espaces whose entries since their last pruning are counted, the least recently
# written forgotten first (one forgotten counts again from nought: pruned a little later).
COUNTED = 10_000

# The secrets of an espace, given its name and state (the world of its scenario knows
# them), read in the writer's session when not known already.
Secrets = Callable[[Session, str, EspaceState], tuple[str, ...]]


@dataclass(frozen=True)
class Job:
    espace: str
    entry: journal.Entry


class JournalWriter:
    """One per process and database; `submit` never blocks, `flush` waits for the batch."""

    def __init__(self, database: Database, secrets: Secrets, keep: int) -> None:
        self.database = database
        self.secrets = secrets
        self.keep = keep
        self._queue: queue.SimpleQueue[Job | threading.Event | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        # Set by a flush or the stop: the writer's wait for the rest of its batch ends.
        self._woken = threading.Event()
        # Per espace, its entries written since its last pruning; the most recently written
        # last. Only the writer's thread reads and writes it.
        self._unpruned: dict[str, int] = {}
        # Per espace, its entries submitted and not yet written (or lost).
        self._pending: Counter[str] = Counter()
        self._pending_lock = threading.Lock()

    def submit(self, espace: str, entry: journal.Entry) -> None:
        self._ensure_started()
        with self._pending_lock:
            self._pending[espace] += 1
        self._queue.put(Job(espace, entry))

    def flush(self, espace: str | None = None) -> None:
        """Return once every entry submitted before this call is written; with `espace`,
        at once when none of that espace's waits (a fresh test's espace: loading it need
        not wait for the previous test's entries)."""
        if self._thread is None or (espace is not None and not self.holds(espace)):
            return
        done = threading.Event()
        self._queue.put(done)
        self._woken.set()
        done.wait()

    def holds(self, espace: str) -> bool:
        """Whether entries of the espace are submitted and not yet written."""
        with self._pending_lock:
            return self._pending[espace] > 0

    def close(self) -> None:
        """Write what is left and stop (the app's shutdown)."""
        if self._thread is not None:
            self._queue.put(None)
            self._woken.set()
            self._thread.join()
            self._thread = None

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="journal-writer", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch, waiting, stopping = self._gather()
            if batch:
                self._write(batch)
            for event in waiting:
                event.set()

    def _gather(self) -> tuple[list[Job], list[threading.Event], bool]:
        """The next batch: what arrives within `DELAY` of its first item (a flush or the
        stop ends the wait at once), taken from the queue in one go: the writer waits once
        per batch, not once per entry (each wait hands the GIL over, and under load getting
        it back may take the interpreter's switch interval, 5 ms). What kept it behind the
        requests, though, was SQLite's `executemany` (`core.repository.insert_rows`)."""
        items = [self._queue.get()]
        if isinstance(items[0], Job):
            self._woken.wait(DELAY)
        self._woken.clear()
        while len(items) < BATCH:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        batch = [item for item in items if isinstance(item, Job)]
        waiting = [item for item in items if isinstance(item, threading.Event)]
        return batch, waiting, None in items

    def _write(self, batch: list[Job]) -> None:
        try:
            with self.database.transaction() as session:
                self._write_in(session, batch)
        except Exception:  # the journal must never take the server down with it
            log.exception("%d journal entries lost", len(batch))
        finally:
            with self._pending_lock:
                self._pending -= Counter(job.espace for job in batch)

    def _write_in(self, session: Session, batch: list[Job]) -> None:
        for espace, entries in _by_espace(batch).items():
            # Locked shared: an espace dropped meanwhile gets no entry left behind. Its
            # state only (three columns): its whole row holds its scenario, large.
            state = EspaceRepository(session, espace).state(Lock.SHARED)
            if state is None:  # an unknown espace has no journal
                continue
            secrets = self.secrets(session, espace, state)
            journal.write(session, espace, state.horloge, entries, secrets)
            if self._due_for_pruning(espace, len(entries)):
                JournalRepository(session, espace).keep_last(self.keep)

    def _due_for_pruning(self, espace: str, written: int) -> bool:
        """Count the espace's `written` new entries: True when they make `PRUNE_EVERY` since
        its last pruning (its count then starts again)."""
        unpruned = self._unpruned.pop(espace, 0) + written
        if unpruned >= PRUNE_EVERY:
            return True
        self._unpruned[espace] = unpruned  # put back last: the most recently written
        if len(self._unpruned) > COUNTED:
            del self._unpruned[next(iter(self._unpruned))]
        return False


def _by_espace(batch: list[Job]) -> dict[str, list[journal.Entry]]:
    """The batch's entries per espace, in their order (an espace's are written together)."""
    grouped: dict[str, list[journal.Entry]] = {}
    for job in batch:
        grouped.setdefault(job.espace, []).append(job.entry)
    return grouped
