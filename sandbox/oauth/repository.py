"""The OAuth2 tokens the espace's OPCOs issued (their SHA-256 only)."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, insert, select, update

from sandbox.core.repository import Repository
from sandbox.core.tables import JetonRow


class Jeton(NamedTuple):
    """What checking a Bearer token needs of its row."""

    opco: str
    expire_a: datetime


class JetonRepository(Repository[JetonRow]):
    table = JetonRow

    def by_empreinte(self, empreinte: str) -> Jeton | None:
        """The OPCO and the expiry of the token of that SHA-256: two columns, no ORM object
        (every call to an OPCO that asks for tokens looks one up)."""
        parameters = {"espace": self.espace, "empreinte": empreinte}
        found = self.session.connection().execute(_BY_EMPREINTE, parameters).one_or_none()
        return None if found is None else Jeton(*found)

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


_BY_EMPREINTE = select(JetonRow.opco, JetonRow.expire_a).where(
    JetonRow.espace == bindparam("espace"), JetonRow.empreinte == bindparam("empreinte")
)
_INSERT = insert(JetonRow)
