"""The journal's rows of an espace."""

from sandbox.core.repository import Repository
from sandbox.core.tables import JournalRow


class JournalRepository(Repository[JournalRow]):
    table = JournalRow

    def record(self, row: JournalRow) -> None:
        row.espace = self.espace
        self.session.add(row)  # flushed with the commit: the journal is written last

    def entries(self) -> list[JournalRow]:
        return self.all(self.select().order_by(JournalRow.id))
