"""What the app holds between requests: the database, the default scenario, caches."""

import threading
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox.domain.context import Espace
from sandbox.domain.scenario import Scenario
from sandbox.domain.world import World
from sandbox.errors import SandboxError
from sandbox.scenarios import LoadedScenario, install
from sandbox.storage.database import Database
from sandbox.storage.repository import Store

DEFAULT_ESPACE = "default"


@dataclass
class Runtime:
    database: Database
    default_scenario: LoadedScenario
    admin_token: str | None = None

    def __post_init__(self) -> None:
        self._worlds: dict[str, tuple[int, World]] = {}
        self._lock = threading.Lock()

    def open_espace(self, session: Session, nom: str) -> Espace:
        """The espace in this session, or 404 `ESPACE_INCONNU`."""
        store = Store(session, nom)
        row = store.espace_row()
        if row is None:
            raise SandboxError.of(404, "ESPACE_INCONNU", f"L'espace « {nom[:64]} » n'existe pas.")
        return Espace(store, self._world(nom, row.generation, row.scenario), row.horloge)

    def _world(self, nom: str, generation: int, document: dict[str, object]) -> World:
        # Parsing a scenario costs more than a request: keep it until the espace changes.
        with self._lock:
            cached = self._worlds.get(nom)
            if cached is None or cached[0] != generation:
                cached = (generation, World(Scenario.model_validate(document)))
                self._worlds[nom] = cached
            return cached[1]

    def ensure_default_espace(self, today: date) -> None:
        """Load the configured scenario into `default`, unless it holds it already."""
        with self.database.transaction() as session:
            row = Store(session, DEFAULT_ESPACE).espace_row()
            if row is not None and row.scenario == self.default_scenario.document:
                return
        try:
            with self.database.transaction() as session:
                install(session, DEFAULT_ESPACE, self.default_scenario, today)
        except IntegrityError:
            pass  # another worker installed it at the same moment
