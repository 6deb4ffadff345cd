"""The queries on the files CFAs sent, scoped to the espace."""

from sqlalchemy.orm import undefer

from sandbox.core.repository import Repository
from sandbox.core.tables import DocumentRow


class DocumentRepository(Repository[DocumentRow]):
    table = DocumentRow

    def every(self) -> list[DocumentRow]:
        """Every file of the espace, oldest first (their content left unread)."""
        return self.all(self.select().order_by(DocumentRow.id))

    def with_content(self, numero_interne: str) -> DocumentRow | None:
        query = self.select().where(DocumentRow.numero_interne == numero_interne)
        return self.one_or_none(query.options(undefer(DocumentRow.contenu)))
