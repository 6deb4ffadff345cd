"""What the app holds between requests: the database, the default scenario, caches."""

import threading
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox.core.database import Database
from sandbox.core.opcos import OPCOS
from sandbox.core.repository import Store
from sandbox.core.tables import EspaceRow
from sandbox.errors import SandboxError
from sandbox.espaces.espace import Espace
from sandbox.espaces.world import World
from sandbox.pannes import service as pannes
from sandbox.scenarios.loader import LoadedScenario, install
from sandbox.scenarios.model import Scenario

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
        return Espace(store, self._world(row), row.horloge)

    def _world(self, row: EspaceRow) -> World:
        # Reading and parsing a scenario costs more than a request: keep it until the espace
        # changes (its generation moves); `row.scenario` is only loaded then.
        with self._lock:
            cached = self._worlds.get(row.nom)
            if cached is None or cached[0] != row.generation:
                cached = (row.generation, World(Scenario.model_validate(row.scenario)))
                self._worlds[row.nom] = cached
            return cached[1]

    def fault_effect(self, espace: str, opco: str, methode: str, chemin: str) -> pannes.Effet:
        """What the espace's injected faults do to this request (counted in its own
        transaction: a simulated failure must still count against "the next N")."""
        if opco not in OPCOS:
            return pannes.Effet()
        with self.database.reading() as session:
            rules = Store(session, espace).pannes(opco)
            if not any(pannes.matches(rule, methode, chemin) for rule in rules):
                return pannes.Effet()  # the usual case, answered without a write lock
        with self.database.transaction() as session:
            return pannes.apply(Store(session, espace).pannes(opco, lock=True), methode, chemin)

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
