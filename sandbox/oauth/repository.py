"""The OAuth2 tokens the espace's OPCOs issued (their SHA-256 only)."""

from datetime import datetime

from sqlalchemy import bindparam, update

from sandbox.core.repository import Repository
from sandbox.core.tables import JetonRow


class JetonRepository(Repository[JetonRow]):
    table = JetonRow

    def by_empreinte(self, empreinte: str) -> JetonRow | None:
        return self.one_prepared(_BY_EMPREINTE, empreinte=empreinte)

    def expire_all(self, now: datetime) -> int:
        """Every token of the espace expires at `now`; how many were still valid."""
        done = self.session.execute(
            update(JetonRow)
            .where(JetonRow.espace == self.espace, JetonRow.expire_a > now)
            .values(expire_a=now)
        )
        return int(done.rowcount)  # type: ignore[attr-defined]


# Every call to an OPCO that asks for tokens looks one up.
_BY_EMPREINTE = JetonRepository.prepared().where(JetonRow.empreinte == bindparam("empreinte"))
