"""What the app holds between requests: the database, the default scenario, caches."""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox.core.cache import TurnCache, VersionedCache
from sandbox.core.database import Database
from sandbox.core.opcos import OPCOS
from sandbox.errors import ESPACE_INCONNU
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository, EspaceState, Lock
from sandbox.espaces.world import World, world_of
from sandbox.journal.writer import JournalWriter
from sandbox.oauth import service as oauth
from sandbox.oauth.repository import Jeton, JetonRepository
from sandbox.pannes import service as pannes
from sandbox.pannes.repository import PanneRepository
from sandbox.scenarios.loader import LoadedScenario, install
from sandbox.server.answers import Answers

DEFAULT_ESPACE = "default"
log = logging.getLogger("opco_sandbox")


@dataclass
class Runtime:
    database: Database
    default_scenario: LoadedScenario
    admin_token: str | None = None

    journal_max_entries: int = 10_000

    def __post_init__(self) -> None:
        self.worlds: VersionedCache[World] = VersionedCache()
        # The targets of each espace's fault rules, per OPCO: a request none concerns (the
        # usual case) needs no query of them.
        self.cibles: VersionedCache[tuple[pannes.Cible, ...]] = VersionedCache(size=512)
        # Tokens' rows by espace and SHA-256, None for an unknown one: see `token_lookup`.
        self.jetons: VersionedCache[Jeton | None] = VersionedCache(size=1024)
        # The espaces' states read on the event loop, each for the rest of its turn.
        self.states_this_turn: TurnCache[EspaceState] = TurnCache()
        # The answers of OPCO reads, per revision of their espace's data.
        self.answers = Answers()
        self.journal = JournalWriter(self.database, self.espace_secrets, self.journal_max_entries)

    def espace_secrets(self, session: Session, nom: str, state: EspaceState) -> tuple[str, ...]:
        """What the journal masks by value in that espace: its keys and client secrets, and
        the admin token."""
        return self.espace(session, nom, state).world.secrets + self.secrets

    @property
    def secrets(self) -> tuple[str, ...]:
        """What the journal and the logs must never show, whatever the espace."""
        return (self.admin_token,) if self.admin_token else ()

    def open_espace(self, session: Session, nom: str, lock: Lock | None = None) -> Espace:
        """The espace in this session, its row locked when `lock` says so (its clock and
        its world are then those the lock protects), or 404 `ESPACE_INCONNU`."""
        return self.espace(session, nom, self.espace_state(session, nom, lock))

    def espace_state(self, session: Session, nom: str, lock: Lock | None) -> EspaceState:
        """What the request's one query of its espace's row reads, or 404 `ESPACE_INCONNU`."""
        state = EspaceRepository(session, nom).state(lock)
        if state is None:
            raise ESPACE_INCONNU.error(espace=nom[:64])
        return state

    def espace_state_on_loop(self, session: Session, nom: str) -> EspaceState:
        """The espace's state for the checks of an OPCO request, which run on the event
        loop: read once per turn of the loop for all the requests it holds (`TurnCache`),
        so that a burst of calls makes one query, not one each."""
        return self.states_this_turn.get(nom, lambda: self.espace_state(session, nom, None))

    def espace(self, session: Session, nom: str, state: EspaceState) -> Espace:
        """The espace at that state, its world from the cache when of its generation."""
        world = self.worlds.get(
            nom, state.generation, lambda: world_of(EspaceRepository(session, nom).scenario())
        )
        return Espace(session, nom, world, state.horloge)

    def token_lookup(self, espace: Espace, generation: int) -> oauth.TokenLookup:
        """Tokens' rows, each read once per generation of its espace: a row changes only
        when all of the espace's tokens expire, which renews the generation
        (`oauth.expire_all`). An unknown token is remembered as such: a token is known to
        its client only once its row is committed."""
        tokens = JetonRepository.of(espace)

        def lookup(empreinte: str) -> Jeton | None:
            key = (espace.nom, empreinte)
            return self.jetons.get(key, generation, lambda: tokens.by_empreinte(empreinte))

        return lookup

    def faults_concern(
        self, session: Session, nom: str, state: EspaceState, request: pannes.Demande
    ) -> bool:
        """Whether a fault rule of the espace aims at the request: known from the cached
        targets of its rules, read in the request's session when they changed. None since
        the espace's load (`version_pannes` 0, a fresh test's espace): nothing to read."""
        if request.opco not in OPCOS or state.version_pannes == 0:
            return False
        cibles = self.cibles.get(
            (nom, request.opco),
            (state.generation, state.version_pannes),
            lambda: tuple(
                map(pannes.Cible.of, PanneRepository(session, nom).of_opco(request.opco))
            ),
        )
        return any(cible.vise(request.methode, request.chemin) for cible in cibles)

    def fault_effect(self, nom: str, request: pannes.Demande) -> pannes.Effet:
        """What the espace's fault rules do to the request, counted in a transaction of its
        own (a simulated failure must still count against "the next N")."""
        with self.database.transaction() as session:
            rules = PanneRepository(session, nom).of_opco(request.opco, lock=True)
            return pannes.apply(rules, request.methode, request.chemin)

    def ensure_default_espace(self, today: date, reload: bool = False) -> None:
        """Load the configured scenario into `default` when the database has none, when
        the scenario's content changed since it was last loaded at start, or when `reload`
        forces it. Otherwise `default` keeps its state across restarts, a scenario put
        since included. A reload that drops data says so in one log line."""
        loaded = self.default_scenario
        fingerprint = scenario_fingerprint(loaded.document)
        try:
            with self.database.transaction() as session:
                espaces = EspaceRepository(session, DEFAULT_ESPACE)
                row = espaces.locked()  # workers starting together: one loads, once
                if row is not None and row.empreinte_demarrage == fingerprint and not reload:
                    return
                dropped = espaces.counts()
                install(session, DEFAULT_ESPACE, loaded, today)
                espaces.mark_started(fingerprint)
        except IntegrityError:
            return  # another worker installed it at the same moment
        if dropped is not None:
            log.warning(
                "The default espace is reloaded from the scenario %s (%s, %s): dropped "
                "what it held, the scenario %s with %d dossiers, %d invoices and its journal, "
                "its clock on %s.",
                loaded.scenario.nom,
                loaded.source,
                "--reload-default" if reload else "its content changed since it was last loaded",
                dropped.scenario,
                dropped.dossiers,
                dropped.factures,
                dropped.horloge.isoformat(),
            )


def scenario_fingerprint(document: dict[str, Any]) -> str:
    """The SHA-256 of a scenario's content, whatever its file's layout or comments."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
