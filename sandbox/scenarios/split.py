"""Large installs built on two cores: the scenario's OPCOs split in two halves, each built
in a private database of its own at the same time, one by this process and one by a child
(`python -m sandbox.scenarios.split`), then both put into the espace, one after the
other.

A scenario that generates many dossiers (`generer`) spends its install in Python, one
core's worth: 100,000 dossiers took over a minute. Nothing an OPCO's rules look at
crosses OPCOs (its numbers, its duplicates, its pairings, its invoices and its sequences
are its own) except the DECA numbers, one registry for all: the second half's follow
every number the first half's dossiers could take (one each at most). The halves depend
on the scenario alone, never on the machine, so the same scenario always gives the same
espace. Should a half fail, for whatever reason, the install is made again in one
process, which reports the scenario's first fault as it always has (and, when the
scenario breaks no rule, gives its DECA numbers in one run: a child that cannot start
says so in the log).
"""

import json
import logging
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sandbox.core.database import Database
from sandbox.core.opcos import OPCOS
from sandbox.dossiers.lifecycle import deca_numbers_given
from sandbox.espaces.snapshot import Snapshot, stream
from sandbox.scenarios import generer
from sandbox.scenarios.model import Scenario
from sandbox.scenarios.templates import SCRATCH_ESPACE, private_database

log = logging.getLogger("opco_sandbox")

# From this many generated dossiers on, an install is built in two halves: below it, the
# child's start (its imports, about a second) would cost more than it saves.
SPLIT_FROM = 5_000
# The child's exit status when the scenario breaks a rule (no need to log it: the install
# made again in one process reports it).
REFUSED = 3


@dataclass(frozen=True)
class Half:
    """What one half builds: the dossiers and invoices of its OPCOs. Its DECA numbers
    follow `deca_after`."""

    opcos: frozenset[str]
    deca_after: int

    def holds(self, opco: str) -> bool:
        return opco in self.opcos


class SplitFailed(Exception):
    """A half could not be built: the install is to be made in one process."""


def halves(scenario: Scenario) -> tuple[Half, Half] | None:
    """The two halves of the scenario's install, or None when it is to be built whole (few
    dossiers, or one OPCO). Whatever the machine's cores: the same scenario gives the same
    espace everywhere (on one core, the halves only take turns)."""
    turn = generer.opcos_in_turn(scenario)
    if scenario.generer.dossiers < SPLIT_FROM or len(turn) < 2:
        return None
    # The child's half is the smaller (it starts later, its imports done first).
    first = frozenset(turn[1::2])
    own = sum(1 for dossier in scenario.dossiers if dossier.opco in first)
    made = own + generer.count_at(scenario, first)
    return Half(first, 0), Half(frozenset(OPCOS) - first, made)


# Builds a half of a scenario's install in a session of an empty private database.
HalfBuilder = Callable[[Session, str, Half], None]


@contextmanager
def built(
    document: dict[str, Any], horloge: date, split: tuple[Half, Half], build: HalfBuilder
) -> Iterator[list[Snapshot]]:
    """The two halves built at once, the first by a child process, the second by `build`
    here, each in a private file: their snapshots, streamed from those files during the
    block. `SplitFailed`, before the block, when either half could not be built."""
    first, second = split
    with tempfile.TemporaryDirectory(prefix="opco-sandbox-") as directory, ExitStack() as stack:
        folder = Path(directory)
        (folder / "scenario.json").write_text(json.dumps(document), encoding="utf-8")
        child = _start_child(folder, horloge, first)
        stack.callback(_stop, child)
        here = stack.enter_context(_database(folder / "second.db"))
        _build_here(here, second, build)
        _wait_for(child, folder)
        there = stack.enter_context(_database(folder / "first.db", made=True))
        sessions = [stack.enter_context(database.reading()) for database in (there, here)]
        # Never so, as a dossier takes one number at most; checked all the same, as two
        # dossiers with one DECA number would be a silent fault.
        if deca_numbers_given(sessions[0], SCRATCH_ESPACE) > second.deca_after:
            raise SplitFailed("the first half took more DECA numbers than it has dossiers")
        yield [stream(session, SCRATCH_ESPACE) for session in sessions]


def _build_here(database: Database, half: Half, build: HalfBuilder) -> None:
    try:
        with database.transaction() as session:
            build(session, SCRATCH_ESPACE, half)
    except Exception as exc:  # a rule broken, or worse: the install made whole tells
        raise SplitFailed(f"the second half: {exc}") from None


def _start_child(folder: Path, horloge: date, half: Half) -> "subprocess.Popen[bytes]":
    arguments = [str(folder), horloge.isoformat(), ",".join(sorted(half.opcos))]
    command = [sys.executable, "-m", "sandbox.scenarios.split", *arguments, str(half.deca_after)]
    try:
        with (folder / "child.log").open("wb") as errors:
            return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    except OSError as exc:
        log.warning("The install's first half found no process to run it: %s", exc)
        raise SplitFailed(f"no child process: {exc}") from None


def _wait_for(child: "subprocess.Popen[bytes]", folder: Path) -> None:
    status = child.wait()
    if status == REFUSED:
        raise SplitFailed("the scenario breaks a rule")
    if status != 0:
        failure = _exception_named((folder / "child.log").read_text(errors="replace"))
        log.warning("The install's first half failed (status %d): %s", status, failure)
        raise SplitFailed(f"the first half's process ended with status {status}")


def _exception_named(stderr: str) -> str:
    """The exception that ended the child, by its type only: its message may quote the
    scenario's data (an apprentice's NIR, a client's secret), which no log shows."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return lines[-1].split(":", 1)[0][:200] if lines else "no message"


def _stop(child: "subprocess.Popen[bytes]") -> None:
    if child.poll() is None:
        child.kill()
        child.wait()


def _database(path: Path, made: bool = False) -> AbstractContextManager[Database]:
    """The private database in that file (`made`: by the child)."""
    return private_database(f"sqlite:///{path}", made)


def main(arguments: list[str]) -> int:
    """The child's work: build the first half into `first.db` of the folder given."""
    # Imported here: the loader imports this module.
    from sandbox.errors import SandboxError
    from sandbox.scenarios.loader import build_half, load_dict

    folder, day, opcos, deca_after = arguments
    document = json.loads((Path(folder) / "scenario.json").read_text(encoding="utf-8"))
    half = Half(frozenset(opcos.split(",")), int(deca_after))
    with _database(Path(folder) / "first.db") as database:
        try:
            with database.transaction() as session:
                loaded = load_dict(document, "scenario")
                build_half(session, SCRATCH_ESPACE, loaded, date.fromisoformat(day), half)
        except SandboxError:
            return REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
