"""PostgreSQL's connections lost under the sandbox (a server restarted, its backends
terminated): no connection is pinged before use, so a request whose connection is found
lost before it wrote anything is played again on a new one (SQLAlchemy replaces the whole
pool); a write that loses its connection in its transaction is answered 503
`SANDBOX_OCCUPE`, to retry, its work rolled back."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from sandbox.core.database import Database
from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from sandbox.testing import InProcessServer
from tests.builders import codes, transmission
from tests.conftest import postgres_database

NAME = "sandbox-connexions-perdues"


class Sandbox:
    """An app of its own on a PostgreSQL database of its own, whose connections the test
    can terminate from outside."""

    def __init__(self, database: Database, espace: OpcoSandbox, url: str) -> None:
        self.database, self.espace = database, espace
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")

    def terminate(self, pid: int | None = None) -> int:
        """Terminate the app's connections (that one only, with `pid`): how many."""
        query = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        query += " WHERE application_name = :name AND (CAST(:pid AS int) IS NULL OR pid = :pid)"
        with self.admin.connect() as connection:
            found = connection.execute(text(query), {"name": NAME, "pid": pid})
            return int(found.scalar_one())

    def dossiers(self, numero: str) -> int:
        query = "SELECT count(*) FROM dossiers WHERE numero_interne = :numero"
        with self.admin.connect() as connection:
            return int(connection.execute(text(query), {"numero": numero}).scalar_one())


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with postgres_database() as url:
        named = make_url(url).update_query_dict({"application_name": NAME})
        database = Database(named.render_as_string(False))
        with InProcessServer(create_app(database, resolve("demo"))) as server:
            espace = OpcoSandbox(server, "connexions")
            espace.load("demo")
            made = Sandbox(database, espace, url)
            yield made
            made.admin.dispose()
        database.dispose()


def test_a_read_on_a_lost_connection_is_played_again_on_a_new_one(sandbox: Sandbox) -> None:
    with sandbox.espace.client("akto") as akto:
        assert akto.get("/v1/dossiers/etats").status_code == 200  # a pooled connection
        assert sandbox.terminate() > 0
        assert akto.get("/v1/dossiers/etats").status_code == 200


def test_a_write_whose_checks_find_the_connection_lost_is_played_again(
    sandbox: Sandbox,
) -> None:
    with sandbox.espace.client("akto") as akto:
        assert akto.get("/v1/dossiers/etats").status_code == 200
        assert sandbox.terminate() > 0
        sent = akto.post("/v1/dossiers", json=transmission("PERDUE-0001"))
    assert sent.status_code == 200
    assert sandbox.dossiers("PERDUE-0001") == 1


def test_a_write_losing_its_connection_in_its_transaction_is_answered_503(
    sandbox: Sandbox,
) -> None:
    def lose_the_connection(_: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if statement.startswith("INSERT INTO dossiers"):
            event.remove(sandbox.database.engine, "before_cursor_execute", lose_the_connection)
            assert sandbox.terminate(cursor.connection.info.backend_pid) == 1

    event.listen(sandbox.database.engine, "before_cursor_execute", lose_the_connection)
    with sandbox.espace.client("akto") as akto:
        refused = akto.post("/v1/dossiers", json=transmission("PERDUE-0002"))
        assert codes(refused, 503) == ["SANDBOX_OCCUPE"]
        assert refused.headers["Retry-After"] == "1"
        assert sandbox.dossiers("PERDUE-0002") == 0  # rolled back with its connection
        assert akto.post("/v1/dossiers", json=transmission("PERDUE-0002")).status_code == 200
    assert sandbox.dossiers("PERDUE-0002") == 1
