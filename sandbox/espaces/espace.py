"""What every domain operation works in: one espace's session, its world and its clock."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from sandbox.espaces.world import World


@dataclass
class Espace:
    session: Session
    nom: str
    world: World
    today: date  # the espace's clock: rules read it here, never from the system
