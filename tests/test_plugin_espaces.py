"""The `opco_sandbox` fixture's own work around a test: its clients' OAuth2 tokens, issued
in-process as the token endpoint issues them, and its espaces, dropped by the hundred."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from sandbox.core.tables import DossierRow, EcheanceRow, EspaceRow, JetonRow
from sandbox.espaces.repository import drop_espaces
from sandbox.oauth.repository import JetonRepository
from sandbox.oauth.service import now
from sandbox.pytest_plugin import DeferredDrops, OpcoSandbox
from sandbox.server.runtime import Runtime
from sandbox.testing import InProcessServer
from tests.builders import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, codes, transmission
from tests.test_plugin_project import run_session


def scenario(nom: str, akto: dict[str, Any]) -> dict[str, Any]:
    """The demo's first CFA keyed at akto, whose profile is `akto`."""
    cfa = {"siret": "79012345900014", "uai": "0751234A", "denomination": "CFA"}
    return {
        "nom": nom,
        "opcos": {"akto": akto},
        "logiciels": [
            {"editeur": "ACME", "clientId": DEMO_CLIENT_ID, "clientSecret": DEMO_CLIENT_SECRET}
        ],
        "cfas": [cfa | {"iban": "FR7630006000011234567890189", "cles": {"akto": "demo-akto-key"}}],
    }


def runtime(server: InProcessServer) -> Runtime:
    found: Runtime = server.app.state.runtime
    return found


def tokens(sandbox: OpcoSandbox) -> list[JetonRow]:
    with runtime(sandbox.server).database.reading() as session:
        repository = JetonRepository(session, sandbox.espace)
        return repository.all(repository.select())


def exists(server: InProcessServer, espace: str) -> bool:
    response = server.client(f"/_sandbox/espaces/{espace}").get("/horloge")
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


# Tokens


@pytest.mark.opco_scenario(scenario("jeton de 777 s", {"oauth": True, "dureeJeton": 777}))
def test_the_clients_token_is_issued_in_process_as_the_endpoint_issues_it(
    opco_sandbox: OpcoSandbox,
) -> None:
    before = now()
    assert opco_sandbox.client("akto").get("/v1/cfakeyinfo").status_code == 200
    after = now()
    assert [e["chemin"].rsplit("/", 1)[-1] for e in opco_sandbox.journal()] == ["cfakeyinfo"]
    [token] = tokens(opco_sandbox)
    assert (token.opco, token.client_id, token.scope) == (
        "akto",
        DEMO_CLIENT_ID,
        "api.read api.write",
    )
    lifetime = timedelta(seconds=777)  # the OPCO's own, as the endpoint gives it
    assert before + lifetime <= token.expire_a <= after + lifetime


@pytest.mark.opco_scenario(scenario("akto non accroché", {"oauth": True, "accroche": False}))
def test_no_token_is_issued_where_the_endpoint_refuses_one(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").get("/v1/cfakeyinfo")
    assert codes(response, 503) == ["OPCO_NON_ACCROCHE"]
    assert tokens(opco_sandbox) == []


def test_a_client_of_a_dropped_espace_goes_without_a_token(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.server.client("/_sandbox/espaces").delete(f"/{opco_sandbox.espace}")
    response = opco_sandbox.client("akto").get("/v1/cfakeyinfo")
    assert codes(response, 404) == ["ESPACE_INCONNU"]


# Drops


def test_closed_espaces_are_dropped_together_once_enough_are_closed(
    opco_sandbox: OpcoSandbox,
) -> None:
    server = opco_sandbox.server
    drops = DeferredDrops(server, every=3)
    closed = [OpcoSandbox(server, f"{opco_sandbox.espace}-{n}", drops) for n in range(3)]
    for sandbox in closed:
        sandbox.load("demo")
    closed[0].close()
    closed[1].close()
    assert closed[0].control.is_closed
    assert [exists(server, s.espace) for s in closed] == [True, True, True]  # not yet
    closed[2].close()
    assert [exists(server, s.espace) for s in closed] == [False, False, False]
    assert opco_sandbox.client("akto").get("/v1/dossiers/etats").status_code == 200


def test_the_last_closed_espaces_are_dropped_at_the_end(opco_sandbox: OpcoSandbox) -> None:
    server = opco_sandbox.server
    drops = DeferredDrops(server)
    kept = OpcoSandbox(server, f"{opco_sandbox.espace}-garde", drops)
    dropped_by_its_test = OpcoSandbox(server, f"{opco_sandbox.espace}-supprime", drops)
    kept.load("demo")
    dropped_by_its_test.load("demo")
    server.client("/_sandbox/espaces").delete(f"/{dropped_by_its_test.espace}")
    kept.close()
    dropped_by_its_test.close()
    assert exists(server, kept.espace)
    drops.drop()
    assert not exists(server, kept.espace)
    assert exists(server, opco_sandbox.espace)


def test_a_bulk_drop_leaves_no_row_of_its_espaces_and_every_row_of_others(
    opco_sandbox: OpcoSandbox,
) -> None:
    server = opco_sandbox.server
    others = [OpcoSandbox(server, f"{opco_sandbox.espace}-{n}") for n in range(2)]
    for sandbox in [opco_sandbox, *others]:
        sandbox.load("demo")
        akto = sandbox.client("akto")  # a token, a dossier with its échéances, a journal
        assert akto.post("/v1/dossiers", json=transmission("BULK-1")).status_code == 200
        sandbox.control.put("/akto/pannes", json={"pannes": [{"statut": 503}]})
    database = runtime(server).database
    runtime(server).journal.flush()
    before = rows_of(database.engine, [opco_sandbox.espace])
    with database.transaction() as session:
        drop_espaces(session, [s.espace for s in others] + ["no-such-espace"])
    assert rows_of(database.engine, [s.espace for s in others]) == {}
    assert rows_of(database.engine, [opco_sandbox.espace]) == before


def rows_of(engine: Engine, espaces: list[str]) -> dict[str, int]:
    """How many rows those espaces hold, per table: every table with an `espace` column
    (a table added later included), their own rows and their échéances; none left out."""
    dossiers = select(DossierRow.id).where(DossierRow.espace.in_(espaces))
    queries = {
        EspaceRow.__tablename__: select(func.count()).where(EspaceRow.nom.in_(espaces)),
        EcheanceRow.__tablename__: select(func.count()).where(EcheanceRow.dossier_id.in_(dossiers)),
    }
    for table in EspaceRow.metadata.sorted_tables:
        if "espace" in table.c:
            queries[table.name] = select(func.count()).where(table.c.espace.in_(espaces))
    with engine.connect() as connection:
        counts = {name: connection.scalar(query) or 0 for name, query in queries.items()}
    return {name: count for name, count in counts.items() if count}


SESSION_CONFTEST = """
import pytest


@pytest.fixture(scope="session")
def opco_sandbox_database_url():
    return "sqlite:///{database}"
"""

SESSION_TESTS = """
import pytest


@pytest.mark.parametrize("n", range(3))
def test_one_of_three(opco_sandbox, n):
    assert opco_sandbox.client("akto").get("/v1/status").status_code == 200
"""


def test_a_session_ends_with_its_tests_espaces_dropped(tmp_path: Path) -> None:
    # Another pytest session, on a database this one reads afterwards.
    database = tmp_path / "sandbox.db"
    conftest = SESSION_CONFTEST.format(database=database)
    (tmp_path / "conftest.py").write_text(conftest, encoding="utf-8")
    (tmp_path / "test_three.py").write_text(SESSION_TESTS, encoding="utf-8")
    result = run_session(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        names = connection.scalars(select(EspaceRow.nom)).all()
    engine.dispose()
    assert names == ["default"]
