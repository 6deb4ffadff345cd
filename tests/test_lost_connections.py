"""PostgreSQL's connections lost under the sandbox (a server restarted, its backends
terminated): no connection is pinged before use, so a read on a lost one is made again on
a new one, and a write is answered 503 `SANDBOX_OCCUPE`, to retry; after either, the whole
pool is new."""

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sandbox.core.database import Database
from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from sandbox.testing import InProcessServer
from tests.builders import codes, transmission
from tests.conftest import postgres_database

NAME = "sandbox-connexions-perdues"


@pytest.fixture
def sandbox() -> Iterator[tuple[OpcoSandbox, str]]:
    """An app of its own on a PostgreSQL database of its own, and that database's URL."""
    with postgres_database() as url:
        named = make_url(url).update_query_dict({"application_name": NAME})
        database = Database(named.render_as_string(False))
        with InProcessServer(create_app(database, resolve("demo"))) as server:
            espace = OpcoSandbox(server, "connexions")
            espace.load("demo")
            yield espace, url
        database.dispose()


def terminate_the_sandboxs_connections(url: str) -> int:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            query = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            query += " WHERE application_name = :name"
            return int(connection.execute(text(query), {"name": NAME}).scalar_one())
    finally:
        admin.dispose()


def test_a_read_on_a_lost_connection_is_made_again_on_a_new_one(
    sandbox: tuple[OpcoSandbox, str],
) -> None:
    espace, url = sandbox
    with espace.client("akto") as akto:
        assert akto.get("/v1/dossiers/etats").status_code == 200  # a pooled connection
        assert terminate_the_sandboxs_connections(url) > 0
        assert akto.get("/v1/dossiers/etats").status_code == 200
        assert akto.post("/v1/dossiers", json=transmission("PERDUE-0001")).status_code == 200


def test_a_write_on_a_lost_connection_is_answered_503_then_served(
    sandbox: tuple[OpcoSandbox, str],
) -> None:
    espace, url = sandbox
    with espace.client("akto") as akto:
        assert akto.get("/v1/dossiers/etats").status_code == 200
        assert terminate_the_sandboxs_connections(url) > 0
        refused = akto.post("/v1/dossiers", json=transmission("PERDUE-0002"))
        assert codes(refused, 503) == ["SANDBOX_OCCUPE"]
        assert refused.headers["Retry-After"] == "1"
        sent: httpx.Response = akto.post("/v1/dossiers", json=transmission("PERDUE-0002"))
        assert sent.status_code == 200
