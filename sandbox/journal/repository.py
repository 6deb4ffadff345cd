"""The journal's rows of an espace: written, pruned to a bound, read a page at a time."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import defer

from sandbox.core.repository import Repository, insert_rows
from sandbox.core.tables import JournalRow

# The table itself, for the batched insert (the rows' class is typed as such).
_JOURNAL: Table = JournalRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Filters:
    """What `GET …/journal` narrows the entries to."""

    opco: str | None = None
    statut: int | None = None
    depuis: datetime | None = None  # an instant, UTC
    after: int = 0  # the last id of the previous page


class JournalRepository(Repository[JournalRow]):
    table = JournalRow

    def add_all(self, rows: list[dict[str, Any]]) -> None:
        """Write entries' rows (their columns, `service.row_of`), stamped with the espace, in
        batched inserts (`insert_rows`): the session's unit of work would cost several
        times as much."""
        insert_rows(self.session, _JOURNAL, [row | {"espace": self.espace} for row in rows])

    def keep_last(self, count: int) -> None:
        """Drop the espace's entries older than its last `count`."""
        oldest_kept = self.session.scalar(
            select(JournalRow.id)
            .where(JournalRow.espace == self.espace)
            .order_by(JournalRow.id.desc())
            .offset(count - 1)
            .limit(1)
        )
        if oldest_kept is not None:
            self.session.execute(
                delete(JournalRow).where(
                    JournalRow.espace == self.espace, JournalRow.id < oldest_kept
                )
            )

    def matching(self, filters: Filters, limit: int) -> list[JournalRow]:
        """Up to `limit` + 1 entries after the cursor, oldest first (the extra one says that
        there is a next page)."""
        query = self.select().where(JournalRow.id > filters.after)
        if filters.opco is not None:
            query = query.where(JournalRow.opco == filters.opco)
        if filters.statut is not None:
            query = query.where(JournalRow.statut == filters.statut)
        if filters.depuis is not None:
            query = query.where(JournalRow.instant >= filters.depuis)
        return self.all(query.order_by(JournalRow.id).limit(limit + 1))

    def entries(self) -> list[JournalRow]:
        """Every entry kept, oldest first, without the bodies (what the report reads)."""
        bodies = defer(JournalRow.requete), defer(JournalRow.reponse)
        return self.all(self.select().options(*bodies).order_by(JournalRow.id))
