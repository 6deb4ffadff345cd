"""What every domain operation works in: one espace's rows, its scenario and its clock."""

from dataclasses import dataclass
from datetime import date

from sandbox.core.repository import Store
from sandbox.espaces.world import World


@dataclass
class Espace:
    store: Store
    world: World
    today: date  # the espace's clock: rules read it here, never from the system
