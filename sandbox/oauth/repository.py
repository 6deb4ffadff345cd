"""The OAuth2 tokens the espace's OPCOs issued (their SHA-256 only)."""

from datetime import datetime

from sqlalchemy import bindparam, insert, update

from sandbox.core.repository import Repository
from sandbox.core.tables import JetonRow


class JetonRepository(Repository[JetonRow]):
    table = JetonRow

    def by_empreinte(self, empreinte: str) -> JetonRow | None:
        return self.one_prepared(_BY_EMPREINTE, empreinte=empreinte)

    def store(
        self, empreinte: str, opco: str, client_id: str, scope: str, expire_a: datetime
    ) -> None:
        """A new token's row, in one statement built once, without the ORM's unit of work
        (flushing the one row cost more than the rest of a token's issue)."""
        self.session.connection().execute(
            _INSERT,
            {
                "empreinte": empreinte,
                "espace": self.espace,
                "opco": opco,
                "client_id": client_id,
                "scope": scope,
                "expire_a": expire_a,
            },
        )

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
_INSERT = insert(JetonRow)
