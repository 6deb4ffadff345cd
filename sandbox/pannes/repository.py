"""The fault-injection rules of an OPCO in an espace."""

from sqlalchemy import delete, update

from sandbox.core.repository import Repository
from sandbox.core.tables import EspaceRow, PanneRow


class PanneRepository(Repository[PanneRow]):
    table = PanneRow

    def of_opco(self, opco: str, lock: bool = False) -> list[PanneRow]:
        query = self.select(opco).order_by(PanneRow.id)
        return self.all(query.with_for_update() if lock else query)

    def replace(self, opco: str, rules: list[PanneRow]) -> None:
        """The OPCO's rules replaced; the espace's fault version bumped, so that every
        worker reads its rules afresh."""
        self.session.execute(
            delete(PanneRow).where(PanneRow.espace == self.espace, PanneRow.opco == opco)
        )
        for rule in rules:
            self.add(rule)
        self.session.execute(
            update(EspaceRow)
            .where(EspaceRow.nom == self.espace)
            .values(version_pannes=EspaceRow.version_pannes + 1)
        )
