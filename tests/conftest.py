"""The suite runs every sandbox test on SQLite and on PostgreSQL."""

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from sandbox.pytest_plugin import live_server

POSTGRES_ADMIN_URL = os.environ.get(
    "OPCO_SANDBOX_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# Set by .ci/run: there, an unreachable PostgreSQL is a failure, not a skip.
POSTGRES_REQUIRED = os.environ.get("OPCO_SANDBOX_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def opco_sandbox_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Overrides the plugin's fixture: each engine in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'sandbox.db'}"
    else:
        with postgres_database() as url:
            yield url


class postgres_database:
    """A randomly named database on the test server, dropped at the end."""

    def __init__(self) -> None:
        self.name = f"opco_sandbox_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")

    def __enter__(self) -> str:
        try:
            with self.admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
        except OperationalError as exc:
            self.admin.dispose()
            reason = f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}"
            if POSTGRES_REQUIRED:
                pytest.fail(reason)
            pytest.skip(reason)
        return make_url(POSTGRES_ADMIN_URL).set(database=self.name).render_as_string(False)

    def __exit__(self, *exc: object) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`opco-sandbox serve --workers 2` on a fresh database of each engine."""
    if request.param == "sqlite":
        database = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
        with live_server(database, workers=2) as url:
            yield url
    else:
        with postgres_database() as database, live_server(database, workers=2) as url:
            yield url
