"""The database itself refuses a second live dossier for the same contract; rows built at
once are stored as their constructor's."""

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, inspect
from sqlalchemy.exc import IntegrityError

from sandbox.core.database import Database
from sandbox.core.repository import (
    ROWS_PER_STATEMENT,
    column_values,
    insert_many,
    insert_rows,
    new_row,
)
from sandbox.core.tables import Base, DossierRow, EcheanceRow, EncodedJSON, JournalRow


@pytest.fixture
def database(opco_sandbox_database_url: str) -> Iterator[Database]:
    database = Database(opco_sandbox_database_url)
    database.create_schema()
    yield database
    database.dispose()


def columns(espace: str, numero: str, cle_doublon: str | None) -> dict[str, Any]:
    day = date(2026, 9, 1)
    return {
        "espace": espace,
        "opco": "akto",
        "numero_externe": numero,
        "numero_interne": numero,
        "siret_cfa": "79012345900014",
        "canal": "API",
        "etat": "TRANSMIS",
        "cle_doublon": cle_doublon,
        "nom": "x",
        "prenom": "y",
        "date_naissance": day,
        "siret_employeur": "52345678800018",
        "date_debut_contrat": day,
        "date_conclusion": day,
        "mandat_gestion": True,
        "a_regulariser": False,
        "cerfa": {"a": [1]},
        "date_transmission": day,
        "date_mise_a_jour": day,
        "frais_annexes": [],
    }


def dossier(espace: str, numero: str, cle_doublon: str | None) -> DossierRow:
    return DossierRow(**columns(espace, numero, cle_doublon))


def echeance(numero: int) -> dict[str, Any]:
    day = date(2026, 9, 1)
    return {
        "numero": numero,
        "codification": f"E{numero}",
        "date_ouverture": day,
        "date_debut": day,
        "date_fin": day,
        "montant_pedagogique": Decimal("1.5"),
        "montant_rqth": Decimal(0),
        "montant_regle": Decimal(0),
        "montant_en_cours": Decimal(0),
        "siret": "79012345900014",
        "iban": "FR7630006000011234567890189",
    }


def test_a_row_built_at_once_is_stored_as_its_constructor_stores_it(database: Database) -> None:
    # `new_row` skips the per-column events of the constructor (bulk installs make
    # hundreds of thousands of rows): what a session inserts of it must not change.
    with database.transaction() as session:
        built = new_row(DossierRow, **columns("storage-5", "A", "k"))
        constructed = dossier("storage-5", "B", "l")
        built.echeances = [new_row(EcheanceRow, **echeance(1)), new_row(EcheanceRow, **echeance(2))]
        constructed.echeances = [EcheanceRow(**echeance(1)), EcheanceRow(**echeance(2))]
        session.add_all([built, constructed])
        session.flush()
        ids = built.id, constructed.id
    assert_stored_alike(database, *ids)


def test_a_row_built_at_once_refuses_a_column_its_table_lacks() -> None:
    with pytest.raises(TypeError, match="numero_inconnu"):
        new_row(DossierRow, **columns("storage-6", "A", None), numero_inconnu="1")


def test_rows_inserted_by_the_driver_are_stored_as_a_session_stores_them(tmp_path: Path) -> None:
    # `insert_many` converts each value itself (dates, JSON, decimals, booleans) for the
    # bulk installs' private SQLite database: what it stores must read back the same.
    database = Database(f"sqlite:///{tmp_path / 'bulk.db'}")
    database.create_schema()
    dossiers: Table = DossierRow.__table__  # type: ignore[assignment]
    echeances: Table = EcheanceRow.__table__  # type: ignore[assignment]
    with database.transaction() as session:
        constructed = dossier("storage-7", "B", "l")
        constructed.echeances = [EcheanceRow(**echeance(1)), EcheanceRow(**echeance(2))]
        session.add(constructed)
        session.flush()
        built = new_row(DossierRow, **columns("storage-7", "A", "k"))
        insert_many(session, dossiers, [column_values(built) | {"id": constructed.id + 1}])
        insert_many(
            session,
            echeances,
            [
                column_values(new_row(EcheanceRow, **echeance(n)))
                | {"id": None, "dossier_id": constructed.id + 1}
                for n in (1, 2)
            ],
        )
        ids = constructed.id + 1, constructed.id
    assert_stored_alike(database, *ids)
    database.dispose()


def test_rows_inserted_many_to_a_statement_are_stored_as_given(database: Database) -> None:
    # `insert_rows` writes the journal: on SQLite up to ROWS_PER_STATEMENT rows a
    # statement, through the driver (the last statement shorter); on PostgreSQL one COPY,
    # whose text format escapes tabs, newlines and backslashes.
    journal: Table = JournalRow.__table__  # type: ignore[assignment]
    count = 2 * ROWS_PER_STATEMENT + 5
    rows = [
        {
            "espace": "storage-journal",
            "instant": datetime(2026, 9, 1, 8, 30, n % 60, 125),
            "date": date(2026, 9, 1),
            "opco": "akto" if n % 2 else None,
            "cfa": None,
            "methode": "GET",
            "chemin": f"/akto/v1/dossiers?numeroInterne=N-{n}" + ("\t\\N\n\\" if n % 4 else ""),
            "statut": 200 + n % 3,
            "codes": ["DOSSIER_INCONNU"] if n % 3 else [],
            "diagnostics": [],
            "situations": [],
            "logiciel": "wrk",
            "requete": None,
            "reponse": EncodedJSON(f'{{"entetes": {{}}, "corps": {{"n": {n}, "nom": "é"}}}}'),
        }
        for n in range(count)
    ]
    with database.transaction() as session:
        insert_rows(session, journal, rows)
    with database.reading() as session:
        stored_rows = session.execute(
            journal.select().where(journal.c.espace == "storage-journal").order_by(journal.c.id)
        ).mappings()
        got = [{key: row[key] for key in rows[0]} for row in stored_rows]
    expected = [
        row | {"reponse": {"entetes": {}, "corps": {"n": n, "nom": "é"}}}
        for n, row in enumerate(rows)
    ]
    assert got == expected


def assert_stored_alike(database: Database, a_id: int, b_id: int) -> None:
    """Dossier A (numbers A, key k) stored as dossier B (B, l), its échéances too."""
    with database.reading() as session:
        a, b = session.get_one(DossierRow, a_id), session.get_one(DossierRow, b_id)
        assert stored(a) == stored(b) | {
            "id": a.id,
            "numero_externe": "A",
            "numero_interne": "A",
            "cle_doublon": "k",
        }
        assert [stored(e) | {"id": 0, "dossier_id": 0} for e in a.echeances] == [
            stored(e) | {"id": 0, "dossier_id": 0} for e in b.echeances
        ]
        assert {e.dossier_id for e in a.echeances} == {a.id}


def stored(row: Base) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs}


def test_a_second_live_dossier_with_the_same_key_is_refused(database: Database) -> None:
    with database.transaction() as session:
        session.add_all([dossier("storage-1", "A", "same"), dossier("storage-1", "B", "same")])
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_dossiers_without_a_key_do_not_collide(database: Database) -> None:
    with database.transaction() as session:
        session.add_all([dossier("storage-2", "A", None), dossier("storage-2", "B", None)])
        session.flush()


def test_the_key_is_scoped_by_espace(database: Database) -> None:
    with database.transaction() as session:
        session.add_all([dossier("storage-3", "A", "k"), dossier("storage-4", "A", "k")])
        session.flush()


def test_a_scenario_snapshot_carries_every_table_of_an_espaces_state() -> None:
    """A table added to the espace's state must be carried by the snapshot that installs
    scenarios (or be listed here as what happens after a load)."""
    from sandbox.core.tables import Base
    from sandbox.espaces.snapshot import tables_covered

    # Tokens, rate limits, fault rules (a scenario sets none: `version_pannes` 0 says so),
    # requests, the revision of its data (which outlives its loads: the generation tells).
    after_a_load = {"jetons", "quotas", "pannes", "journal", "revisions"}
    of_an_espace = {
        table.name
        for table in Base.metadata.sorted_tables
        if "espace" in table.c or table.name == "echeances"
    }
    assert of_an_espace - after_a_load == set(tables_covered())
