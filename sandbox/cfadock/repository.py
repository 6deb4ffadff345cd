"""The queries of CFADock: the espace's rate-limit window."""

from sandbox.core.repository import Repository
from sandbox.core.tables import QuotaRow


class QuotaRepository(Repository[QuotaRow]):
    table = QuotaRow

    def window(self, service: str) -> QuotaRow | None:
        """The service's current window, locked: concurrent requests count one after the
        other, on every worker."""
        query = self.select().where(QuotaRow.service == service).with_for_update()
        return self.one_or_none(query.execution_options(populate_existing=True))
