"""The base of every repository: each query starts from "this espace" (and this OPCO where
rows belong to one), and `add()` stamps the espace itself, so no query can forget it."""

from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from sandbox.core.tables import Base

RowT = TypeVar("RowT", bound=Base)


class Scope(Protocol):
    """What a repository is scoped to: an espace's name, in a session."""

    @property
    def session(self) -> Session: ...

    @property
    def nom(self) -> str: ...


@dataclass(frozen=True)
class Page(Generic[RowT]):
    total: int
    rows: list[RowT]


class Repository(Generic[RowT]):
    """Queries on one table's rows of one espace."""

    table: ClassVar[type[Any]]

    def __init__(self, session: Session, espace: str) -> None:
        self.session = session
        self.espace = espace

    @classmethod
    def of(cls, scope: Scope) -> Self:
        return cls(scope.session, scope.nom)

    def select(self, opco: str | None = None) -> Select[Any]:
        """The espace's rows (of that OPCO when given): where every query begins."""
        query = select(self.table).where(self.table.espace == self.espace)
        return query if opco is None else query.where(self.table.opco == opco)

    def add(self, row: RowT) -> RowT:
        row.espace = self.espace  # type: ignore[attr-defined]
        self.session.add(row)
        self.session.flush()
        return row

    def all(self, query: Select[Any]) -> list[RowT]:
        return list(self.session.scalars(query))

    def one_or_none(self, query: Select[Any]) -> RowT | None:
        return self.session.scalars(query).one_or_none()

    def bytewise(self, column: QueryableAttribute[Any]) -> ColumnElement[Any]:
        """`column` ordered by code point on every engine, as SQLite does: PostgreSQL's locale
        collations would ignore hyphens and case (`DEMO-0001` beside `demo0001`)."""
        if self.session.get_bind().dialect.name == "postgresql":
            return column.expression.collate("C")
        return column.expression

    def page(self, query: Select[Any], numero: int, taille: int) -> Page[RowT]:
        """Page `numero` (from 1) of `taille` rows, in the query's order, and the total."""
        total = self.session.scalar(
            select(func.count()).select_from(query.order_by(None).subquery())
        )
        rows = self.all(query.offset((numero - 1) * taille).limit(taille))
        return Page(total or 0, rows)
