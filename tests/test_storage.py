"""The database itself refuses a second live dossier for the same contract."""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from sandbox.core.database import Database
from sandbox.core.tables import DossierRow


@pytest.fixture
def database(opco_sandbox_database_url: str) -> Iterator[Database]:
    database = Database(opco_sandbox_database_url)
    database.create_schema()
    yield database
    database.dispose()


def dossier(espace: str, numero: str, cle_doublon: str | None) -> DossierRow:
    day = date(2026, 9, 1)
    return DossierRow(
        espace=espace, opco="akto", numero_externe=numero, numero_interne=numero,
        siret_cfa="79012345900014", canal="API", etat="TRANSMIS", cle_doublon=cle_doublon,
        nom="x", prenom="y", date_naissance=day, siret_employeur="52345678800018",
        date_debut_contrat=day, date_conclusion=day, mandat_gestion=True, a_regulariser=False,
        cerfa={}, date_transmission=day, date_mise_a_jour=day, frais_annexes=[],
    )  # fmt: skip


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
    # requests.
    after_a_load = {"jetons", "quotas", "pannes", "journal"}
    of_an_espace = {
        table.name
        for table in Base.metadata.sorted_tables
        if "espace" in table.c or table.name == "echeances"
    }
    assert of_an_espace - after_a_load == set(tables_covered())
