"""What the app holds between requests: the database, the default scenario, caches."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sandbox.core.database import Database
from sandbox.core.opcos import OPCOS
from sandbox.errors import ESPACE_INCONNU
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository
from sandbox.espaces.world import WorldCache
from sandbox.pannes import service as pannes
from sandbox.pannes.repository import PanneRepository
from sandbox.scenarios.loader import LoadedScenario, install

DEFAULT_ESPACE = "default"


@dataclass
class Runtime:
    database: Database
    default_scenario: LoadedScenario
    admin_token: str | None = None

    def __post_init__(self) -> None:
        self.worlds = WorldCache()

    def open_espace(self, session: Session, nom: str) -> Espace:
        """The espace in this session, or 404 `ESPACE_INCONNU`."""
        row = EspaceRepository(session, nom).row()
        if row is None:
            raise ESPACE_INCONNU.error(espace=nom[:64])
        return Espace(session, nom, self.worlds.get(row), row.horloge)

    def fault_effect(self, espace: str, opco: str, methode: str, chemin: str) -> pannes.Effet:
        """What the espace's injected faults do to this request (counted in its own
        transaction: a simulated failure must still count against "the next N")."""
        if opco not in OPCOS:
            return pannes.Effet()
        with self.database.reading() as session:
            rules = PanneRepository(session, espace).of_opco(opco)
            if not any(pannes.matches(rule, methode, chemin) for rule in rules):
                return pannes.Effet()  # the usual case, answered without a write lock
        with self.database.transaction() as session:
            locked = PanneRepository(session, espace).of_opco(opco, lock=True)
            return pannes.apply(locked, methode, chemin)

    def ensure_default_espace(self, today: date) -> None:
        """Load the configured scenario into `default`, unless it holds it already."""
        with self.database.transaction() as session:
            row = EspaceRepository(session, DEFAULT_ESPACE).row()
            if row is not None and row.scenario == self.default_scenario.document:
                return
        try:
            with self.database.transaction() as session:
                install(session, DEFAULT_ESPACE, self.default_scenario, today)
        except IntegrityError:
            pass  # another worker installed it at the same moment
