"""The queries on dossiers, scoped to the espace and the OPCO."""

from collections.abc import Hashable, Sequence
from datetime import date
from functools import cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import Select, Table, bindparam, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload, make_transient_to_detached

from sandbox.core.repository import (
    Page,
    Repository,
    bulk_of,
    bytewise,
    column_values,
    insert_many,
    new_ids,
    paged,
)
from sandbox.core.tables import DossierRow, EcheanceRow
from sandbox.espaces.repository import EspaceRepository

# The numbers a CFA reads one of its dossiers by.
Numero = Literal["numeroInterne", "numeroExterne", "numeroDeca"]
_NUMEROS: dict[str, InstrumentedAttribute[str | None]] = {
    "numeroInterne": DossierRow.numero_interne,
    "numeroExterne": DossierRow.numero_externe,
    "numeroDeca": DossierRow.numero_deca,
}

# The tables themselves, for the bulk inserts (the rows' classes are typed as such).
_DOSSIERS: Table = DossierRow.__table__  # type: ignore[assignment]
_ECHEANCES: Table = EcheanceRow.__table__  # type: ignore[assignment]


class Duplicate(NamedTuple):
    """The live dossier a contract duplicates: what its refusal may say of it."""

    numero_externe: str
    siret_cfa: str


class EtatRow(NamedTuple):
    """What a dossier's state answers of it (a page holds hundreds): five columns, neither
    its CERFA nor an ORM row."""

    numero_interne: str | None
    numero_externe: str
    numero_deca: str | None
    etat: str
    date_mise_a_jour: date


# The statement reading `EtatRow`s.
_States = Select[str | None, str, str | None, str, date]


class DossierRepository(Repository[DossierRow]):
    table = DossierRow

    def remembered(self, row: DossierRow) -> list[tuple[Hashable, ...]]:
        return [
            ("cle_doublon", row.opco, row.cle_doublon),
            ("numero_interne", row.opco, row.siret_cfa, row.numero_interne),
            ("numero_externe", row.opco, row.numero_externe),
        ]

    @classmethod
    def write_all(cls, session: Session, rows: list[DossierRow]) -> None:
        """A bulk session's dossiers and their échéances in two batched inserts: the rows
        are new, held outside the session, whose unit of work would cost several times as
        much. The dossiers' ids are given here (`new_ids`) rather than returned by the
        insert, which would then go in statements of a few hundred rows, not one
        `executemany`."""
        ids = new_ids(session, _DOSSIERS, len(rows))
        pairs = list(zip(rows, ids, strict=True))
        insert_many(session, _DOSSIERS, ({**column_values(row), "id": id_} for row, id_ in pairs))
        echeances = (
            {**column_values(echeance), "id": None, "dossier_id": id_}
            for row, id_ in pairs
            for echeance in row.echeances
        )
        insert_many(session, _ECHEANCES, echeances)

    # A transmission's checks ask whether a row exists, not for the row: their statements
    # are Core selects of a column or two (an ORM query of the row cost several times as
    # much, and every transmission makes three).

    def live_duplicate(self, opco: str, cle_doublon: str) -> Duplicate | None:
        if self.never_added("cle_doublon", opco, cle_doublon):
            return None
        found = self._first(_BY_CLE_DOUBLON, opco=opco, cle_doublon=cle_doublon)
        return None if found is None else Duplicate(*found)

    def numero_interne_taken(self, opco: str, siret_cfa: str, numero_interne: str) -> bool:
        """Whether one of the CFA's dossiers at that OPCO answers to that number."""
        if self.never_added("numero_interne", opco, siret_cfa, numero_interne):
            return False
        parameters = {"siret_cfa": siret_cfa, "numero_interne": numero_interne}
        return self._first(_NUMERO_INTERNE_TAKEN, opco=opco, **parameters) is not None

    def numero_externe_taken(self, opco: str, numero_externe: str) -> bool:
        """Whether a dossier at that OPCO has that number."""
        if self.never_added("numero_externe", opco, numero_externe):
            return False
        return (
            self._first(_NUMERO_EXTERNE_TAKEN, opco=opco, numero_externe=numero_externe) is not None
        )

    def _first(self, statement: Select[Any], **parameters: Any) -> Any:
        connection = self.session.connection()
        return connection.execute(statement, {"espace": self.espace, **parameters}).first()

    def by_numero_externe(self, opco: str, numero_externe: str) -> DossierRow | None:
        if self.never_added("numero_externe", opco, numero_externe):
            return None
        return self.one_prepared(_BY_NUMERO_EXTERNE, opco=opco, numero_externe=numero_externe)

    def pairing_candidates(
        self,
        opco: str,
        *,
        nom: str,
        prenom: str,
        date_naissance: date,
        siret_employeur: str,
        date_debut_contrat: date,
        conclus_depuis: date,
    ) -> list[DossierRow]:
        """Every CFA's dossiers with those five values (names already normalised), concluded
        on or after `conclus_depuis`, oldest first. Locked, so that two concurrent pairings
        of one dossier run one after the other."""
        query = self.select(opco).where(
            DossierRow.nom == nom,
            DossierRow.prenom == prenom,
            DossierRow.date_naissance == date_naissance,
            DossierRow.siret_employeur == siret_employeur,
            DossierRow.date_debut_contrat == date_debut_contrat,
            DossierRow.date_conclusion >= conclus_depuis,
        )
        return self.all(query.order_by(DossierRow.id).with_for_update())

    def add(self, row: DossierRow) -> DossierRow:
        """The dossier written; one more of its CFA's when it has a numeroInterne. Outside a
        bulk session, in one Core insert (the unit of work's flush cost a tenth of a
        transmission), then in the session as a stored row: what changes it later is
        flushed as an update."""
        if bulk_of(self.session) is None:
            self._insert(row)
        else:
            super().add(row)
        if row.numero_interne is not None:
            self._count_one_more(row)
        return row

    def _insert(self, row: DossierRow) -> None:
        row.espace = self.espace
        values = column_values(row)
        key = self.session.connection().execute(_INSERT, values).inserted_primary_key
        assert key is not None, "a single row's insert gives its id"
        # Set as a query would load them (no attribute events), the defaults included.
        row.__dict__.update(values, id=key[0])
        make_transient_to_detached(row)
        self.session.add(row)

    def pair(self, row: DossierRow, numero_interne: str) -> None:
        """An employer's dossier now known to its CFA by `numero_interne`."""
        row.numero_interne = numero_interne
        self._count_one_more(row)

    def _count_one_more(self, row: DossierRow) -> None:
        # The CFA's dossiers, counted as they gain a numeroInterne: a page's total reads
        # the count instead of counting them (tens of thousands, at scale).
        EspaceRepository(self.session, self.espace).next_number(
            row.opco, _count_of_cfa(row.siret_cfa)
        )

    def state_page_of_cfa(
        self, opco: str, siret_cfa: str, numero: int, taille: int
    ) -> Page[EtatRow]:
        """Page `numero` (from 1) of `taille` of the CFA's dossiers' states, and their total."""
        total = EspaceRepository(self.session, self.espace).counted(opco, _count_of_cfa(siret_cfa))
        _, rows = paged(_cfa_states(self.dialect))
        debut = (numero - 1) * taille
        return Page(total, self._states(rows, opco, siret_cfa, debut=debut, taille=taille))

    def states_of_cfa(self, opco: str, siret_cfa: str) -> list[EtatRow]:
        """The states of every dossier of the CFA."""
        return self._states(_cfa_states(self.dialect), opco, siret_cfa)

    def _states(
        self,
        statement: _States,
        opco: str,
        siret_cfa: str,
        **parameters: Any,
    ) -> list[EtatRow]:
        parameters |= {"espace": self.espace, "opco": opco, "siret_cfa": siret_cfa}
        return [EtatRow(*found) for found in self.session.execute(statement, parameters)]

    def of_cfa_by(
        self, opco: str, siret_cfa: str, numero: Numero, valeur: str
    ) -> DossierRow | None:
        """The CFA's dossier whose `numero` (numeroInterne, numeroExterne or numeroDeca) is
        `valeur`, its échéances read with it."""
        statement = _cfa_dossier_by(numero, self.dialect)
        found = self.run_prepared(statement, opco=opco, siret_cfa=siret_cfa, valeur=valeur)
        return found.unique().first()

    def of_cfa_among(self, opco: str, siret_cfa: str, numeros: Sequence[str]) -> list[DossierRow]:
        """The CFA's dossiers whose numeroInterne is among `numeros`."""
        statement = _cfa_dossiers_among(self.dialect)
        return list(self.run_prepared(statement, opco=opco, siret_cfa=siret_cfa, numeros=numeros))

    def numeros_internes(
        self, opco: str, siret_cfa: str, numeros_externes: set[str]
    ) -> dict[str, str | None]:
        """The numeroInterne of each of the CFA's dossiers among these numeroExterne (the
        invoice answers name a dossier by both)."""
        if not numeros_externes:
            return {}
        query = self.select(opco).where(
            DossierRow.siret_cfa == siret_cfa,
            DossierRow.numero_externe.in_(sorted(numeros_externes)),
        )
        return {row.numero_externe: row.numero_interne for row in self.all(query)}

    def for_update(
        self, opco: str, siret_cfa: str, numeros_externes: set[str]
    ) -> dict[str, DossierRow]:
        """The CFA's dossiers by numeroExterne, locked and read afresh: two invoices on one
        dossier are judged one after the other, each seeing what the other booked."""
        query = (
            self.select(opco)
            .where(
                DossierRow.siret_cfa == siret_cfa,
                DossierRow.numero_externe.in_(sorted(numeros_externes)),
            )
            .order_by(DossierRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return {row.numero_externe: row for row in self.all(query)}

    def due_on(self, day: date) -> list[DossierRow]:
        query = self.select().where(DossierRow.prochaine_etape == day)
        return self.all(query.order_by(DossierRow.id))


_INSERT = insert(_DOSSIERS)
_OF_OPCO = DossierRepository.prepared(of_opco=True)
_BY_NUMERO_EXTERNE = _OF_OPCO.where(DossierRow.numero_externe == bindparam("numero_externe"))
# What every transmission asks (its duplicate, its numbers, the clock's next step): built
# once.
_BY_CLE_DOUBLON = (
    DossierRepository.prepared(DossierRow.numero_externe, DossierRow.siret_cfa, of_opco=True)
    .where(DossierRow.cle_doublon == bindparam("cle_doublon"))
    .limit(1)
)
_NUMERO_INTERNE_TAKEN = (
    DossierRepository.prepared(DossierRow.id, of_opco=True)
    .where(
        DossierRow.siret_cfa == bindparam("siret_cfa"),
        DossierRow.numero_interne == bindparam("numero_interne"),
    )
    .limit(1)
)
_NUMERO_EXTERNE_TAKEN = (
    DossierRepository.prepared(DossierRow.id, of_opco=True)
    .where(DossierRow.numero_externe == bindparam("numero_externe"))
    .limit(1)
)
# The earliest pending step of the espace's dossiers on or before `until` (the clock asks
# it with the invoices' next payment: `horloge.service`).
NEXT_STEP_DATE = select(func.min(DossierRow.prochaine_etape)).where(
    DossierRow.espace == bindparam("espace"), DossierRow.prochaine_etape <= bindparam("until")
)


def _count_of_cfa(siret_cfa: str) -> str:
    """The name of the count of a CFA's dossiers (see `_cfa_dossiers`), among the
    espace's sequences."""
    return f"dossiers:{siret_cfa}"


# The reads of a CFA's dossiers, a query of nearly every request, are built once per engine.
@cache
def _cfa_dossiers(dialect: str) -> Select[Any]:
    """The CFA's dossiers: those known by a numeroInterne (transmitted, or deposited by the
    employer and paired), by numeroInterne."""
    query = _OF_OPCO.where(
        DossierRow.siret_cfa == bindparam("siret_cfa"), DossierRow.numero_interne.is_not(None)
    )
    return query.order_by(bytewise(DossierRow.numero_interne, dialect))


@cache
def _cfa_states(dialect: str) -> _States:
    """The states of the CFA's dossiers, in `_cfa_dossiers`' order."""
    return _cfa_dossiers(dialect).with_only_columns(
        DossierRow.numero_interne,
        DossierRow.numero_externe,
        DossierRow.numero_deca,
        DossierRow.etat,
        DossierRow.date_mise_a_jour,
    )


@cache
def _cfa_dossiers_among(dialect: str) -> Select[Any]:
    """The CFA's dossiers whose numeroInterne is among `numeros` (a list, expanded)."""
    among = DossierRow.numero_interne.in_(bindparam("numeros", expanding=True))
    return _cfa_dossiers(dialect).where(among)


@cache
def _cfa_dossier_by(numero: Numero, dialect: str) -> Select[Any]:
    """The CFA's dossier whose `numero` is `valeur`, with its échéances (the answer names
    them), joined in the one query."""
    query = _cfa_dossiers(dialect).where(_NUMEROS[numero] == bindparam("valeur"))
    return query.options(joinedload(DossierRow.echeances)).limit(1)
